package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.Realm;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Realm's {@code limits.maxConnections} against a real API server: unset, sized for the pod's
 * memory beside its retention and rendered into realm.yaml, following the memory limit; set above
 * what the memory carries, rendered as written and reported by the condition
 * ConnectionLimitsFitMemory and a Warning Event, as for a ForwardProxy.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealmCapacityReconcileTest {
    private static final String NS = "realm-capacity";
    private static final String CONDITION = "ConnectionLimitsFitMemory";

    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    /** A memory realm named {@code name} with {@code spec} lines (indented by two) added. */
    private static String realm(String name, String spec) {
        return """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: %s}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
        %s
        """
                .formatted(name, spec.indent(2).stripTrailing());
    }

    @Test
    void anUnsetCapIsSizedForTheMemoryLimitAndFollowsIt() {
        cluster.apply(realm("small", "resources: {limits: {memory: 256Mi}}"));
        Realm small =
                cluster.awaitRealm(
                        "small", "sized", r -> is(r, CONDITION, "True", "SizedForMemory"));
        assertThat(condition(small, CONDITION).getMessage())
                .startsWith("limits.maxConnections is 192, what 256Mi of pod memory carries");
        assertThat(cluster.settings("small")).containsSequence("--max-connections", "192");

        cluster.apply(realm("small", "resources: {limits: {memory: 1Gi}}"));
        await("realm.yaml sized for 1Gi")
                .atMost(RealmCluster.WAIT)
                .untilAsserted(
                        () ->
                                assertThat(cluster.settings("small"))
                                        .containsSequence("--max-connections", "769"));
    }

    @Test
    void aCapAboveWhatThePodsMemoryCarriesIsAWarningNotARefusal() {
        cluster.apply(
                realm(
                        "greedy",
                        """
                        limits: {maxConnections: 10000}
                        resources: {limits: {memory: 512Mi}}
                        """));
        Realm greedy =
                cluster.awaitRealm(
                        "greedy",
                        "above memory",
                        r -> is(r, CONDITION, "False", "AboveMemoryCapacity"));
        assertThat(condition(greedy, CONDITION).getMessage())
                .startsWith(
                        "spec.limits.maxConnections (10000) is above what 512Mi of pod memory"
                                + " carries (384)");
        assertThat(condition(greedy, "RetentionFitsMemory").getStatus())
                .as("retention is sized and fits: only the connections are flagged")
                .isEqualTo("True");
        assertThat(cluster.settings("greedy"))
                .as("rendered as written")
                .containsSequence("--max-connections", "10000");
        Event warning =
                await("a Warning Event")
                        .atMost(RealmCluster.WAIT)
                        .until(() -> events("greedy", "AboveMemoryCapacity"), e -> !e.isEmpty())
                        .get(0);
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getMessage()).startsWith("spec.limits.maxConnections (10000)");

        cluster.apply(realm("greedy", "resources: {limits: {memory: 512Mi}}"));
        cluster.awaitRealm(
                "greedy", "field removed: sized", r -> is(r, CONDITION, "True", "SizedForMemory"));
        assertThat(cluster.settings("greedy")).containsSequence("--max-connections", "384");
    }

    private static List<Event> events(String realm, String reason) {
        return cluster.client().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(
                        e ->
                                realm.equals(e.getInvolvedObject().getName())
                                        && reason.equals(e.getReason()))
                .toList();
    }
}
