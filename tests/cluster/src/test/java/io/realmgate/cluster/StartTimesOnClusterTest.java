package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a user waits, measured on the real node and logged as one {@code cluster timing:} line
 * each (the numbers go to docs/benchmarks.md; nothing here asserts a speed, only that the tunnels
 * and events come):
 *
 * <ol>
 *   <li>from a ForwardProxy's creation to the first tunnel it serves, seen by a client pod in
 *       trading that retries CONNECT through the proxy's Service every 100 ms;
 *   <li>from a Realm's creation to the first event a subscriber gets through that proxy over wss
 *       (the client retries the whole round trip every 250 ms: CONNECT, TLS, upgrade, subscribe,
 *       publish, event);
 *   <li>after {@code kubectl rollout restart} of the proxy's Deployment, the tunnels set up per
 *       second through the Service in the new pod's first five seconds and thirty seconds later.
 * </ol>
 *
 * The client pods are running before anything is created, so their own start is not counted.
 */
@Order(8)
class StartTimesOnClusterTest extends ClusterSteps {
    private static final Logger log = LoggerFactory.getLogger(StartTimesOnClusterTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROXY = "clock";
    private static final String PROXY_ADDRESS = "clock-proxy.apps.svc:3128";
    private static final String REALM = "tick";

    @BeforeAll
    void probeScript() {
        pods.copyScript(
                "trading",
                "proxy-probe",
                cluster.repo.resolve("tests/cluster/src/test/resources/node/proxy-probe.js"));
    }

    @Test
    @Order(1)
    void fromAForwardProxysCreationToItsFirstTunnel() {
        startProbe(
                "first-tunnel",
                List.of("first-tunnel", PROXY_ADDRESS, "prices-realm.apps.svc:9443", "240"));
        long created = create(proxyManifest());
        JsonNode result = awaitProbe("first-tunnel", Duration.ofMinutes(5));
        long millis = result.get("firstTunnelAt").asLong() - created;
        log.info(
                "cluster timing: ForwardProxy creation to first tunnel: {} ms ({} CONNECT attempts)",
                millis,
                result.get("attempts").asInt());
        assertThat(millis).isPositive();
    }

    @Test
    @Order(2)
    void fromARealmsCreationToItsFirstEventThroughTheProxy() {
        // The proxy above allows the realm by name before it exists (not a rule until it does).
        startProbe(
                "first-event",
                List.of(
                        "first-event",
                        PROXY_ADDRESS,
                        REALM + "-realm.apps.svc",
                        "9443",
                        ClientPods.CA_DIR + "/ca.crt",
                        "first",
                        "240"));
        long created = create(realmManifest());
        JsonNode result = awaitProbe("first-event", Duration.ofMinutes(5));
        long millis = result.get("firstEventAt").asLong() - created;
        log.info(
                "cluster timing: Realm creation to first wss event through the proxy: {} ms (the"
                        + " proxy's first tunnel to it after {} ms; {} attempts)",
                millis,
                result.get("firstTunnelAt").asLong() - created,
                result.get("attempts").asInt());
        assertThat(millis).isPositive();
    }

    @Test
    @Order(3)
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aProxyPodStartedByARolloutServesTunnelsFromItsFirstSeconds() {
        Set<String> before = proxyPods();
        // 8 tunnels at a time through the Service for 100 s: the old pod, then the new one.
        startProbe(
                "rollout-rate",
                List.of("rate", PROXY_ADDRESS, "prices-realm.apps.svc:9000", "100", "8"));
        sleep(Duration.ofSeconds(5));
        kubectl.run("-n", "apps", "rollout", "restart", "deployment/" + PROXY + "-proxy").orFail();
        // The moment the Service switches: the new pod is ready and the old one is on its way out.
        long switched =
                Awaitility.await("the new clock-proxy pod ready, the old one leaving")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> {
                                    List<Pod> all = proxyPodList();
                                    boolean newReady =
                                            all.stream()
                                                    .anyMatch(
                                                            p ->
                                                                    !before.contains(
                                                                                    p.getMetadata()
                                                                                            .getName())
                                                                            && ready(p));
                                    boolean oldLeaving =
                                            all.stream()
                                                    .filter(
                                                            p ->
                                                                    before.contains(
                                                                            p.getMetadata()
                                                                                    .getName()))
                                                    .allMatch(
                                                            p ->
                                                                    p.getMetadata()
                                                                                    .getDeletionTimestamp()
                                                                            != null);
                                    return newReady && oldLeaving ? System.currentTimeMillis() : 0L;
                                },
                                t -> t > 0);
        JsonNode[] seconds = awaitRate("rollout-rate", Duration.ofMinutes(3));
        double first = ratePerSecond(seconds, switched, switched + 5_000);
        double later = ratePerSecond(seconds, switched + 30_000, switched + 35_000);
        double old = ratePerSecond(seconds, switched - 10_000, switched - 5_000);
        log.info(
                "cluster timing: proxy pod started by a rollout: {} tunnels/s in its first 5 s, {}"
                        + " tunnels/s 30-35 s later ({} tunnels/s through the old pod before; 8"
                        + " concurrent CONNECTs)",
                Math.round(first),
                Math.round(later),
                Math.round(old));
        log.info(
                "tunnels per second through clock-proxy, from 10 s before the switch to the new"
                        + " pod: {}",
                series(seconds, switched - 10_000));
        assertThat(first).as("tunnels in the new pod's first 5 s").isPositive();
        assertThat(later).as("tunnels 30 s later").isPositive();
    }

    @AfterAll
    void removeWhatWasCreated() {
        for (String probe : List.of("first-tunnel", "first-event", "rollout-rate")) {
            pods.delete("trading", "probe-" + probe);
        }
        kubectl.run("-n", "apps", "delete", "forwardproxy", PROXY, "--ignore-not-found");
        kubectl.run("-n", "apps", "delete", "realm", REALM, "--ignore-not-found");
        kubectl.run("delete", "configmap", "-n", "trading", "proxy-probe", "--ignore-not-found");
    }

    private static String proxyManifest() {
        return String.join(
                "\n",
                "apiVersion: realmgate.io/v1alpha1",
                "kind: ForwardProxy",
                "metadata: {name: " + PROXY + ", namespace: apps}",
                "spec:",
                "  replicas: 1",
                "  port: 3128",
                "  allowConnect:",
                "    - {realm: prices, ports: [9000, 9443]}",
                "    - {realm: " + REALM + ", ports: [9443]}",
                "  clients:",
                "    namespaceSelector:",
                "      matchLabels: {kubernetes.io/metadata.name: trading}");
    }

    private static String realmManifest() {
        return String.join(
                "\n",
                "apiVersion: realmgate.io/v1alpha1",
                "kind: Realm",
                "metadata: {name: " + REALM + ", namespace: apps}",
                "spec:",
                "  replicas: 1",
                "  secureWebSocket: {enabled: true, port: 9443}");
    }

    /** Creates the object; returns the wall-clock time just before the request. */
    private long create(String manifest) {
        GenericKubernetesResource object =
                Serialization.unmarshal(manifest, GenericKubernetesResource.class);
        long before = System.currentTimeMillis();
        client.resource(object).create();
        return before;
    }

    /**
     * Starts the probe in trading (the CA bundle every realm of the operator's CA is trusted with
     * mounted) and waits until it runs.
     */
    private void startProbe(String name, List<String> args) {
        List<String> command = new ArrayList<>(List.of("node", "/scripts/proxy-probe.js"));
        command.addAll(args);
        pods.start(
                "trading",
                "probe-" + name,
                ClientPods.NODE,
                command,
                Map.of("proxy-probe", "/scripts", "prices-realm-ca", ClientPods.CA_DIR),
                Map.of());
        client.pods()
                .inNamespace("trading")
                .withName("probe-" + name)
                .waitUntilCondition(
                        p ->
                                p != null
                                        && p.getStatus() != null
                                        && "Running".equals(p.getStatus().getPhase()),
                        2,
                        TimeUnit.MINUTES);
    }

    /** The probe's one JSON line, once it ended; fails with its log unless it exited 0. */
    private JsonNode awaitProbe(String name, Duration timeout) {
        ClientPods.Outcome run = pods.await("trading", "probe-" + name, timeout);
        assertThat(run.exit()).as(run.log()).isZero();
        try {
            return JSON.readTree(run.log().strip().lines().reduce((a, b) -> b).orElseThrow());
        } catch (java.io.IOException e) {
            throw new AssertionError("probe " + name + " printed no JSON: " + run.log(), e);
        }
    }

    /** The rate probe's per-second lines. */
    private JsonNode[] awaitRate(String name, Duration timeout) {
        ClientPods.Outcome run = pods.await("trading", "probe-" + name, timeout);
        assertThat(run.exit()).as(run.log()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.log().strip().split("\n")) {
            try {
                lines.add(JSON.readTree(line));
            } catch (java.io.IOException e) {
                throw new AssertionError("probe " + name + " printed no JSON: " + line, e);
            }
        }
        return lines.toArray(JsonNode[]::new);
    }

    /**
     * Tunnels per second in the seconds that ended in (from, to]: each line counts the second
     * before its {@code at}.
     */
    private static double ratePerSecond(JsonNode[] seconds, long from, long to) {
        long tunnels = 0;
        int counted = 0;
        for (JsonNode s : seconds) {
            long at = s.get("at").asLong();
            if (at > from && at <= to) {
                tunnels += s.get("tunnels").asLong();
                counted++;
            }
        }
        return counted == 0 ? 0 : (double) tunnels / counted;
    }

    /** The per-second counts from {@code from} on, each as "+S:N" (S seconds after the switch). */
    private static String series(JsonNode[] seconds, long from) {
        StringBuilder line = new StringBuilder();
        for (JsonNode s : seconds) {
            long at = s.get("at").asLong();
            if (at > from) {
                long offset = Math.floorDiv(at - from - 10_000, 1000);
                line.append(offset >= 0 ? "+" : "")
                        .append(offset)
                        .append(':')
                        .append(s.get("tunnels").asLong())
                        .append(
                                s.get("failures").asLong() > 0
                                        ? "(" + s.get("failures") + " failed)"
                                        : "")
                        .append(' ');
            }
        }
        return line.toString().strip();
    }

    private List<Pod> proxyPodList() {
        return client.pods()
                .inNamespace("apps")
                .withLabel("app.kubernetes.io/instance", PROXY)
                .list()
                .getItems();
    }

    private Set<String> proxyPods() {
        return proxyPodList().stream()
                .map(p -> p.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null
                && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
