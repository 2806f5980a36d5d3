package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * README's install and the reference scenario on the real cluster, step by step as a user does it:
 * the chart installed with Helm, examples/reference-scenario.yaml applied, {@code kubectl wait} for
 * Ready, then clients in namespace "trading" going through the ForwardProxy to the Realm with
 * exactly the addresses the docs and the Realm's status give. Each step needs the ones before it
 * (the order is the user's).
 */
@org.junit.jupiter.api.Order(1)
class ReferenceScenarioOnClusterTest extends ClusterSteps {
    static final String RELEASE = "realmgate";
    static final String OPERATOR_NS = "realmgate-system";
    static final ResourceDefinitionContext REALMS =
            new ResourceDefinitionContext.Builder()
                    .withGroup("realmgate.io")
                    .withVersion("v1alpha1")
                    .withKind("Realm")
                    .withPlural("realms")
                    .withNamespaced(true)
                    .build();

    @BeforeAll
    void startClean() {
        // What an earlier, interrupted run on a cluster that stays up may have left: the suite
        // starts clean.
        kubectl.run(
                Duration.ofMinutes(4),
                "delete",
                "namespace",
                "apps",
                "trading",
                "outsiders",
                "--ignore-not-found",
                "--wait=true",
                "--timeout=3m");
        try {
            Helm.uninstall(RELEASE)
                    .withNamespace(OPERATOR_NS)
                    .withKubeConfig(cluster.kubeconfig)
                    .call();
        } catch (RuntimeException notInstalled) {
            // nothing to clean up
        }
        kubectl.run("delete", "-k", "deploy/kustomize", "--ignore-not-found", "--wait=true");
    }

    @Test
    @Order(1)
    void theChartInstallsWithHelmAsReadmeSays() {
        // helm install realmgate helm/realmgate -n realmgate-system --create-namespace
        new Helm(cluster.repo.resolve("helm/realmgate"))
                .install()
                .withName(RELEASE)
                .withNamespace(OPERATOR_NS)
                .createNamespace()
                .withKubeConfig(cluster.kubeconfig)
                .withTimeout(120)
                .call();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        OPERATOR_NS,
                        "rollout",
                        "status",
                        "deployment/realmgate-operator",
                        "--timeout=150s")
                .orFail();
    }

    @Test
    @Order(2)
    void theReferenceScenarioBecomesReadyWithRealPods() {
        kubectl.run("apply", "--server-side", "-f", "examples/reference-scenario.yaml").orFail();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        "apps",
                        "wait",
                        "--for=condition=Ready",
                        "realm/prices",
                        "forwardproxy/egress",
                        "--timeout=2m")
                .orFail();

        List<Pod> realm =
                client.pods()
                        .inNamespace("apps")
                        .withLabel("app.kubernetes.io/instance", "prices")
                        .list()
                        .getItems();
        List<Pod> proxies =
                client.pods()
                        .inNamespace("apps")
                        .withLabel("app.kubernetes.io/instance", "egress")
                        .list()
                        .getItems();
        assertThat(realm).hasSize(1);
        assertThat(proxies).hasSize(2);
        for (Pod p : concat(realm, proxies)) {
            assertThat(p.getStatus().getPhase()).as(p.getMetadata().getName()).isEqualTo("Running");
            assertThat(p.getStatus().getContainerStatuses())
                    .allMatch(c -> Boolean.TRUE.equals(c.getReady()));
            // Each container runs as the non-root user on a read-only root file system.
            assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        }
        // The CA bundle the docs tell clients to trust: the operator keeps it where the proxy's
        // clients are (trading), nobody copies it.
        pods.awaitCaBundle("trading", "prices-realm-ca");
    }

    @Test
    @Order(3)
    void aWssRoundTripFromTradingThroughTheProxyWithTheAddressesTheDocsAndStatusGive() {
        GenericKubernetesResource prices =
                client.genericKubernetesResources(REALMS)
                        .inNamespace("apps")
                        .withName("prices")
                        .require();
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoints =
                (Map<String, Object>)
                        ((Map<String, Object>) prices.getAdditionalProperties().get("status"))
                                .get("endpoints");
        String fromStatus = String.valueOf(endpoints.get("secureWebSocket"));
        assertThat(fromStatus).startsWith("wss://");

        // The short name the example, NOTES.txt and the status give; the full name; the ws port.
        for (String url :
                List.of(
                        fromStatus,
                        "wss://prices-realm.apps.svc:9443/realm",
                        "wss://prices-realm.apps.svc.cluster.local:9443/realm",
                        "ws://prices-realm.apps.svc:9000/realm")) {
            ClientPods.Outcome run =
                    pods.javaClient(
                            "trading",
                            "java-client-" + Math.abs(url.hashCode() % 100000),
                            "prices-realm-ca",
                            List.of(
                                    "--url",
                                    url,
                                    "--proxy",
                                    "egress-proxy.apps.svc:3128",
                                    "--ca",
                                    ClientPods.CA_DIR + "/ca.crt",
                                    "--channel",
                                    "trading-java",
                                    "--publish",
                                    "3",
                                    "--timeout",
                                    "60s"),
                            Duration.ofMinutes(2));
            assertThat(run.exit()).as(url + ":\n" + run.log()).isZero();
            assertThat(eventIds(run.log())).as(url).hasSize(3);
        }
    }

    @Test
    @Order(4)
    void nodesWsPackageIsASecondIndependentClient() {
        pods.copyScript(
                "trading",
                "node-client",
                cluster.repo.resolve("tests/e2e/src/test/resources/node/wss-through-proxy.js"));
        ClientPods.Outcome run =
                pods.runAfter(
                        "egress-proxy.apps.svc:3128",
                        "trading",
                        "node-ws-client",
                        ClientPods.NODE,
                        List.of(
                                "node",
                                "/scripts/wss-through-proxy.js",
                                "egress-proxy.apps.svc:3128",
                                "prices-realm.apps.svc",
                                "9443",
                                ClientPods.CA_DIR + "/ca.crt",
                                "trading-node"),
                        Map.of("prices-realm-ca", ClientPods.CA_DIR, "node-client", "/scripts"),
                        Duration.ofMinutes(2));
        assertThat(run.exit()).as(run.log()).isZero();
        assertThat(run.log()).contains("\"connectStatus\":200").contains("\"event\"");
    }

    @Test
    @Order(5)
    void forwardedRequestsAndTheirAnswersCarryVia() {
        ClientPods.Outcome run =
                pods.shellAfter(
                        "egress-proxy.apps.svc:3128",
                        "trading",
                        "via-check",
                        http(
                                "GET http://prices-realm.apps.svc:9000/healthz HTTP/1.1",
                                "Host: prices-realm.apps.svc:9000",
                                "Connection: close"),
                        Duration.ofMinutes(1));
        assertThat(run.log())
                .containsPattern("HTTP/1.1 200")
                .containsPattern("(?i)via: 1\\.1 egress");
    }

    @Test
    @Order(6)
    void theProxyRefusesEveryOtherTarget() {
        for (String target :
                List.of(
                        "kubernetes.default.svc:443",
                        "prices-realm.apps.svc:22",
                        "kube-dns.kube-system.svc:53",
                        "10.96.0.1:443")) {
            ClientPods.Outcome run =
                    pods.shellAfter(
                            "egress-proxy.apps.svc:3128",
                            "trading",
                            "refused-" + Math.abs(target.hashCode() % 100000),
                            http("CONNECT " + target + " HTTP/1.1", "Host: " + target),
                            Duration.ofMinutes(1));
            assertThat(run.log()).as(target).contains("HTTP/1.1 403");
        }
    }

    @Test
    @Order(7)
    void theNetworkRefusesWhatThePolicySaysEvenBeforeTheProxyCould() {
        kubectl.run("create", "namespace", "outsiders");
        try {
            // Control: the same check from trading connects.
            assertThat(tcp("trading", "egress-proxy.apps.svc", 3128)).isTrue();
            // A pod of another namespace cannot even open a TCP connection to the proxy: the
            // NetworkPolicy,
            // not the proxy, refuses it.
            assertThat(tcp("outsiders", "egress-proxy.apps.svc", 3128)).isFalse();
            // The realm admits its own namespace and the proxies that reference it, not trading
            // directly.
            assertThat(tcp("apps", "prices-realm.apps.svc", 9443)).isTrue();
            assertThat(tcp("trading", "prices-realm.apps.svc", 9443)).isFalse();
            assertThat(tcp("outsiders", "prices-realm.apps.svc", 9000)).isFalse();
        } finally {
            kubectl.run("delete", "namespace", "outsiders", "--wait=false");
        }
    }

    @Test
    @Order(8)
    void metricsScrapersReachTheAdminPortsAndNobodyElseDoes() {
        String proxyPod =
                client.pods()
                        .inNamespace("apps")
                        .withLabel("app.kubernetes.io/instance", "egress")
                        .list()
                        .getItems()
                        .get(0)
                        .getStatus()
                        .getPodIP();
        String realmPod =
                client.pods()
                        .inNamespace("apps")
                        .withLabel("app.kubernetes.io/instance", "prices")
                        .list()
                        .getItems()
                        .get(0)
                        .getStatus()
                        .getPodIP();
        // The operator's own pod, behind the chart's NetworkPolicy for it (same scrapers).
        String operatorPod =
                client.pods()
                        .inNamespace(OPERATOR_NS)
                        .withLabel("app.kubernetes.io/component", "operator")
                        .list()
                        .getItems()
                        .get(0)
                        .getStatus()
                        .getPodIP();
        // A Prometheus pod (the chart's default scrapers: app.kubernetes.io/name=prometheus, any
        // namespace).
        String scrape =
                "for target in "
                        + proxyPod
                        + ":9090 "
                        + realmPod
                        + ":8080 "
                        + operatorPod
                        + ":8080; do i=0; got=no; while [ $i -lt 8 ];"
                        + " do if printf 'GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'"
                        + " | nc -w 2 ${target%:*} ${target#*:} 2>/dev/null | grep -q '^realmgate_'; then got=yes; break; fi;"
                        + " i=$((i+1)); sleep 0.5; done; echo \"$target=$got\"; done";
        ClientPods.Outcome prometheus =
                pods.shellLabelled(
                        Map.of("app.kubernetes.io/name", "prometheus"),
                        "trading",
                        "prometheus-scrape",
                        scrape,
                        Duration.ofMinutes(1));
        assertThat(prometheus.log())
                .contains(
                        proxyPod + ":9090=yes", realmPod + ":8080=yes", operatorPod + ":8080=yes");
        // Any other pod of the same namespace: refused by the NetworkPolicies.
        ClientPods.Outcome other =
                pods.shellLabelled(
                        Map.of("app", "curious"),
                        "trading",
                        "curious-scrape",
                        scrape,
                        Duration.ofMinutes(1));
        assertThat(other.log())
                .contains(proxyPod + ":9090=no", realmPod + ":8080=no", operatorPod + ":8080=no");
    }

    @Test
    @Order(9)
    void theProxyPodItselfReachesOnlyDnsAndTheRealmsPortsFromItsWidePortRange() {
        String proxyPod =
                client.pods()
                        .inNamespace("apps")
                        .withLabel("app.kubernetes.io/instance", "egress")
                        .list()
                        .getItems()
                        .get(0)
                        .getMetadata()
                        .getName();
        // An ephemeral container shares the proxy pod's network namespace, so the proxy's egress
        // policy applies, and /proc/sys/net shows that namespace's sysctls (issue 18: the
        // operator's wide ephemeral port range with the proxy's listeners reserved; the kernel's
        // default is 32768 60999 and no reservation).
        String script =
                String.join(
                        "; ",
                        "echo port-range=$(cat /proc/sys/net/ipv4/ip_local_port_range)",
                        "echo reserved-ports=$(cat /proc/sys/net/ipv4/ip_local_reserved_ports)",
                        "nslookup prices-realm.apps.svc.cluster.local >/dev/null 2>&1 && echo dns=ok || echo dns=failed",
                        check("realm-wss", "prices-realm.apps.svc", 9443),
                        check("realm-ws", "prices-realm.apps.svc", 9000),
                        check("api-service", "kubernetes.default.svc", 443),
                        check("api-node", "10.244.0.1", 6443),
                        check("dns-pod-http", "kube-dns.kube-system.svc", 80),
                        check("other-proxy", "egress-proxy.apps.svc", 3128));
        kubectl.run(
                        "-n",
                        "apps",
                        "debug",
                        proxyPod,
                        "--image=" + ClientPods.BUSYBOX,
                        "--image-pull-policy=IfNotPresent",
                        "--container=egress-probe",
                        "--profile=restricted",
                        "--custom="
                                + cluster.repo.resolve(
                                        "tests/cluster/src/test/resources/debug-as-10001.json"),
                        "--",
                        "/bin/sh",
                        "-c",
                        script)
                .orFail();
        String log =
                Awaitility.await()
                        .atMost(60, TimeUnit.SECONDS)
                        .pollInterval(1, TimeUnit.SECONDS)
                        .until(
                                () ->
                                        kubectl.run(
                                                        "-n",
                                                        "apps",
                                                        "logs",
                                                        proxyPod,
                                                        "-c",
                                                        "egress-probe")
                                                .out(),
                                out -> out.contains("other-proxy="));
        assertThat(log)
                .contains(
                        "dns=ok",
                        "realm-wss=open",
                        "realm-ws=open",
                        "api-service=closed",
                        "api-node=closed",
                        "other-proxy=closed",
                        "port-range=1024 65535",
                        "reserved-ports=3128,9090");
    }

    private static String check(String label, String host, int port) {
        return "if nc -w 3 "
                + host
                + " "
                + port
                + " </dev/null >/dev/null 2>&1; then echo "
                + label
                + "=open; else echo "
                + label
                + "=closed; fi";
    }

    /**
     * Whether a new pod of {@code namespace} can open a TCP connection to host:port (busybox nc).
     * Tried for about 8 s: the enforcer admits a new pod's address a moment after it starts, so
     * "closed" means closed throughout.
     */
    private boolean tcp(String namespace, String host, int port) {
        String script =
                "i=0; while [ $i -lt 8 ]; do if nc -w 1 "
                        + host
                        + " "
                        + port
                        + " </dev/null >/dev/null 2>&1; then echo tcp=open; exit 0; fi; i=$((i+1)); sleep 0.5; done; echo tcp=closed";
        ClientPods.Outcome run =
                pods.shell(
                        namespace,
                        "tcp-" + Math.abs((host + port).hashCode() % 100000),
                        script,
                        Duration.ofMinutes(1));
        assertThat(run.log()).contains("tcp=");
        return run.log().contains("tcp=open");
    }

    /** A shell line that sends an HTTP request to the proxy and prints the answer. */
    private static String http(String... lines) {
        StringBuilder request = new StringBuilder();
        for (String line : lines) {
            request.append(line).append("\\r\\n");
        }
        request.append("\\r\\n");
        return "printf '" + request + "' | nc -w 5 egress-proxy.apps.svc 3128";
    }

    static List<Long> eventIds(String log) {
        Matcher m = Pattern.compile("(?m)^event channel=\\S+ id=(\\d+)").matcher(log);
        List<Long> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
