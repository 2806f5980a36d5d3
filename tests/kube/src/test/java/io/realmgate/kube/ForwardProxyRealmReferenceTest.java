package io.realmgate.kube;

import static io.realmgate.kube.ProxyCluster.ready;
import static io.realmgate.kube.ProxyCluster.realmTarget;
import static io.realmgate.kube.ProxyCluster.reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.proxy.config.ConfigFiles;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code allowConnect[].realm} against a real API server: the proxies that name a Realm follow its
 * ports, lose the rule when it goes and get it back when it returns; a Realm that never existed is
 * a status, not an exception loop. Realms are plain custom resources here (the proxy reads only
 * their spec).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardProxyRealmReferenceTest {
    private static final String NS = "proxy-realm-refs";
    private static final Duration WAIT = ProxyCluster.WAIT;
    private static KubernetesClient client;
    private static OperatorHarness operator;
    private static ProxyCluster cluster;

    @BeforeAll
    static void start(KubeApi api) {
        client = api.client();
        OperatorHarness.ensureNamespace(client, NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new ProxyCluster(client, NS);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void proxiesFollowTheirRealmsPortsRemovalAndReturn() {
        cluster.createRealm("rates", 9000, 9443);
        createProxy("follower", realmTarget("rates")); // default: the realm's wss port
        createProxy("pinned", realmTarget("rates", 9000, 9443)); // explicit ports
        cluster.awaitRules("follower", cluster.realmRules("rates", 9443));
        cluster.awaitRules("pinned", cluster.realmRules("rates", 9000, 9443));
        assertThat(egressPorts("follower")).containsExactly(List.of(9443));
        // The proxy reloads its rules from the ConfigMap: what follows (a realm's port moving, the
        // realm going and
        // coming back) must not roll its pods, each roll would cut every tunnel.
        long followerGeneration =
                cluster.awaitChild(Deployment.class, "follower-proxy")
                        .getMetadata()
                        .getGeneration();

        // The realm's wss port moves: the default follows it, an explicit port it no longer serves
        // is dropped.
        client.resources(Realm.class)
                .inNamespace(NS)
                .withName("rates")
                .edit(
                        r -> {
                            r.getSpec().secureWebSocket.port = 9444;
                            return r;
                        });
        cluster.awaitRules("follower", cluster.realmRules("rates", 9444));
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(egressPorts("follower")).containsExactly(List.of(9444)));
        cluster.awaitRules("pinned", cluster.realmRules("rates", 9000));
        ForwardProxy pinned =
                cluster.awaitStatus("pinned", p -> "RealmPortNotFound".equals(reason(p)));
        assertThat(ready(pinned).getStatus()).isEqualTo("False");
        assertThat(ready(pinned).getMessage())
                .contains("'rates'")
                .contains("9443")
                .contains("wss 9444");
        assertThat(pinned.getStatus().targets)
                .containsExactlyElementsOf(cluster.realmRules("rates", 9000));

        // The realm goes: nothing of it stays allowed, at the proxy or the network layer.
        client.resources(Realm.class).inNamespace(NS).withName("rates").delete();
        ForwardProxy gone = cluster.awaitStatus("follower", p -> "RealmNotFound".equals(reason(p)));
        assertThat(ready(gone).getStatus()).isEqualTo("False");
        assertThat(ready(gone).getMessage()).contains("Realm 'rates' not found in namespace " + NS);
        assertThat(gone.getStatus().targets).isEmpty();
        cluster.awaitRules("follower", List.of());
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(egressPorts("follower")).isEmpty()); // DNS only
        await().atMost(WAIT)
                .untilAsserted(
                        () ->
                                assertThat(cluster.warnings("follower"))
                                        .extracting(Event::getReason)
                                        .contains("RealmNotFound"));

        // It comes back: the rule returns without anyone touching the ForwardProxy.
        cluster.createRealm("rates", 9000, 9443);
        cluster.awaitRules("follower", cluster.realmRules("rates", 9443));
        cluster.awaitStatus("follower", p -> "DeploymentNotAvailable".equals(reason(p)));
        assertThat(
                        cluster.awaitChild(Deployment.class, "follower-proxy")
                                .getMetadata()
                                .getGeneration())
                .as("the proxy's pods never rolled")
                .isEqualTo(followerGeneration);
    }

    @Test
    void realmThatDoesNotExistIsAStableStatusNotAnExceptionLoop() throws Exception {
        ForwardProxy created = createProxy("orphan", realmTarget("nowhere", 9443));
        ForwardProxy proxy = cluster.awaitStatus("orphan", p -> "RealmNotFound".equals(reason(p)));
        assertThat(ready(proxy).getStatus()).isEqualTo("False");
        assertThat(ready(proxy).getMessage())
                .isEqualTo("allowConnect[0]: Realm 'nowhere' not found in namespace " + NS);
        assertThat(ready(proxy).getObservedGeneration())
                .isEqualTo(created.getMetadata().getGeneration());
        assertThat(proxy.getStatus().observedGeneration)
                .isEqualTo(created.getMetadata().getGeneration());
        // The rest is in place, allowing nothing.
        ConfigMap cm = cluster.awaitChild(ConfigMap.class, "orphan-proxy-config");
        assertThat(
                        ConfigFiles.parse(cm.getData().get("proxy.yaml"), "proxy.yaml")
                                .toConfig()
                                .allowConnect())
                .isEmpty();
        cluster.awaitChild(NetworkPolicy.class, "orphan-proxy");
        await().atMost(WAIT).until(() -> cluster.warnings("orphan").size(), n -> n >= 1);

        // Settled: for a while, no status write, no child write, no second Event. (A retry is
        // scheduled after
        // 30 s; nothing is retried in a loop.)
        String proxyVersion = cluster.proxy("orphan").getMetadata().getResourceVersion();
        String configVersion =
                cluster.awaitChild(ConfigMap.class, "orphan-proxy-config")
                        .getMetadata()
                        .getResourceVersion();
        Thread.sleep(5000);
        assertThat(cluster.proxy("orphan").getMetadata().getResourceVersion())
                .isEqualTo(proxyVersion);
        assertThat(
                        cluster.awaitChild(ConfigMap.class, "orphan-proxy-config")
                                .getMetadata()
                                .getResourceVersion())
                .isEqualTo(configVersion);
        assertThat(cluster.warnings("orphan"))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getReason()).isEqualTo("RealmNotFound");
                            assertThat(e.getMessage()).contains("'nowhere'");
                            assertThat(e.getInvolvedObject().getKind()).isEqualTo("ForwardProxy");
                            assertThat(e.getInvolvedObject().getUid())
                                    .isEqualTo(created.getMetadata().getUid());
                        });

        // The realm is created: the proxy picks it up from the watch, not from the 30 s retry.
        long before = System.nanoTime();
        cluster.createRealm("nowhere", 9000, 9443);
        cluster.awaitRules("orphan", cluster.realmRules("nowhere", 9443));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(20));
    }

    // ---- helpers ----

    private static ForwardProxy createProxy(String name, TargetSpec... targets) {
        return cluster.createProxy(name, spec -> spec.allowConnect = List.of(targets));
    }

    /**
     * Ports of the NetworkPolicy's egress rules after DNS (cluster DNS, NodeLocal DNSCache), one
     * list per target.
     */
    private static List<List<Integer>> egressPorts(String proxy) {
        NetworkPolicy np = cluster.awaitChild(NetworkPolicy.class, proxy + "-proxy");
        List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
        assertThat(egress.get(0).getPorts())
                .extracting(p -> p.getPort().getIntVal())
                .containsExactly(53, 53, 5353, 5353);
        assertThat(egress.get(1).getPorts())
                .extracting(p -> p.getPort().getIntVal())
                .containsExactly(53, 53);
        return egress.subList(2, egress.size()).stream()
                .peek(
                        rule -> {
                            assertThat(rule.getTo())
                                    .singleElement()
                                    .satisfies(
                                            peer ->
                                                    assertThat(
                                                                    peer.getPodSelector()
                                                                            .getMatchLabels())
                                                            .isEqualTo(
                                                                    Names.realmSelector("rates")));
                        })
                .map(rule -> rule.getPorts().stream().map(p -> p.getPort().getIntVal()).toList())
                .toList();
    }
}
