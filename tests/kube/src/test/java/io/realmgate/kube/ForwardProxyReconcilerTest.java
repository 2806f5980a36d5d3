package io.realmgate.kube;

import static io.realmgate.kube.ProxyCluster.base64;
import static io.realmgate.kube.ProxyCluster.ready;
import static io.realmgate.kube.ProxyCluster.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyAuth;
import io.realmgate.operator.api.SecretKeyRef;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.access.TargetRule;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ProxyConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ForwardProxy reconciler against a real API server: what the server adds to what {@code
 * ProxyModelTest} already checks of the children (the owner's uid, the stored objects, the Realm
 * looked up from the cluster), status, self-healing, and a reconcile that writes nothing when
 * nothing changed.
 *
 * <p>This control plane has no kubelet and no Deployment controller: pods never start, so tests
 * write the Deployment's status themselves to say "rolled out". Deleting a CR deletes its children
 * through the garbage collector following the owner references checked here ({@code
 * OwnerDeletionTest} watches it happen). Realms are created as plain custom resources; the proxy
 * needs only their spec.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardProxyReconcilerTest {
    private static final String NS = "proxy-reconcile";
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
    void referenceScenarioChildrenAsTheApiServerStoresThem() throws Exception {
        cluster.createRealm("prices", 9000, 9443);
        ForwardProxy proxy =
                cluster.createProxy(
                        "egress",
                        spec -> spec.allowConnect = List.of(realmTarget("prices", 9000, 9443)));
        String uid = proxy.getMetadata().getUid();
        List<String> rules = cluster.realmRules("prices", 9000, 9443);

        // ConfigMap: the proxy's own parser reads the stored proxy.yaml, with the rules of the
        // Realm the operator
        // found in the cluster.
        ConfigMap cm = cluster.awaitChild(ConfigMap.class, "egress-proxy-config");
        ProxyConfig config =
                ConfigFiles.parse(cm.getData().get("proxy.yaml"), "proxy.yaml").toConfig();
        assertThat(config.allowConnect())
                .containsExactlyElementsOf(rules.stream().map(TargetRule::parse).toList());

        // Deployment: stored as computed (the API server keeps the preStop sleep action and the
        // pod-template
        // annotation); the pod spec itself is ProxyModelTest's.
        Deployment d = cluster.awaitChild(Deployment.class, "egress-proxy");
        assertThat(
                        d.getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get(Names.RESTART_HASH_ANNOTATION))
                .matches("[0-9a-f]{64}");
        assertThat(
                        d.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getLifecycle()
                                .getPreStop()
                                .getSleep()
                                .getSeconds())
                .as("stored by the API server")
                .isEqualTo(5L);

        Service s = cluster.awaitChild(Service.class, "egress-proxy");

        // NetworkPolicy: egress to the pods of the Realm the operator found, on the ports its spec
        // says.
        NetworkPolicy np = cluster.awaitChild(NetworkPolicy.class, "egress-proxy");
        NetworkPolicyEgressRule toRealm =
                np.getSpec().getEgress().get(np.getSpec().getEgress().size() - 1);
        assertThat(toRealm.getTo())
                .singleElement()
                .satisfies(
                        peer -> {
                            assertThat(peer.getNamespaceSelector().getMatchLabels())
                                    .isEqualTo(Map.of("kubernetes.io/metadata.name", NS));
                            assertThat(peer.getPodSelector().getMatchLabels())
                                    .isEqualTo(Names.realmSelector("prices"));
                        });
        assertThat(toRealm.getPorts())
                .extracting(ProxyCluster::port)
                .containsExactly("TCP/9000", "TCP/9443");

        // Every child is owned by the ForwardProxy the API server stored (its uid): the garbage
        // collector follows
        // these when it is deleted.
        for (HasMetadata child : List.of(cm, d, s, np)) {
            assertThat(child.getMetadata().getOwnerReferences())
                    .as(child.getKind())
                    .singleElement()
                    .satisfies(
                            o -> {
                                assertThat(o.getKind()).isEqualTo("ForwardProxy");
                                assertThat(o.getApiVersion()).isEqualTo("realmgate.io/v1alpha1");
                                assertThat(o.getName()).isEqualTo("egress");
                                assertThat(o.getUid()).isEqualTo(uid);
                                assertThat(o.getController()).isTrue();
                            });
            assertThat(child.getMetadata().getLabels())
                    .containsAllEntriesOf(Names.proxySelector("egress"))
                    .containsEntry(Names.LABEL_MANAGED_BY, Names.MANAGED_BY);
        }

        // Status: not Ready while the pods are not there (no kubelet here); Ready once the
        // Deployment says so.
        ForwardProxy notYet = cluster.awaitStatus("egress", p -> ready(p) != null);
        assertThat(ready(notYet).getStatus()).isEqualTo("False");
        assertThat(ready(notYet).getReason()).isEqualTo("DeploymentNotAvailable");
        assertThat(ready(notYet).getMessage()).isEqualTo("0/2 replicas available");
        assertThat(notYet.getStatus().endpoint)
                .isEqualTo("http://egress-proxy." + NS + ".svc:3128");
        assertThat(notYet.getStatus().targets).containsExactlyElementsOf(rules);
        assertThat(notYet.getStatus().observedGeneration)
                .isEqualTo(notYet.getMetadata().getGeneration());
        assertThat(Conditions.find(notYet.getStatus().conditions, Conditions.CERTIFICATE_READY))
                .isNull();

        cluster.simulateRollout("egress-proxy", 2);
        ForwardProxy ready =
                cluster.awaitStatus(
                        "egress", p -> ready(p) != null && "True".equals(ready(p).getStatus()));
        assertThat(ready(ready).getReason()).isEqualTo("DeploymentAvailable");
        assertThat(ready(ready).getMessage()).isEqualTo("2/2 replicas available");
        assertThat(ready(ready).getObservedGeneration())
                .isEqualTo(ready.getMetadata().getGeneration());
    }

    @Test
    void reconcilesThatFindEverythingInPlaceWriteNothing() throws Exception {
        cluster.createRealm("ticks", 9000, 9443);
        cluster.createSecret(
                "steady-users",
                Map.of(
                        "users",
                        "alice:$2y$05$abcdefghijklmnopqrstuuM3wqEy1CqYwQ1k0jS7bQpA2Z6m4o8y"));
        cluster.createProxy(
                "steady",
                spec -> {
                    spec.allowConnect = List.of(realmTarget("ticks"));
                    spec.auth = new ProxyAuth();
                    spec.auth.basicSecretRef = new SecretKeyRef();
                    spec.auth.basicSecretRef.name = "steady-users";
                });
        cluster.awaitChild(NetworkPolicy.class, "steady-proxy");
        cluster.simulateRollout("steady-proxy", 2);
        cluster.awaitStatus("steady", p -> ready(p) != null && "True".equals(ready(p).getStatus()));
        Map<String, String> before = cluster.versions("steady");
        long generation = cluster.deploymentGeneration("steady-proxy");

        // The Deployment loses a replica and gets it back: two reconciles that change the status
        // only.
        cluster.simulateRollout("steady-proxy", 1);
        cluster.awaitStatus("steady", p -> "DeploymentNotAvailable".equals(ready(p).getReason()));
        cluster.simulateRollout("steady-proxy", 2);
        ForwardProxy again =
                cluster.awaitStatus("steady", p -> "True".equals(ready(p).getStatus()));
        Map<String, String> after = cluster.versions("steady");
        after.remove("Deployment"); // the test itself wrote its status
        before.remove("Deployment");
        assertThat(after).isEqualTo(before);
        // The test wrote the Deployment's status; its spec (generation) the operator left alone.
        assertThat(cluster.deploymentGeneration("steady-proxy")).isEqualTo(generation);

        // A referenced Secret changes in a way that does not matter (a label): reconciled, nothing
        // written.
        String proxyVersion = again.getMetadata().getResourceVersion();
        Map<String, String> settled = cluster.versions("steady");
        client.secrets()
                .inNamespace(NS)
                .withName("steady-users")
                .edit(
                        sec -> {
                            sec.getMetadata().getLabels().put("touched", "yes");
                            return sec;
                        });
        Thread.sleep(3000);
        assertThat(cluster.versions("steady")).isEqualTo(settled);
        assertThat(cluster.proxy("steady").getMetadata().getResourceVersion())
                .isEqualTo(proxyVersion);
    }

    @Test
    void deletedChildrenAreRestored() {
        cluster.createRealm("quotes", 9000, 9443);
        cluster.createProxy("healer", spec -> spec.allowConnect = List.of(realmTarget("quotes")));
        for (Class<? extends HasMetadata> type :
                List.of(ConfigMap.class, Deployment.class, Service.class, NetworkPolicy.class)) {
            String name = type == ConfigMap.class ? "healer-proxy-config" : "healer-proxy";
            String uid = cluster.awaitChild(type, name).getMetadata().getUid();
            client.resources(type).inNamespace(NS).withName(name).delete();
            await().atMost(WAIT)
                    .untilAsserted(
                            () -> {
                                HasMetadata restored =
                                        client.resources(type).inNamespace(NS).withName(name).get();
                                assertThat(restored)
                                        .as(type.getSimpleName() + " " + name + " restored")
                                        .isNotNull();
                                assertThat(restored.getMetadata().getUid()).isNotEqualTo(uid);
                            });
        }
    }

    @Test
    void usersSecretMustExistAndItsContentRollsNoPod() {
        cluster.createRealm("books", 9000, 9443);
        cluster.createProxy(
                "guarded",
                spec -> {
                    spec.allowConnect = List.of(realmTarget("books"));
                    spec.auth = new ProxyAuth();
                    spec.auth.basicSecretRef = new SecretKeyRef();
                    spec.auth.basicSecretRef.name = "guarded-users";
                    spec.auth.basicSecretRef.key = "htpasswd";
                });
        ForwardProxy missing =
                cluster.awaitStatus(
                        "guarded",
                        p -> ready(p) != null && "AuthSecretNotFound".equals(ready(p).getReason()));
        assertThat(ready(missing).getMessage()).contains("guarded-users");
        // Fail closed: the config still demands authentication, the pods wait for the Secret.
        ConfigMap cm = cluster.awaitChild(ConfigMap.class, "guarded-proxy-config");
        assertThat(cm.getData().get("proxy.yaml"))
                .contains("usersFile: /etc/realmgate/auth/htpasswd");
        Deployment d = cluster.awaitChild(Deployment.class, "guarded-proxy");
        Volume auth =
                d.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals("auth"))
                        .findFirst()
                        .orElseThrow();
        assertThat(auth.getSecret().getSecretName()).isEqualTo("guarded-users");
        assertThat(auth.getSecret().getItems())
                .singleElement()
                .satisfies(k -> assertThat(k.getKey()).isEqualTo("htpasswd"));

        cluster.createSecret("guarded-users", Map.of("htpasswd", "alice:$2y$05$one"));
        cluster.awaitStatus("guarded", p -> "DeploymentNotAvailable".equals(ready(p).getReason()));
        long generation = cluster.deploymentGeneration("guarded-proxy");

        // A new password reaches the running proxy through the Secret volume (it reloads the users
        // file): no roll,
        // which would cut every tunnel.
        client.secrets()
                .inNamespace(NS)
                .withName("guarded-users")
                .edit(
                        s -> {
                            s.setData(Map.of("htpasswd", base64("alice:$2y$05$two")));
                            return s;
                        });
        await("no roll for a new password")
                .during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .until(() -> cluster.deploymentGeneration("guarded-proxy"), g -> g == generation);
    }
}
