package io.realmgate.kube.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The realm's CA bundle in its client namespaces: a copy (same name, key ca.crt) appears in each
 * namespace the Realm's spec.clients.namespaceSelector selects and in each one the clients of a
 * ForwardProxy naming it come from, follows a change of the selector, is put back when someone
 * deletes or edits it, and goes when the namespace is no longer selected and when the Realm is
 * deleted. The operator watches the realm's namespace and the client namespaces, and reads their
 * labels by name, as in the chart's namespaced mode.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RealmCaBundleCopiesTest {
    private static final String NS = "bundle-realm";
    private static final String TEAM_A = "bundle-team-a";
    private static final String TEAM_B = "bundle-team-b";
    private static final String BEHIND_PROXY = "bundle-behind-proxy";
    private static final String BUNDLE = "feed-realm-ca";

    private static KubernetesClient client;
    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        client = api.client();
        OperatorHarness.ensureNamespace(client, NS);
        labelledNamespace(TEAM_A, Map.of("team", "a"));
        labelledNamespace(TEAM_B, Map.of("team", "b"));
        labelledNamespace(BEHIND_PROXY, Map.of("uses", "egress"));
        operator =
                OperatorHarness.start(
                        api,
                        OperatorHarness.testSettings(),
                        Set.of(NS, TEAM_A, TEAM_B, BEHIND_PROXY));
        cluster = new RealmCluster(client, NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    private static void labelledNamespace(String name, Map<String, String> labels) {
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withLabels(labels)
                                .endMetadata()
                                .build())
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    private static ConfigMap copy(String namespace) {
        return client.configMaps().inNamespace(namespace).withName(BUNDLE).get();
    }

    private static String realmBundle() {
        return await("the realm's own bundle")
                .atMost(RealmCluster.WAIT)
                .until(() -> cluster.caBundle("feed"), c -> c != null)
                .getData()
                .get("ca.crt");
    }

    private static void awaitCopy(String namespace, String bundle) {
        await("copy in " + namespace)
                .atMost(RealmCluster.WAIT)
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> copy(namespace),
                        c -> c != null && bundle.equals(c.getData().get("ca.crt")));
    }

    private static void awaitNoCopy(String namespace) {
        await("no copy in " + namespace)
                .atMost(RealmCluster.WAIT)
                .pollInterval(Duration.ofMillis(300))
                .until(() -> copy(namespace) == null);
    }

    private static void applyRealm(String team) {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: feed}
        spec:
          clients:
            namespaceSelector:
              matchLabels: {team: %s}
        """
                        .formatted(team));
    }

    @Test
    void theBundleFollowsTheClientNamespacesAndLeavesWithTheRealm() {
        applyRealm("a");
        String bundle = realmBundle();
        assertThat(bundle).startsWith("-----BEGIN CERTIFICATE-----");

        awaitCopy(TEAM_A, bundle);
        ConfigMap copy = copy(TEAM_A);
        assertThat(copy.getData()).containsOnlyKeys("ca.crt");
        assertThat(copy.getMetadata().getLabels())
                .containsEntry("realmgate.io/realm", "feed")
                .containsEntry("realmgate.io/realm-namespace", NS)
                .containsEntry("app.kubernetes.io/managed-by", "realmgate-operator");
        assertThat(copy.getMetadata().getOwnerReferences())
                .as("no owner reference across namespaces")
                .isNullOrEmpty();
        assertThat(copy(TEAM_B)).as("not selected").isNull();
        assertThat(copy(BEHIND_PROXY)).as("not selected").isNull();

        // Deleted or edited by hand: put back.
        client.configMaps().inNamespace(TEAM_A).withName(BUNDLE).delete();
        awaitCopy(TEAM_A, bundle);
        client.configMaps()
                .inNamespace(TEAM_A)
                .withName(BUNDLE)
                .edit(
                        c -> {
                            c.getData().put("ca.crt", "tampered");
                            return c;
                        });
        awaitCopy(TEAM_A, bundle);

        // The selector changes: the copy moves.
        applyRealm("b");
        awaitCopy(TEAM_B, bundle);
        awaitNoCopy(TEAM_A);

        // The clients of a proxy naming the realm get it too, and lose it with the proxy.
        cluster.applyProxy(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: egress}
        spec:
          clients:
            namespaceSelector:
              matchLabels: {uses: egress}
          allowConnect:
            - realm: feed
              ports: [9443]
        """);
        awaitCopy(BEHIND_PROXY, bundle);
        client.resources(ForwardProxy.class).inNamespace(NS).withName("egress").delete();
        awaitNoCopy(BEHIND_PROXY);
        assertThat(copy(TEAM_B)).isNotNull();

        // The Realm goes: every copy goes (its own bundle by garbage collection).
        client.resources(Realm.class).inNamespace(NS).withName("feed").delete();
        awaitNoCopy(TEAM_B);
        assertThat(copy(TEAM_A)).isNull();
    }
}
