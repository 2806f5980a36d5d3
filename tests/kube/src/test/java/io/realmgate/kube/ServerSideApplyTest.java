package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Server-side apply as the operator will use it: field managers own fields, a second manager
 * changing an owned field gets 409 Conflict, and wins only when it forces.
 */
@ExtendWith(KubeApiExtension.class)
class ServerSideApplyTest {

    private static final String NS = "server-side-apply";
    private static KubernetesClient client;

    @BeforeAll
    static void namespace(KubernetesClient admin) {
        client = admin;
        client.namespaces()
                .resource(
                        new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
    }

    private static ConfigMap configMap(String name, Map<String, String> data) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withData(data)
                .build();
    }

    @Test
    void secondManagerChangingAnOwnedFieldConflictsUntilItForces() {
        ConfigMap applied =
                client.resource(configMap("owned", Map.of("listen", "0.0.0.0:3128", "via", "true")))
                        .fieldManager("realmgate-operator")
                        .serverSideApply();
        assertThat(applied.getData()).containsEntry("listen", "0.0.0.0:3128");
        assertThat(applied.getMetadata().getManagedFields())
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactly("realmgate-operator");

        // Same field, different value, different manager: refused with 409 naming the owner and the
        // field.
        KubernetesClientException conflict =
                catchThrowableOfType(
                        KubernetesClientException.class,
                        () ->
                                client.resource(
                                                configMap(
                                                        "owned",
                                                        Map.of("listen", "127.0.0.1:3128")))
                                        .fieldManager("someone-else")
                                        .serverSideApply());
        assertThat(conflict).isNotNull();
        assertThat(conflict.getCode()).as(conflict.getMessage()).isEqualTo(409);
        assertThat(conflict.getStatus().getReason()).isEqualTo("Conflict");
        assertThat(conflict.getMessage())
                .contains("Apply failed with 1 conflict: conflict with \"realmgate-operator\"")
                .contains(".data.listen");
        assertThat(client.configMaps().inNamespace(NS).withName("owned").get().getData())
                .containsEntry("listen", "0.0.0.0:3128");

        // Forced: the change lands and the field changes owner; the first manager keeps what it
        // still owns.
        ConfigMap forced =
                client.resource(configMap("owned", Map.of("listen", "127.0.0.1:3128")))
                        .fieldManager("someone-else")
                        .forceConflicts()
                        .serverSideApply();
        assertThat(forced.getData())
                .containsEntry("listen", "127.0.0.1:3128")
                .containsEntry("via", "true");
        assertThat(forced.getMetadata().getManagedFields())
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactlyInAnyOrder("realmgate-operator", "someone-else");
        String owners =
                client.getKubernetesSerialization().asJson(forced.getMetadata().getManagedFields());
        assertThat(owners).contains("f:listen");
    }

    @Test
    void sameValueFromASecondManagerIsSharedOwnershipNotAConflict() {
        client.resource(configMap("shared", Map.of("port", "3128")))
                .fieldManager("realmgate-operator")
                .serverSideApply();
        ConfigMap again =
                client.resource(configMap("shared", Map.of("port", "3128")))
                        .fieldManager("helm")
                        .serverSideApply();
        assertThat(again.getMetadata().getManagedFields())
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactlyInAnyOrder("realmgate-operator", "helm");
    }

    @Test
    void applyingLessRemovesWhatTheManagerNoLongerDeclares() {
        client.resource(configMap("shrinks", Map.of("a", "1", "b", "2")))
                .fieldManager("realmgate-operator")
                .serverSideApply();
        ConfigMap shrunk =
                client.resource(configMap("shrinks", Map.of("a", "1")))
                        .fieldManager("realmgate-operator")
                        .serverSideApply();
        assertThat(shrunk.getData()).containsOnlyKeys("a");
    }

    @Test
    void customResourcesAreAppliedWithSchemaDefaults() {
        OperatorHarness.installCrds(client);
        GenericKubernetesResource fwp =
                RealmgateResources.parse(
                        client,
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: applied, namespace: server-side-apply}
        spec:
          port: 3128
          allowConnect:
            - realm: prices
        """);
        GenericKubernetesResource applied =
                RealmgateResources.forwardProxies(client)
                        .inNamespace(NS)
                        .resource(fwp)
                        .fieldManager("realmgate-operator")
                        .serverSideApply();
        Map<String, Object> spec = applied.get("spec");
        assertThat(spec).containsEntry("replicas", 2).containsEntry("via", true);

        // Another manager changing the port the first one owns: 409 naming the field.
        fwp.setAdditionalProperty("spec", Map.of("port", 3129));
        KubernetesClientException conflict =
                catchThrowableOfType(
                        KubernetesClientException.class,
                        () ->
                                RealmgateResources.forwardProxies(client)
                                        .inNamespace(NS)
                                        .resource(fwp)
                                        .fieldManager("kubectl")
                                        .serverSideApply());
        assertThat(conflict).isNotNull();
        assertThat(conflict.getCode()).isEqualTo(409);
        assertThat(conflict.getMessage())
                .contains(
                        "Apply failed with 1 conflict: conflict with \"realmgate-operator\": .spec.port");
    }

    @Test
    void aRealmAppliedTwiceUnchangedIsNotWrittenAgain() {
        OperatorHarness.installCrds(client);
        GenericKubernetesResource realm =
                RealmgateResources.parse(
                        client,
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: steady, namespace: server-side-apply}
        spec:
          webSocket: {port: 9000}
        """);
        GenericKubernetesResource first =
                RealmgateResources.realms(client)
                        .inNamespace(NS)
                        .resource(realm)
                        .fieldManager("realmgate-tests")
                        .serverSideApply();
        GenericKubernetesResource second =
                RealmgateResources.realms(client)
                        .inNamespace(NS)
                        .resource(realm)
                        .fieldManager("realmgate-tests")
                        .serverSideApply();
        // The defaults the server filled in do not count as a change: the same apply is a no-op.
        assertThat(second.getMetadata().getResourceVersion())
                .isEqualTo(first.getMetadata().getResourceVersion());
        assertThat(second.getMetadata().getGeneration()).isEqualTo(1L);
    }
}
