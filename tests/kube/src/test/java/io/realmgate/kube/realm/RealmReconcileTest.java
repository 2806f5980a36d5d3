package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.assertOwnedBy;
import static io.realmgate.kube.realm.RealmCluster.certificates;
import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.decode;
import static io.realmgate.kube.realm.RealmCluster.dnsNames;
import static io.realmgate.kube.realm.RealmCluster.generation;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.OperatorCa;
import java.security.cert.X509Certificate;
import java.time.Clock;
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
 * The Realm reconciler against a real API server: what it creates, as the server stores it; how the
 * children follow an update, come back when deleted, stay untouched when nothing changed; and the
 * status it reports.
 *
 * <p>The control plane has no Deployment controller and no kubelet (pods never start, so a realm is
 * Ready=False DeploymentNotAvailable until a test reports the Deployment available through its
 * status subresource). Its kube-controller-manager runs only the garbage collector and the
 * namespace controller: the tests here check the owner references it follows, and {@code
 * OwnerDeletionTest} deletes a Realm and watches its children go.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealmReconcileTest {
    private static final String NS = "realm-reconcile";

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

    private static String realmYaml(String name, int wsPort, int wssPort) {
        return """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: %s}
        spec:
          webSocket: {port: %d}
          secureWebSocket: {port: %d}
        """
                .formatted(name, wsPort, wssPort);
    }

    @Test
    void referenceScenarioBecomesChildrenAsTheApiServerStoresThem() {
        Realm applied = cluster.apply(realmYaml("prices", 9000, 9443));
        Realm realm =
                cluster.awaitRealm(
                        "prices",
                        "children and status",
                        r ->
                                is(r, "CertificateReady", "True", "Issued")
                                        && cluster.children("prices").size() == 6);

        Deployment deployment = cluster.deployment("prices");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .isEqualTo(
                        Map.of(
                                "app.kubernetes.io/name",
                                "realmgate-realm",
                                "app.kubernetes.io/instance",
                                "prices"));
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(operator.settings().realmImage());
        assertThat(container.getArgs())
                .containsExactly("--config", "/etc/realmgate/config/realm.yaml");
        assertThat(cluster.settings("prices"))
                .containsExactly(
                        "--engine",
                        "memory",
                        "--bind",
                        "::",
                        "--ws-port",
                        "9000",
                        "--wss-port",
                        "9443",
                        "--tls-cert",
                        "/etc/realmgate/tls/tls.crt",
                        "--tls-key",
                        "/etc/realmgate/tls/tls.key",
                        "--admin",
                        "[::]:8080",
                        "--retain-events",
                        "1000",
                        "--retain-bytes",
                        "256KiB",
                        "--queue-events",
                        "2000",
                        "--queue-bytes",
                        "512KiB",
                        "--max-message",
                        "64KiB",
                        "--max-channels",
                        "65",
                        "--max-subscriptions",
                        "1000",
                        // sized for the 512Mi pod's memory beside its retention
                        "--max-connections",
                        "384",
                        // sized for one proxy pod, whether or not a ForwardProxy names the realm,
                        // never below the realm's own per-client default
                        "--max-connections-per-client",
                        "1000",
                        "--max-streams-per-client",
                        "5000",
                        "--max-polls-per-client",
                        "5000");
        assertThat(container.getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly(
                        "JAVA_TOOL_OPTIONS=-Xmx204m -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError"
                                + " -XX:MetaspaceSize=64m");
        assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(container.getPorts())
                .extracting(p -> p.getName() + "=" + p.getContainerPort())
                .containsExactly("ws=9000", "wss=9443", "admin=8080");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getLivenessProbe().getHttpGet().getPort())
                .isEqualTo(new IntOrString("admin"));
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(container.getReadinessProbe().getFailureThreshold()).isEqualTo(3);
        assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds())
                .as("stored by the API server")
                .isEqualTo(5L);
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(20L);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop())
                .containsExactly("ALL");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        assertThat(pod.getVolumes())
                .anySatisfy(
                        v -> {
                            assertThat(v.getName()).isEqualTo("tls");
                            assertThat(v.getSecret().getSecretName()).isEqualTo("prices-realm-tls");
                            assertThat(v.getSecret().getDefaultMode()).isEqualTo(0440);
                        });
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .as("the config's hash, no certificate hash")
                .containsOnlyKeys("realmgate.io/restart-hash");
        assertThat(cluster.configMap("prices").getData()).containsOnlyKeys("realm.yaml");

        Service service = cluster.service("prices");
        assertThat(service.getSpec().getPorts())
                .extracting(
                        p ->
                                p.getName()
                                        + " "
                                        + p.getPort()
                                        + "->"
                                        + p.getTargetPort().getStrVal()
                                        + " "
                                        + p.getProtocol())
                .containsExactly("ws 9000->ws TCP", "wss 9443->wss TCP");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

        NetworkPolicy policy = cluster.networkPolicy("prices");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress())
                .as("no ForwardProxy names the realm: the clients' and the scrapers' rules")
                .hasSize(2);
        assertThat(policy.getSpec().getIngress().get(0))
                .satisfies(
                        rule -> {
                            assertThat(rule.getFrom())
                                    .singleElement()
                                    .satisfies(
                                            peer -> {
                                                assertThat(peer.getPodSelector())
                                                        .as("every pod of the namespace")
                                                        .isEqualTo(new LabelSelector());
                                                assertThat(peer.getNamespaceSelector()).isNull();
                                            });
                            assertThat(ports(rule)).containsExactly("TCP/9000", "TCP/9443");
                        });
        assertThat(policy.getSpec().getIngress().get(1))
                .satisfies(
                        rule -> {
                            assertThat(rule.getFrom())
                                    .singleElement()
                                    .satisfies(
                                            peer -> {
                                                assertThat(peer.getPodSelector().getMatchLabels())
                                                        .isEqualTo(
                                                                Map.of(
                                                                        "app.kubernetes.io/name",
                                                                        "prometheus"));
                                                assertThat(
                                                                peer.getNamespaceSelector()
                                                                        .getMatchLabels())
                                                        .as("any namespace")
                                                        .isNullOrEmpty();
                                            });
                            assertThat(ports(rule)).containsExactly("TCP/8080");
                        });

        Secret secret = cluster.tlsSecret("prices");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        X509Certificate leaf = certificates(decode(secret, "tls.crt")).get(0);
        assertThat(dnsNames(leaf))
                .containsExactlyInAnyOrder(
                        "prices-realm",
                        "prices-realm.realm-reconcile",
                        "prices-realm.realm-reconcile.svc",
                        "prices-realm.realm-reconcile.svc.cluster.local");
        String caBundle =
                new OperatorCa(cluster.client(), operator.settings(), Clock.systemUTC()).caBundle();
        assertThat(certificates(caBundle)).anySatisfy(ca -> verifies(leaf, ca));

        ConfigMap bundle = cluster.caBundle("prices");
        assertThat(bundle.getData()).containsOnlyKeys("ca.crt");
        assertThat(bundle.getData().get("ca.crt")).isEqualTo(caBundle);

        // Deleting the Realm removes these children: the garbage collector follows the owner
        // references
        // (OwnerDeletionTest watches it happen). No finalizer either: deleting a Realm never waits
        // for the operator.
        cluster.children("prices").values().forEach(child -> assertOwnedBy(child, applied));
        assertThat(cluster.realm("prices").getMetadata().getFinalizers()).isNullOrEmpty();

        realm = cluster.awaitObserved("prices");
        assertThat(realm.getStatus().observedGeneration)
                .isEqualTo(realm.getMetadata().getGeneration());
        assertThat(realm.getStatus().endpoints.webSocket)
                .isEqualTo("ws://prices-realm.realm-reconcile.svc:9000/realm");
        assertThat(realm.getStatus().endpoints.secureWebSocket)
                .isEqualTo("wss://prices-realm.realm-reconcile.svc:9443/realm");
        assertThat(realm.getStatus().caBundleConfigMap).isEqualTo("prices-realm-ca");
        assertThat(condition(realm, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(realm, "Ready").getReason())
                .as("no kubelet here: pods never run")
                .isEqualTo("DeploymentNotAvailable");
        assertThat(condition(realm, "Ready").getObservedGeneration())
                .isEqualTo(realm.getMetadata().getGeneration());
        assertThat(condition(realm, "CertificateReady").getMessage())
                .contains("valid until " + leaf.getNotAfter().toInstant());
    }

    @Test
    void childrenFollowAChangedPortAndAListenerTurnedOff() {
        cluster.apply(realmYaml("quotes", 9000, 9443));
        cluster.awaitSettled("quotes");
        long generationBefore = generation(cluster.deployment("quotes"));

        cluster.apply(realmYaml("quotes", 9000, 9444));

        await("children follow wss 9444")
                .atMost(RealmCluster.WAIT)
                .untilAsserted(
                        () -> {
                            assertThat(cluster.service("quotes").getSpec().getPorts())
                                    .extracting(p -> p.getName() + "=" + p.getPort())
                                    .as("the admin port is no Service port")
                                    .containsExactly("ws=9000", "wss=9444");
                            Container container =
                                    cluster.deployment("quotes")
                                            .getSpec()
                                            .getTemplate()
                                            .getSpec()
                                            .getContainers()
                                            .get(0);
                            assertThat(cluster.settings("quotes"))
                                    .containsSequence("--wss-port", "9444");
                            assertThat(container.getPorts())
                                    .extracting(p -> p.getName() + "=" + p.getContainerPort())
                                    .containsExactly("ws=9000", "wss=9444", "admin=8080");
                            assertThat(
                                            ports(
                                                    cluster.networkPolicy("quotes")
                                                            .getSpec()
                                                            .getIngress()
                                                            .get(0)))
                                    .containsExactly("TCP/9000", "TCP/9444");
                        });
        assertThat(generation(cluster.deployment("quotes")))
                .as("new args: the pods roll")
                .isGreaterThan(generationBefore);
        Realm realm = cluster.awaitObserved("quotes");
        assertThat(realm.getStatus().endpoints.secureWebSocket).endsWith(":9444/realm");

        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: quotes}
        spec:
          webSocket: {enabled: false}
          secureWebSocket: {port: 9444}
        """);

        await("the plain listener goes; probes stay on the admin listener")
                .atMost(RealmCluster.WAIT)
                .untilAsserted(
                        () -> {
                            Container container =
                                    cluster.deployment("quotes")
                                            .getSpec()
                                            .getTemplate()
                                            .getSpec()
                                            .getContainers()
                                            .get(0);
                            assertThat(cluster.settings("quotes"))
                                    .containsSequence("--ws-port", "off", "--wss-port", "9444");
                            assertThat(container.getLivenessProbe().getHttpGet().getPort())
                                    .isEqualTo(new IntOrString("admin"));
                            assertThat(container.getReadinessProbe().getHttpGet().getScheme())
                                    .isEqualTo("HTTP");
                            assertThat(cluster.service("quotes").getSpec().getPorts())
                                    .extracting(p -> p.getName())
                                    .containsExactly("wss");
                            assertThat(
                                            ports(
                                                    cluster.networkPolicy("quotes")
                                                            .getSpec()
                                                            .getIngress()
                                                            .get(0)))
                                    .containsExactly("TCP/9444");
                        });
        realm = cluster.awaitObserved("quotes");
        assertThat(realm.getStatus().endpoints.webSocket).isNull();
    }

    @Test
    void deletedChildrenAreRestored() {
        cluster.apply(realmYaml("ticks", 9000, 9443));
        cluster.awaitSettled("ticks");
        Service service = cluster.service("ticks");
        Secret secret = cluster.tlsSecret("ticks");
        long generationBefore = generation(cluster.deployment("ticks"));

        cluster.client().resource(service).delete();
        Service restored =
                await("Service restored")
                        .atMost(RealmCluster.WAIT)
                        .until(
                                () -> cluster.service("ticks"),
                                s ->
                                        s != null
                                                && !s.getMetadata()
                                                        .getUid()
                                                        .equals(service.getMetadata().getUid()));
        assertThat(restored.getSpec().getPorts()).hasSize(2);

        // A child stripped of its labels leaves the operator's (label-selected) cache: it is
        // applied again, labels back.
        cluster.client()
                .services()
                .inNamespace(NS)
                .withName("ticks-realm")
                .edit(
                        s -> {
                            s.getMetadata().getLabels().remove("app.kubernetes.io/name");
                            return s;
                        });
        await("Service labels restored")
                .atMost(RealmCluster.WAIT)
                .until(
                        () -> cluster.service("ticks").getMetadata().getLabels(),
                        labels -> "realmgate-realm".equals(labels.get("app.kubernetes.io/name")));

        cluster.client().resource(secret).delete();
        Secret reissued =
                await("TLS Secret restored")
                        .atMost(RealmCluster.WAIT)
                        .until(
                                () -> cluster.tlsSecret("ticks"),
                                s ->
                                        s != null
                                                && !s.getMetadata()
                                                        .getUid()
                                                        .equals(secret.getMetadata().getUid()));
        assertThat(reissued.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(dnsNames(certificates(decode(reissued, "tls.crt")).get(0)))
                .contains("ticks-realm");
        assertThat(decode(reissued, "tls.crt"))
                .as("a new certificate, not one kept from nowhere")
                .isNotEqualTo(decode(secret, "tls.crt"));
        cluster.assertNoRoll(
                "ticks", generationBefore, "the realm reloads the new certificate; no pod rolls");
    }

    @Test
    void aReconcileThatFindsEverythingInPlaceWritesNothing() {
        cluster.apply(realmYaml("rates", 9000, 9443));
        Map<String, String> settled = cluster.awaitSettled("rates");
        assertThat(settled)
                .containsOnlyKeys(
                        "Deployment",
                        "Service",
                        "NetworkPolicy",
                        "Secret",
                        "ConfigMap",
                        "ConfigMap/config");
        Realm before = cluster.realm("rates");
        String readySince = condition(before, "Ready").getLastTransitionTime();
        String certificateSince = condition(before, "CertificateReady").getLastTransitionTime();

        // A spec change that means nothing new: clients declared empty is the default. It bumps the
        // generation, so the
        // operator reconciles (annotations alone would not: it skips events that leave the
        // generation as it is).
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: rates}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
          clients: {}
        """);
        Realm after = cluster.awaitObserved("rates");

        assertThat(after.getMetadata().getGeneration())
                .isGreaterThan(before.getMetadata().getGeneration());
        assertThat(cluster.resourceVersions("rates")).isEqualTo(settled);
        assertThat(condition(after, "Ready").getLastTransitionTime()).isEqualTo(readySince);
        assertThat(condition(after, "CertificateReady").getLastTransitionTime())
                .isEqualTo(certificateSince);
        assertThat(condition(after, "Ready").getObservedGeneration())
                .isEqualTo(after.getMetadata().getGeneration());
        await("still nothing written")
                .during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> cluster.resourceVersions("rates").equals(settled));
    }

    @Test
    void aMemoryRealmsDeploymentIsRecreatedNeverRolledAndAnEarlierRollingUpdateIsReplaced() {
        cluster.apply(realmYaml("fills", 9000, 9443));
        cluster.awaitSettled("fills");
        Deployment created = cluster.deployment("fills");
        assertThat(created.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(created.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(cluster.realm("fills").getStatus().engine).isEqualTo("memory");

        // The Deployment as an operator before spec.engine wrote it: no strategy, so the API server
        // defaulted a RollingUpdate with its parameters, which no field manager owns. Applied as
        // the
        // operator's own manager, so the next apply of Recreate must shed those parameters.
        String manager =
                created.getMetadata().getManagedFields().stream()
                        .filter(f -> "Apply".equals(f.getOperation()))
                        .map(f -> f.getManager())
                        .filter(m -> !OperatorHarness.FIELD_MANAGER.equals(m))
                        .findFirst()
                        .orElseThrow();
        Deployment earlier = cluster.deployment("fills");
        earlier.getMetadata().setManagedFields(null);
        earlier.getMetadata().setResourceVersion(null);
        earlier.getSpec().setStrategy(null);
        earlier.setStatus(null);
        Deployment rolling =
                cluster.client()
                        .resource(earlier)
                        .fieldManager(manager)
                        .forceConflicts()
                        .serverSideApply();
        assertThat(rolling.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(rolling.getSpec().getStrategy().getRollingUpdate()).isNotNull();

        Deployment recreated =
                await("the operator puts Recreate back")
                        .atMost(RealmCluster.WAIT)
                        .until(
                                () -> cluster.deployment("fills"),
                                d -> "Recreate".equals(d.getSpec().getStrategy().getType()));
        assertThat(recreated.getSpec().getStrategy().getRollingUpdate()).isNull();
    }

    @Test
    void readyWhenTheDeploymentReportsEveryReplicaAvailable() {
        cluster.apply(realmYaml("orders", 9000, 9443));
        Realm notReady =
                cluster.awaitRealm(
                        "orders",
                        "Ready=False DeploymentNotAvailable",
                        r -> is(r, "Ready", "False", "DeploymentNotAvailable"));
        String notReadySince = condition(notReady, "Ready").getLastTransitionTime();

        cluster.markAvailable("orders");

        Realm ready =
                cluster.awaitRealm(
                        "orders", "Ready=True", r -> is(r, "Ready", "True", "DeploymentAvailable"));
        assertThat(condition(ready, "Ready").getMessage()).isEqualTo("1/1 replicas available");
        assertThat(condition(ready, "Ready").getLastTransitionTime())
                .isGreaterThanOrEqualTo(notReadySince);
        assertThat(condition(ready, "CertificateReady").getStatus()).isEqualTo("True");
    }

    private static void verifies(X509Certificate leaf, X509Certificate ca) {
        try {
            leaf.verify(ca.getPublicKey());
        } catch (Exception e) {
            throw new AssertionError(
                    leaf.getSubjectX500Principal()
                            + " is not signed by "
                            + ca.getSubjectX500Principal(),
                    e);
        }
    }

    static List<String> ports(NetworkPolicyIngressRule rule) {
        return rule.getPorts().stream()
                .map(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
                .toList();
    }
}
