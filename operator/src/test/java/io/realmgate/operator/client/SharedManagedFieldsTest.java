package io.realmgate.operator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's client reads equal managedFields trees as one shared, unmodifiable instance. */
class SharedManagedFieldsTest {
    private static final String OWNED =
            "{\"f:metadata\":{\"f:labels\":{\"f:app.kubernetes.io/name\":{}}},"
                    + "\"f:spec\":{\"f:replicas\":{},\"f:template\":{\"f:spec\":{\"f:containers\":"
                    + "{\"k:{\\\"name\\\":\\\"realm\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{}}}}}}}";

    private static String deployment(String name, String owned) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\""
                + name
                + "\",\"namespace\":\"apps\",\"managedFields\":[{\"manager\":\"realmgate-operator\","
                + "\"operation\":\"Apply\",\"apiVersion\":\"apps/v1\",\"time\":\"2026-12-07T20:00:00Z\","
                + "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":"
                + owned
                + "}]},\"spec\":{\"replicas\":1}}";
    }

    private static FieldsV1 owned(Deployment deployment) {
        return deployment.getMetadata().getManagedFields().get(0).getFieldsV1();
    }

    @Test
    void equalTreesAreOneInstanceAndReadAsTheyWereWritten() {
        KubernetesSerialization json = OperatorClient.serialization();
        Deployment a = json.unmarshal(deployment("a-realm", OWNED), Deployment.class);
        Deployment b = json.unmarshal(deployment("b-realm", OWNED), Deployment.class);
        assertThat(owned(a)).isSameAs(owned(b));
        assertThat(a.getMetadata().getName()).isEqualTo("a-realm");
        assertThat(b.getMetadata().getName()).isEqualTo("b-realm");
        // Written back, the tree is what the API server sent.
        assertThat(json.convertValue(owned(a), JsonNode.class))
                .isEqualTo(json.unmarshal(OWNED, JsonNode.class));
        assertThat(json.asJson(a)).contains("\"k:{\\\"name\\\":\\\"realm\\\"}\"");
        // Fabric8's own reading gives equal content.
        Deployment plain =
                new KubernetesSerialization()
                        .unmarshal(deployment("a-realm", OWNED), Deployment.class);
        assertThat(owned(plain)).isEqualTo(owned(a)).isNotSameAs(owned(a));
    }

    @Test
    @SuppressWarnings("unchecked")
    void treesThatDifferShareTheirEqualParts() {
        KubernetesSerialization json = OperatorClient.serialization();
        String spec =
                "\"f:spec\":{\"f:replicas\":{},\"f:template\":{\"f:spec\":{\"f:containers\":{}}}}";
        Deployment a =
                json.unmarshal(
                        deployment(
                                "a-realm",
                                "{\"f:metadata\":{\"f:ownerReferences\":{\"k:{\\\"uid\\\":\\\"1\\\"}\":{}}},"
                                        + spec
                                        + "}"),
                        Deployment.class);
        Deployment b =
                json.unmarshal(
                        deployment(
                                "b-realm",
                                "{\"f:metadata\":{\"f:ownerReferences\":{\"k:{\\\"uid\\\":\\\"2\\\"}\":{}}},"
                                        + spec
                                        + "}"),
                        Deployment.class);
        assertThat(owned(a)).isNotEqualTo(owned(b));
        Map<String, Object> specA =
                (Map<String, Object>) owned(a).getAdditionalProperties().get("f:spec");
        Map<String, Object> specB =
                (Map<String, Object>) owned(b).getAdditionalProperties().get("f:spec");
        assertThat(specA).isSameAs(specB).containsOnlyKeys("f:replicas", "f:template");
    }

    @Test
    void differentTreesStayApart() {
        KubernetesSerialization json = OperatorClient.serialization();
        Deployment a = json.unmarshal(deployment("a-realm", OWNED), Deployment.class);
        Deployment other =
                json.unmarshal(
                        deployment("c-realm", "{\"f:spec\":{\"f:replicas\":{}}}"),
                        Deployment.class);
        assertThat(owned(other)).isNotEqualTo(owned(a));
        assertThat(owned(other).getAdditionalProperties()).containsOnlyKeys("f:spec");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSharedTreeCannotBeChanged() {
        Deployment a =
                OperatorClient.serialization()
                        .unmarshal(deployment("a-realm", OWNED), Deployment.class);
        FieldsV1 tree = owned(a);
        assertThatThrownBy(() -> tree.setAdditionalProperty("f:status", Map.of()))
                .isInstanceOf(UnsupportedOperationException.class);
        Map<String, Object> spec =
                (Map<String, Object>) tree.getAdditionalProperties().get("f:spec");
        assertThatThrownBy(() -> spec.remove("f:replicas"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
