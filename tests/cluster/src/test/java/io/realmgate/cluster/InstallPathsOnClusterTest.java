package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Leaving and coming back: the example deleted and the chart uninstalled leave no orphan; then the
 * same product installed with the Kustomize base ({@code kubectl apply -k}) runs the reference
 * scenario and its transparent (SNI) variant exactly as examples/transparent.yaml describes.
 */
@Order(9)
class InstallPathsOnClusterTest extends ClusterSteps {
    @Test
    @Order(1)
    void uninstallingLeavesNoOrphan() {
        kubectl.run(
                        "delete",
                        "-f",
                        "examples/workstation-proxy.yaml",
                        "--ignore-not-found",
                        "--wait=true")
                .orFail();
        kubectl.run(
                        Duration.ofMinutes(4),
                        "delete",
                        "-f",
                        "examples/reference-scenario.yaml",
                        "--wait=true",
                        "--timeout=3m")
                .orFail();
        Helm.uninstall(ReferenceScenarioOnClusterTest.RELEASE)
                .withNamespace(ReferenceScenarioOnClusterTest.OPERATOR_NS)
                .withKubeConfig(cluster.kubeconfig)
                .call();
        Awaitility.await()
                .atMost(120, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(() -> leftovers().isEmpty());
        // Kept on purpose, and documented: the CRDs (helm.sh/resource-policy: keep, so no Realm is
        // ever deleted by an
        // uninstall) and the operator's CA Secret (a reinstall keeps the trust clients already
        // have).
        assertThat(
                        client.apiextensions()
                                .v1()
                                .customResourceDefinitions()
                                .withName("realms.realmgate.io")
                                .get())
                .isNotNull();
        kubectl.run(
                "delete",
                "namespace",
                ReferenceScenarioOnClusterTest.OPERATOR_NS,
                "--wait=true",
                "--timeout=2m");
    }

    @Test
    @Order(2)
    void theKustomizeBaseInstallsTheSameProductAndTheTransparentExampleWorksAsDocumented() {
        kubectl.run("apply", "--server-side", "--force-conflicts", "-k", "deploy/kustomize")
                .orFail();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        ReferenceScenarioOnClusterTest.OPERATOR_NS,
                        "rollout",
                        "status",
                        "deployment/realmgate-operator",
                        "--timeout=150s")
                .orFail();
        kubectl.run(
                        "apply",
                        "--server-side",
                        "-f",
                        "examples/reference-scenario.yaml",
                        "-f",
                        "examples/transparent.yaml")
                .orFail();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        "apps",
                        "wait",
                        "--for=condition=Ready",
                        "realm/prices",
                        "forwardproxy/egress",
                        "forwardproxy/egress-sni",
                        "--timeout=2m")
                .orFail();
        pods.awaitCaBundle("trading", "prices-realm-ca");

        ClientPods.Outcome explicit =
                pods.javaClient(
                        "trading",
                        "kustomize-client",
                        "prices-realm-ca",
                        List.of(
                                "--url",
                                "wss://prices-realm.apps.svc:9443/realm",
                                "--proxy",
                                "egress-proxy.apps.svc:3128",
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                "kustomize",
                                "--publish",
                                "2",
                                "--timeout",
                                "60s"),
                        Duration.ofMinutes(2));
        assertThat(explicit.exit()).as(explicit.log()).isZero();

        // Transparent: the client knows nothing of a proxy; the realm's name resolves to the SNI
        // proxy's Service
        // (hostAliases here, a DNS record elsewhere), and TLS is checked end to end against the
        // realm's CA.
        String sniProxy =
                client.services()
                        .inNamespace("apps")
                        .withName("egress-sni-proxy")
                        .require()
                        .getSpec()
                        .getClusterIP();
        ClientPods.Outcome transparent =
                pods.javaClientWithHosts(
                        "trading",
                        "transparent-client",
                        "prices-realm-ca",
                        Map.of(sniProxy, "prices-realm.apps.svc.cluster.local"),
                        List.of(
                                "--url",
                                "wss://prices-realm.apps.svc.cluster.local:9443/realm",
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                "transparent",
                                "--publish",
                                "2",
                                "--timeout",
                                "60s"),
                        Duration.ofMinutes(2));
        assertThat(transparent.exit()).as(transparent.log()).isZero();
        assertThat(ReferenceScenarioOnClusterTest.eventIds(transparent.log())).hasSize(2);

        kubectl.run(
                        Duration.ofMinutes(4),
                        "delete",
                        "-f",
                        "examples/transparent.yaml",
                        "-f",
                        "examples/reference-scenario.yaml",
                        "--wait=true",
                        "--timeout=3m")
                .orFail();
        kubectl.run(
                Duration.ofMinutes(3),
                "delete",
                "-k",
                "deploy/kustomize",
                "--wait=true",
                "--timeout=2m");
    }

    /**
     * Objects of the release or of the operator's children that are still there, by kind and name.
     */
    private List<String> leftovers() {
        List<HasMetadata> found = new ArrayList<>();
        String byRelease = "app.kubernetes.io/instance=" + ReferenceScenarioOnClusterTest.RELEASE;
        String byOperator = "app.kubernetes.io/managed-by=realmgate-operator";
        for (String selector : List.of(byRelease, byOperator)) {
            found.addAll(
                    client.apps()
                            .deployments()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.services()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.configMaps()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.network()
                            .networkPolicies()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.serviceAccounts()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.rbac().clusterRoles().withLabelSelector(selector).list().getItems());
            found.addAll(
                    client.rbac()
                            .clusterRoleBindings()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.rbac()
                            .roles()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
            found.addAll(
                    client.rbac()
                            .roleBindings()
                            .inAnyNamespace()
                            .withLabelSelector(selector)
                            .list()
                            .getItems());
        }
        found.addAll(
                client.pods()
                        .inAnyNamespace()
                        .withLabelSelector("app.kubernetes.io/part-of=realmgate")
                        .list()
                        .getItems());
        return found.stream()
                .map(
                        o ->
                                o.getKind()
                                        + " "
                                        + o.getMetadata().getNamespace()
                                        + "/"
                                        + o.getMetadata().getName())
                .toList();
    }
}
