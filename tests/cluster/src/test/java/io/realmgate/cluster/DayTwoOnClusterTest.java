package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Day two on real pods: what an SRE changes while clients are connected. A subscriber in "trading"
 * holds a wss tunnel through the proxy while a publisher in "apps" (a client of the realm directly)
 * sends numbered events; afterwards the subscriber's output is checked: every id once, in order,
 * with no gap.
 */
@Order(3)
class DayTwoOnClusterTest extends ClusterSteps {
    @TempDir Path tmp;

    @Test
    @Order(1)
    void aTargetEditChangesWhatTheProxyAdmitsWithNoRestartAndNoDroppedTunnel() {
        Map<String, String> before = podIdentities("egress");
        startSubscriber("edit-subscriber", "day2-edit", 20, false);
        startPublisher("edit-publisher", "day2-edit", 20, "400ms");

        // A name no earlier run has added (a cluster that stays up may have seen this test before).
        String partner = "partner-" + Long.toString(System.nanoTime(), 36) + ".example";
        assertThat(connectStatus(partner + ":443")).isEqualTo(403);
        kubectl.run(
                        "-n",
                        "apps",
                        "patch",
                        "forwardproxy",
                        "egress",
                        "--type=json",
                        "-p",
                        "[{\"op\":\"add\",\"path\":\"/spec/allowConnect/-\",\"value\":{\"host\":\""
                                + partner
                                + "\",\"ports\":[443]}}]")
                .orFail();
        try {
            // The new target is admitted (and then unresolvable inside the cluster: 502) once the
            // proxy reloaded.
            Awaitility.await()
                    .atMost(120, TimeUnit.SECONDS)
                    .pollInterval(2, TimeUnit.SECONDS)
                    .until(() -> connectStatus(partner + ":443"), status -> status == 502);

            List<Long> seen = finishedSubscriber("edit-subscriber");
            assertThat(pods.await("apps", "edit-publisher", Duration.ofMinutes(2)).exit()).isZero();
            assertThat(seen).isEqualTo(range(firstOf(seen), 20));
            assertThat(podIdentities("egress"))
                    .as("no proxy pod restarted or replaced")
                    .isEqualTo(before);
        } finally {
            kubectl.run(
                            "-n",
                            "apps",
                            "patch",
                            "forwardproxy",
                            "egress",
                            "--type=merge",
                            "-p",
                            "{\"spec\":{\"allowConnect\":[{\"realm\":\"prices\",\"ports\":[9000,9443]}]}}")
                    .orFail();
        }
    }

    @Test
    @Order(2)
    void aCertificateRenewalReachesTheRealmWithNoDroppedWebSocket() throws Exception {
        Map<String, String> before = podIdentities("prices");
        X509Certificate old = servedCertificate();
        startSubscriber("renew-subscriber", "day2-renew", 20, false);
        startPublisher("renew-publisher", "day2-renew", 20, "400ms");

        // A new name for the realm (one no earlier run used): the operator issues a new certificate
        // into the same
        // Secret, the kubelet updates the mounted files, the realm picks them up.
        String name = "prices-" + Long.toString(System.nanoTime(), 36) + ".realm.example";
        kubectl.run(
                        "-n",
                        "apps",
                        "patch",
                        "realm",
                        "prices",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"tls\":{\"dnsNames\":[\"" + name + "\"]}}}")
                .orFail();
        X509Certificate renewed =
                Awaitility.await()
                        .atMost(150, TimeUnit.SECONDS)
                        .pollInterval(2, TimeUnit.SECONDS)
                        .ignoreExceptions()
                        .until(
                                this::servedCertificate,
                                c -> !c.getSerialNumber().equals(old.getSerialNumber()));
        assertThat(renewed.getSubjectAlternativeNames().toString()).contains(name);

        List<Long> seen = finishedSubscriber("renew-subscriber");
        assertThat(pods.await("apps", "renew-publisher", Duration.ofMinutes(2)).exit()).isZero();
        assertThat(seen).isEqualTo(range(firstOf(seen), 20));
        assertThat(podIdentities("prices"))
                .as("the realm pod was neither restarted nor replaced")
                .isEqualTo(before);
    }

    @Test
    @Order(3)
    void aDeletedProxyPodMidTunnelIsReplacedByTheOtherReplicaAndTheClientResumesWithNoGap() {
        startSubscriber("failover-subscriber", "day2-failover", 30, true);
        startPublisher("failover-publisher", "day2-failover", 30, "300ms");
        Awaitility.await()
                .atMost(60, TimeUnit.SECONDS)
                .pollInterval(500, TimeUnit.MILLISECONDS)
                .until(
                        () ->
                                ReferenceScenarioOnClusterTest.eventIds(
                                                pods.log("trading", "failover-subscriber"))
                                        .size(),
                        n -> n >= 5);
        // The pod that carries the tunnel: the one whose proxy counts an open tunnel.
        String carrier =
                Awaitility.await()
                        .atMost(30, TimeUnit.SECONDS)
                        .pollInterval(1, TimeUnit.SECONDS)
                        .until(this::proxyPodWithOpenTunnel, p -> p != null);
        // Abruptly (1 s grace: no preStop pause, no drain), as when a node fails: the tunnel is cut
        // mid-stream.
        kubectl.run("-n", "apps", "delete", "pod", carrier, "--grace-period=1", "--wait=false")
                .orFail();

        String log =
                Awaitility.await()
                        .atMost(120, TimeUnit.SECONDS)
                        .pollInterval(1, TimeUnit.SECONDS)
                        .until(
                                () -> pods.log("trading", "failover-subscriber"),
                                l -> l.contains("done events="));
        pods.await("trading", "failover-subscriber", Duration.ofMinutes(1));
        assertThat(pods.await("apps", "failover-publisher", Duration.ofMinutes(2)).exit()).isZero();
        assertThat(log).contains("disconnected code=").contains("connected reconnect=true");
        List<Long> seen = ReferenceScenarioOnClusterTest.eventIds(log);
        assertThat(seen).as(log).isEqualTo(range(firstOf(seen), 30));
    }

    @Test
    @Order(4)
    void anOperatorRestartChangesNothing() {
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
        Map<String, String> before = childVersions();
        kubectl.run(
                        "-n",
                        ReferenceScenarioOnClusterTest.OPERATOR_NS,
                        "delete",
                        "pod",
                        "-l",
                        "app.kubernetes.io/component=operator",
                        "--wait=true")
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
        // The new operator reconciles everything once at start; give it time to do so, then nothing
        // has changed.
        Awaitility.await()
                .pollDelay(20, TimeUnit.SECONDS)
                .atMost(25, TimeUnit.SECONDS)
                .until(() -> true);
        assertThat(childVersions()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void theProxyScalesFromZeroToTwoAndBack() {
        for (int replicas : new int[] {0, 2, 0, 2}) {
            kubectl.run(
                            "-n",
                            "apps",
                            "patch",
                            "forwardproxy",
                            "egress",
                            "--type=merge",
                            "-p",
                            "{\"spec\":{\"replicas\":" + replicas + "}}")
                    .orFail();
            awaitProxyPods(replicas);
        }
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        "apps",
                        "wait",
                        "--for=condition=Ready",
                        "forwardproxy/egress",
                        "--timeout=2m")
                .orFail();
    }

    @Test
    @Order(6)
    void aRealmOnPort443RunsAsNonRootWithoutCapabilities() {
        String realm =
                """
                apiVersion: realmgate.io/v1alpha1
                kind: Realm
                metadata: {name: edge, namespace: apps}
                spec:
                  webSocket: {enabled: false}
                  secureWebSocket: {enabled: true, port: 443}
                """;
        Path file = tmp.resolve("edge.yaml");
        try {
            Files.writeString(file, realm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kubectl.run("apply", "--server-side", "-f", file.toString()).orFail();
        try {
            kubectl.run(
                            Duration.ofMinutes(3),
                            "-n",
                            "apps",
                            "wait",
                            "--for=condition=Ready",
                            "realm/edge",
                            "--timeout=2m")
                    .orFail();
            Pod pod =
                    client.pods()
                            .inNamespace("apps")
                            .withLabel("app.kubernetes.io/instance", "edge")
                            .list()
                            .getItems()
                            .get(0);
            assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSpec().getSecurityContext().getSysctls())
                    .anySatisfy(
                            c ->
                                    assertThat(c.getName())
                                            .isEqualTo("net.ipv4.ip_unprivileged_port_start"));
            assertThat(tcpFromApps("edge-realm.apps.svc", 443)).isTrue();
        } finally {
            kubectl.run("delete", "-f", file.toString(), "--wait=true");
        }
    }

    @Test
    @Order(7)
    void kubectlScaleReachesTheProxyPodsAndItsDisruptionBudget() {
        // Through the scale subresource, as an autoscaler would: one replica, no budget ...
        kubectl.run("-n", "apps", "scale", "forwardproxy/egress", "--replicas=1").orFail();
        awaitProxyPods(1);
        Awaitility.await()
                .atMost(120, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(() -> proxyBudget() == null);
        // ... and two again (the reference scenario's count): two ready pods and a budget of one
        // pod away at a time.
        kubectl.run("-n", "apps", "scale", "forwardproxy/egress", "--replicas=2").orFail();
        awaitProxyPods(2);
        PodDisruptionBudget budget =
                Awaitility.await()
                        .atMost(120, TimeUnit.SECONDS)
                        .pollInterval(1, TimeUnit.SECONDS)
                        .until(this::proxyBudget, Objects::nonNull);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        // The disruption controller counts the pods the budget covers.
        Awaitility.await()
                .atMost(120, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(
                        () -> proxyBudget().getStatus(),
                        status ->
                                status != null
                                        && Integer.valueOf(2).equals(status.getExpectedPods()));
        // What an autoscaler reads back through /scale: the pods the Deployment has, and which.
        Awaitility.await()
                .atMost(120, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(
                        () ->
                                kubectl.run(
                                                "-n",
                                                "apps",
                                                "get",
                                                "--raw",
                                                "/apis/realmgate.io/v1alpha1/namespaces/apps/forwardproxies/egress/scale")
                                        .orFail()
                                        .out(),
                        scale ->
                                scale.contains(
                                        "\"status\":{\"replicas\":2,\"selector\":"
                                                + "\"app.kubernetes.io/instance=egress,"
                                                + "app.kubernetes.io/name=realmgate-proxy\"}"));
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        "apps",
                        "wait",
                        "--for=condition=Ready",
                        "forwardproxy/egress",
                        "--timeout=2m")
                .orFail();
    }

    private PodDisruptionBudget proxyBudget() {
        return client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace("apps")
                .withName("egress-proxy")
                .get();
    }

    private boolean tcpFromApps(String host, int port) {
        ClientPods.Outcome run =
                pods.shellAfter(
                        host + ":" + port,
                        "apps",
                        "edge-check",
                        "nc -w 2 "
                                + host
                                + " "
                                + port
                                + " </dev/null && echo tcp=open || echo tcp=closed",
                        Duration.ofMinutes(1));
        return run.log().contains("tcp=open");
    }

    // ---- helpers ----

    /**
     * Waits until the egress proxy has exactly {@code replicas} pods, all of them ready and none
     * terminating.
     */
    private void awaitProxyPods(int replicas) {
        Awaitility.await()
                .atMost(120, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(
                        () -> {
                            List<Pod> running =
                                    client
                                            .pods()
                                            .inNamespace("apps")
                                            .withLabel("app.kubernetes.io/instance", "egress")
                                            .list()
                                            .getItems()
                                            .stream()
                                            .filter(
                                                    p ->
                                                            p.getMetadata().getDeletionTimestamp()
                                                                    == null)
                                            .filter(
                                                    p ->
                                                            p.getStatus().getContainerStatuses()
                                                                            != null
                                                                    && p
                                                                            .getStatus()
                                                                            .getContainerStatuses()
                                                                            .stream()
                                                                            .allMatch(
                                                                                    c ->
                                                                                            Boolean
                                                                                                    .TRUE
                                                                                                    .equals(
                                                                                                            c
                                                                                                                    .getReady())))
                                            .toList();
                            int all =
                                    client.pods()
                                            .inNamespace("apps")
                                            .withLabel("app.kubernetes.io/instance", "egress")
                                            .list()
                                            .getItems()
                                            .size();
                            return running.size() == replicas && all == replicas;
                        });
    }

    private void startSubscriber(String name, String channel, int expect, boolean reconnect) {
        pods.start(
                "trading",
                name,
                ClientPods.REALM_IMAGE,
                ClientPods.javaCommand(
                        List.of(
                                "--url",
                                "wss://prices-realm.apps.svc:9443/realm",
                                "--proxy",
                                "egress-proxy.apps.svc:3128",
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                channel,
                                "--expect",
                                String.valueOf(expect),
                                "--timeout",
                                "150s",
                                "--reconnect",
                                String.valueOf(reconnect))),
                ClientPods.mounts("prices-realm-ca"),
                Map.of());
        Awaitility.await()
                .atMost(90, TimeUnit.SECONDS)
                .pollInterval(500, TimeUnit.MILLISECONDS)
                .until(() -> pods.log("trading", name), l -> l.contains("subscribed channel="));
    }

    private void startPublisher(String name, String channel, int count, String interval) {
        pods.start(
                "apps",
                name,
                ClientPods.REALM_IMAGE,
                ClientPods.javaCommand(
                        List.of(
                                "--url",
                                "wss://prices-realm.apps.svc:9443/realm",
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                channel,
                                "--subscribe",
                                "false",
                                "--publish",
                                String.valueOf(count),
                                "--interval",
                                interval,
                                "--timeout",
                                "150s",
                                "--reconnect",
                                "true")),
                ClientPods.mounts("prices-realm-ca"),
                Map.of());
    }

    private List<Long> finishedSubscriber(String name) {
        ClientPods.Outcome outcome = pods.await("trading", name, Duration.ofMinutes(3));
        assertThat(outcome.exit()).as(outcome.log()).isZero();
        // Until it had everything ("done"), the connection never dropped; the client's own close
        // comes after.
        assertThat(outcome.log().substring(0, outcome.log().indexOf("done events=")))
                .doesNotContain("disconnected");
        return ReferenceScenarioOnClusterTest.eventIds(outcome.log());
    }

    private static long firstOf(List<Long> ids) {
        return ids.isEmpty() ? 1 : ids.get(0);
    }

    private static List<Long> range(long first, int count) {
        List<Long> ids = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            ids.add(first + i);
        }
        return ids;
    }

    /** What a CONNECT from trading gets from the proxy: the status code of its answer. */
    private int connectStatus(String target) {
        ClientPods.Outcome run =
                pods.shellAfter(
                        "egress-proxy.apps.svc:3128",
                        "trading",
                        "connect-" + System.nanoTime() % 100000,
                        "printf 'CONNECT "
                                + target
                                + " HTTP/1.1\\r\\nHost: "
                                + target
                                + "\\r\\n\\r\\n' | nc -w 10 egress-proxy.apps.svc 3128",
                        Duration.ofMinutes(1));
        Matcher m = Pattern.compile("HTTP/1.1 (\\d{3})").matcher(run.log());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Pod name to uid and restart count, for the pods of one Realm or ForwardProxy. */
    private Map<String, String> podIdentities(String instance) {
        return client
                .pods()
                .inNamespace("apps")
                .withLabel("app.kubernetes.io/instance", instance)
                .list()
                .getItems()
                .stream()
                .collect(
                        Collectors.toMap(
                                p -> p.getMetadata().getName(),
                                p ->
                                        p.getMetadata().getUid()
                                                + " restarts="
                                                + p.getStatus().getContainerStatuses().stream()
                                                        .mapToInt(c -> c.getRestartCount())
                                                        .sum(),
                                (a, b) -> a,
                                TreeMap::new));
    }

    /**
     * The resourceVersion of every child in "apps" and of the two resources: what a reconcile would
     * change.
     */
    private Map<String, String> childVersions() {
        Map<String, String> versions = new TreeMap<>();
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.apps().deployments().inNamespace("apps").list().getItems());
        all.addAll(client.services().inNamespace("apps").list().getItems());
        all.addAll(client.configMaps().inNamespace("apps").list().getItems());
        all.addAll(client.secrets().inNamespace("apps").list().getItems());
        all.addAll(client.network().networkPolicies().inNamespace("apps").list().getItems());
        for (HasMetadata o : all) {
            versions.put(
                    o.getKind() + "/" + o.getMetadata().getName(),
                    o.getMetadata().getResourceVersion());
        }
        for (String r : List.of("realm/prices", "forwardproxy/egress")) {
            versions.put(
                    r,
                    kubectl.run(
                                    "-n",
                                    "apps",
                                    "get",
                                    r,
                                    "-o",
                                    "jsonpath={.metadata.resourceVersion}")
                            .orFail()
                            .out());
        }
        return versions;
    }

    /**
     * The proxy pod whose metrics count an open tunnel (read through the API server's pod proxy).
     */
    private String proxyPodWithOpenTunnel() {
        for (Pod p :
                client.pods()
                        .inNamespace("apps")
                        .withLabel("app.kubernetes.io/instance", "egress")
                        .list()
                        .getItems()) {
            Kubectl.Result metrics =
                    kubectl.run(
                            "get",
                            "--raw",
                            "/api/v1/namespaces/apps/pods/"
                                    + p.getMetadata().getName()
                                    + ":9090/proxy/metrics");
            for (String line : metrics.out().split("\n")) {
                if (line.startsWith("realmgate_proxy_tunnels_active ")
                        && !line.trim().endsWith(" 0.0")
                        && !line.trim().endsWith(" 0")) {
                    return p.getMetadata().getName();
                }
            }
        }
        return null;
    }

    /** The certificate the realm serves on 9443 now, read through a port-forward to its pod. */
    private X509Certificate servedCertificate() throws Exception {
        return ServedCertificates.read(
                client, kubectl, tmp, "apps", "prices", "prices-realm.apps.svc");
    }
}
