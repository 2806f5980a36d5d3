package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.client.OperatorClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A benchmark with one correctness assertion. {@value #DEFAULT_COUNT} Realms and as many
 * ForwardProxies (each proxy allowing one realm; {@code -Drealmgate.scale.count=N} for another
 * count) are applied in three steps (a quarter, a half, all), with the operator running in this
 * JVM. After each step the run waits until every resource has all its children and a status, and
 * measures the time and the heap after GC; the heaps give a slope (KiB per custom resource, a
 * least-squares fit), which shows whether the operator's memory grows linearly. The API requests
 * the operator sent are counted by the API server itself ({@code apiserver_request_total} before
 * and after, less the requests of the test's own client, which it tallies).
 *
 * <p>Then the operator is stopped and started again on the same API server: a full resync, every
 * resource reconciled once more from fresh caches. The assertion: that resync writes nothing, by
 * the API server's count (no create, update, patch, apply or delete of the custom resources, their
 * status or their children), and every status, lastTransitionTime included, is what it was. The
 * operator's heap per custom resource is held to the bound ({@link #HEAP_BOUND_KIB} KiB,
 * fixed costs included); timings are never asserted, beyond a liveness bound. Results are logged
 * and written to target/operator-scale.txt (docs/benchmarks.md quotes them).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(1800)
class OperatorScaleBenchmarkTest {
    private static final Logger log = LoggerFactory.getLogger(OperatorScaleBenchmarkTest.class);
    private static final String NS = "scale";
    private static final int DEFAULT_COUNT = 200;
    private static final int COUNT = Integer.getInteger("realmgate.scale.count", DEFAULT_COUNT);

    /** Issue 18: the operator's heap stays under 100 KiB per custom resource. */
    private static final double HEAP_BOUND_KIB = 100;

    /** The resources the operator reads and writes: the custom resources and their children. */
    private static final Set<String> OPERATOR_RESOURCES =
            Set.of(
                    "realms",
                    "forwardproxies",
                    "deployments",
                    "services",
                    "configmaps",
                    "secrets",
                    "networkpolicies",
                    "poddisruptionbudgets",
                    "events");

    /** How long without a reconcile counts as the end of the resync. */
    private static final Duration QUIET = Duration.ofSeconds(5);

    @Test
    void realmsAndProxiesReachTheirChildrenAndAResyncWritesNothing(KubeApi api) throws Exception {
        KubernetesClient admin = api.client();
        OperatorHarness.installCrds(admin);
        OperatorHarness.ensureNamespace(admin, NS);
        widenServiceRange(api);
        List<Integer> steps =
                IntStream.of(COUNT / 4, COUNT / 2, COUNT)
                        .filter(n -> n > 0)
                        .distinct()
                        .boxed()
                        .toList();

        ClientRequestTally own = new ClientRequestTally();
        ClientRequestTally operatorOwn = new ClientRequestTally();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        StringBuilder report = new StringBuilder();
        report.append(
                String.format(
                        Locale.ROOT,
                        "operator scale: %d Realms + %d ForwardProxies in %d steps %s (managed: %s=%s)%n",
                        COUNT,
                        COUNT,
                        steps.size(),
                        steps,
                        Names.LABEL_MANAGED_BY,
                        Names.MANAGED_BY));
        try (KubernetesClient client =
                        api.newClient(
                                new KubernetesClientBuilder()
                                        .withHttpClientBuilderConsumer(
                                                b -> b.addOrReplaceInterceptor("tally", own)));
                KubernetesClient operatorClient =
                        api.newClient(
                                OperatorClient.builder()
                                        .withHttpClientBuilderConsumer(
                                                b ->
                                                        b.addOrReplaceInterceptor(
                                                                "tally", operatorOwn)))) {
            long heapBefore = settledHeap(memory);
            ApiRequests serverBefore = ApiRequests.scrape(admin);
            ApiRequests ownBefore = own.snapshot();
            ApiRequests operatorBefore = operatorOwn.snapshot();
            List<double[]> heapPoints = new ArrayList<>();
            long heapStarted;
            long start;
            long settledAt;
            ReconcileCounter firstRun = new ReconcileCounter();
            try (OperatorHarness operator =
                    OperatorHarness.start(
                            operatorClient,
                            OperatorHarness.testSettings(),
                            Set.of(NS),
                            o -> o.withMetrics(firstRun))) {
                long heapEmpty = settledHeap(memory);
                heapStarted = heapEmpty;
                report.append(
                        String.format(
                                Locale.ROOT,
                                "  heap after GC: %.1f MiB before the operator started, %.1f MiB with the operator started"
                                        + " (this JVM also holds the test's clients)%n",
                                mib(heapBefore),
                                mib(heapEmpty)));
                start = System.nanoTime();
                int applied = 0;
                for (int pairs : steps) {
                    long stepStart = System.nanoTime();
                    for (; applied < pairs; applied++) {
                        applyPair(client, applied);
                    }
                    long appliedAt = System.nanoTime();
                    awaitSettled(client, pairs);
                    long stepSettled = System.nanoTime();
                    long heap = settledHeap(memory);
                    heapPoints.add(new double[] {2.0 * pairs, heap});
                    report.append(
                            String.format(
                                    Locale.ROOT,
                                    "  %4d pairs: step applied in %.1f s, all children and statuses %.1f s after its first"
                                            + " apply (%.1f ms per custom resource); heap %.1f MiB (+%.1f MiB since"
                                            + " started, %.1f KiB per custom resource)%n",
                                    pairs,
                                    seconds(appliedAt - stepStart),
                                    seconds(stepSettled - stepStart),
                                    (stepSettled - stepStart)
                                            / 1e6
                                            / (2.0 * (pairs - previous(steps, pairs))),
                                    mib(heap),
                                    mib(heap - heapEmpty),
                                    (heap - heapEmpty) / 1024.0 / (2.0 * pairs)));
                }
                settledAt = System.nanoTime();
                // Every child and status exists, but a realm is reconciled once more when the
                // proxy naming it appears (its NetworkPolicy admits that proxy's pods, its status
                // says it is referenced), and that reconcile may still be queued. Stopping the
                // operator before it ran would leave work for the resync, which then writes.
                await().atMost(Duration.ofMinutes(5))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> firstRun.quietFor(QUIET));
                writeHistogramIfAsked();
            }
            ApiRequests operatorRequests =
                    ApiRequests.scrape(admin)
                            .minus(serverBefore)
                            .minus(own.snapshot().minus(ownBefore))
                            .onResources(OPERATOR_RESOURCES);
            double slope = slopeKib(heapPoints);
            double largest = heapPoints.get(heapPoints.size() - 1)[1];
            double perResource = (largest - heapStarted) / 1024.0 / (2 * COUNT);
            report.append(
                    String.format(
                            Locale.ROOT,
                            "  all %d custom resources: %.1f s from the first apply to the last status (time of the"
                                    + " steps, heap measurements between them included)%n"
                                    + "  heap: %.1f KiB per custom resource more from step to step (least-squares slope over"
                                    + " the %d steps); %.1f KiB per custom resource at %d since the operator started"
                                    + " (its fixed costs of the first reconciles included)%n",
                            2 * COUNT,
                            seconds(settledAt - start),
                            slope,
                            heapPoints.size(),
                            perResource,
                            2 * COUNT));
            report.append(
                    requestTable(
                            "API requests to the custom resources and their children",
                            operatorRequests,
                            operatorOwn
                                    .snapshot()
                                    .minus(operatorBefore)
                                    .onResources(OPERATOR_RESOURCES)));

            Map<String, String> statusesBefore = statuses(client);
            ApiRequests resync = resync(operatorClient, admin, own, operatorOwn, report);
            Map<String, String> statusesAfter = statuses(client);

            String text = report.toString();
            log.info(text);
            Files.writeString(Path.of("target", "operator-scale.txt"), text);

            assertThat(resync.writes().total())
                    .as(
                            "writes by the operator during a resync of %d unchanged resources: %s",
                            2 * COUNT, resync.writes().counts())
                    .isZero();
            assertThat(statusesAfter)
                    .as("statuses (lastTransitionTime included) after the resync")
                    .isEqualTo(statusesBefore);
            // Issue 18's bound, on the conservative figure (fixed costs spread over the
            // resources); measured about 70 at the CI count (docs/benchmarks.md). Below that count
            // the fixed costs alone come near it, so a smaller run only reports.
            if (COUNT >= DEFAULT_COUNT) {
                assertThat(perResource)
                        .as("the operator's heap per custom resource, KiB, with %d", 2 * COUNT)
                        .isLessThan(HEAP_BOUND_KIB);
            }
        }
    }

    /**
     * Stops the operator and starts a new one on the same API server: every resource is reconciled
     * once more from fresh caches. Returns the requests the new operator sent until it has
     * reconciled them all and been quiet for {@link #QUIET}.
     */
    private static ApiRequests resync(
            KubernetesClient operatorClient,
            KubernetesClient admin,
            ClientRequestTally own,
            ClientRequestTally operatorOwn,
            StringBuilder report) {
        ReconcileCounter reconciles = new ReconcileCounter();
        ApiRequests serverBefore = ApiRequests.scrape(admin);
        ApiRequests ownBefore = own.snapshot();
        ApiRequests operatorBefore = operatorOwn.snapshot();
        long start = System.nanoTime();
        try (OperatorHarness operator =
                OperatorHarness.start(
                        operatorClient,
                        OperatorHarness.testSettings(),
                        Set.of(NS),
                        o -> o.withMetrics(reconciles))) {
            await().atMost(Duration.ofMinutes(15))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () ->
                                    reconciles.reconciled() >= 2 * COUNT
                                            && reconciles.quietFor(QUIET));
        }
        long done = System.nanoTime();
        ApiRequests requests =
                ApiRequests.scrape(admin)
                        .minus(serverBefore)
                        .minus(own.snapshot().minus(ownBefore))
                        .onResources(OPERATOR_RESOURCES);
        report.append(
                String.format(
                        Locale.ROOT,
                        "  resync (operator restarted): %d resources reconciled (%d reconciles, %d failed) in %.1f s"
                                + " (%.1f s of it the final quiet wait); writes: %d%n",
                        reconciles.reconciled(),
                        reconciles.finished.get(),
                        reconciles.failed.get(),
                        seconds(done - start),
                        QUIET.toMillis() / 1000.0,
                        requests.writes().total()));
        report.append(
                requestTable(
                        "API requests of the resync",
                        requests,
                        operatorOwn
                                .snapshot()
                                .minus(operatorBefore)
                                .onResources(OPERATOR_RESOURCES)));
        return requests;
    }

    /**
     * The API server's count (the test's own requests taken out) by verb and by resource, and
     * beside each resource the operator client's own tally of it: the difference is what others
     * sent (here kube-controller-manager's garbage collector).
     */
    private static String requestTable(
            String title, ApiRequests requests, ApiRequests operatorTally) {
        StringBuilder table = new StringBuilder();
        int resources = 2 * COUNT;
        table.append(
                String.format(
                        Locale.ROOT,
                        "  %s (the API server's count, the test's own taken out): %d, %.2f per custom"
                                + " resource; the operator's client counted %d of them%n",
                        title,
                        requests.total(),
                        requests.total() / (double) resources,
                        operatorTally.total()));
        requests.byVerb()
                .forEach(
                        (verb, n) ->
                                table.append(
                                        String.format(
                                                Locale.ROOT,
                                                "    %-6s %6d  %6.2f per custom resource%n",
                                                verb,
                                                n,
                                                n / (double) resources)));
        requests.counts()
                .forEach(
                        (key, n) ->
                                table.append(
                                        String.format(
                                                Locale.ROOT,
                                                "      %-36s %6d  %6.2f  (operator's client: %d)%n",
                                                key,
                                                n,
                                                n / (double) resources,
                                                operatorTally.counts().getOrDefault(key, 0L))));
        return table.toString();
    }

    private static void applyPair(KubernetesClient client, int i) {
        String name = String.format(Locale.ROOT, "r%03d", i);
        Realm realm = new Realm();
        realm.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        client.resource(realm)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        ForwardProxy proxy = new ForwardProxy();
        proxy.setMetadata(
                new ObjectMetaBuilder()
                        .withName(String.format(Locale.ROOT, "p%03d", i))
                        .withNamespace(NS)
                        .build());
        TargetSpec target = new TargetSpec();
        target.realm = name;
        proxy.getSpec().allowConnect = List.of(target);
        client.resource(proxy)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    /** Until the first {@code pairs} pairs have every child and a status. */
    private static void awaitSettled(KubernetesClient client, int pairs) {
        await().atMost(Duration.ofMinutes(15))
                .pollInterval(Duration.ofSeconds(2))
                .until(
                        () ->
                                managed(client, "deployments") == 2 * pairs
                                        && managed(client, "services") == 2 * pairs
                                        && managed(client, "networkpolicies") == 2 * pairs
                                        && managed(client, "secrets") == pairs
                                        && client
                                                        .resources(Realm.class)
                                                        .inNamespace(NS)
                                                        .list()
                                                        .getItems()
                                                        .stream()
                                                        .filter(
                                                                r ->
                                                                        r.getStatus() != null
                                                                                && r.getStatus()
                                                                                                .observedGeneration
                                                                                        != null)
                                                        .count()
                                                == pairs
                                        // One realm target each: a rule per name of the realm's
                                        // Service.
                                        && client
                                                        .resources(ForwardProxy.class)
                                                        .inNamespace(NS)
                                                        .list()
                                                        .getItems()
                                                        .stream()
                                                        .filter(
                                                                p ->
                                                                        p.getStatus() != null
                                                                                && p.getStatus()
                                                                                                .observedGeneration
                                                                                        != null
                                                                                && p.getStatus()
                                                                                                .targets
                                                                                        != null
                                                                                && p.getStatus()
                                                                                                .targets
                                                                                                .size()
                                                                                        == 3)
                                                        .count()
                                                == pairs);
    }

    private static int managed(KubernetesClient client, String kind) {
        var selector = Map.of(Names.LABEL_MANAGED_BY, Names.MANAGED_BY);
        return switch (kind) {
            case "deployments" ->
                    client.apps()
                            .deployments()
                            .inNamespace(NS)
                            .withLabels(selector)
                            .list()
                            .getItems()
                            .size();
            case "services" ->
                    client.services().inNamespace(NS).withLabels(selector).list().getItems().size();
            case "networkpolicies" ->
                    client.network()
                            .v1()
                            .networkPolicies()
                            .inNamespace(NS)
                            .withLabels(selector)
                            .list()
                            .getItems()
                            .size();
            case "secrets" ->
                    client.secrets().inNamespace(NS).withLabels(selector).list().getItems().size();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Every custom resource's status as JSON, by kind and name. */
    private static Map<String, String> statuses(KubernetesClient client) {
        Map<String, String> statuses = new TreeMap<>();
        for (Realm realm : client.resources(Realm.class).inNamespace(NS).list().getItems()) {
            statuses.put(key(realm), client.getKubernetesSerialization().asJson(realm.getStatus()));
        }
        for (ForwardProxy proxy :
                client.resources(ForwardProxy.class).inNamespace(NS).list().getItems()) {
            statuses.put(key(proxy), client.getKubernetesSerialization().asJson(proxy.getStatus()));
        }
        assertThat(statuses).hasSize(2 * COUNT);
        return statuses;
    }

    private static String key(HasMetadata resource) {
        return resource.getKind() + "/" + resource.getMetadata().getName();
    }

    /**
     * kube-api-test starts the API server with a /24 Service range (254 addresses, and its flag
     * comes last, so it cannot be overridden); the realms and proxies need more Services. A second
     * ServiceCIDR widens the range, as an administrator would on a real cluster.
     */
    private static void widenServiceRange(KubeApi api) throws Exception {
        Path serviceCidr =
                Files.writeString(
                        Files.createTempFile("service-cidr", ".yaml"),
                        "apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: realmgate-scale\n"
                                + "spec:\n  cidrs: [\"10.96.0.0/16\"]\n");
        KubeApi.Kubectl added =
                api.kubectl(
                        "apply",
                        "--server-side",
                        "--field-manager=" + OperatorHarness.FIELD_MANAGER,
                        "-f",
                        serviceCidr.toString());
        Files.deleteIfExists(serviceCidr);
        if (added.exitCode() != 0) {
            throw new IllegalStateException("cannot add a ServiceCIDR: " + added);
        }
    }

    private static int previous(List<Integer> steps, int pairs) {
        int i = steps.indexOf(pairs);
        return i == 0 ? 0 : steps.get(i - 1);
    }

    /** The least-squares slope of heap bytes over custom resources, in KiB per resource. */
    static double slopeKib(List<double[]> points) {
        double n = points.size();
        double meanX = points.stream().mapToDouble(p -> p[0]).sum() / n;
        double meanY = points.stream().mapToDouble(p -> p[1]).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - meanX) * (p[1] - meanY);
            sxx += (p[0] - meanX) * (p[0] - meanX);
        }
        return sxy / sxx / 1024.0;
    }

    /**
     * With {@code -Drealmgate.scale.histogram=true}, the heap's class histogram with everything
     * reconciled (the JVM's own diagnostic command, after a full GC), to see what the operator's
     * memory is made of: target/operator-scale-histogram.txt.
     */
    private static void writeHistogramIfAsked() throws Exception {
        if (!Boolean.getBoolean("realmgate.scale.histogram")) {
            return;
        }
        Object histogram =
                ManagementFactory.getPlatformMBeanServer()
                        .invoke(
                                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                "gcClassHistogram",
                                new Object[] {new String[0]},
                                new String[] {String[].class.getName()});
        Files.writeString(
                Path.of("target", "operator-scale-histogram.txt"), String.valueOf(histogram));
    }

    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /**
     * JOSDK's metrics hook, counting reconciles: which resources were reconciled, how many
     * reconciles ran and failed, and when the last one started or ended.
     */
    private static final class ReconcileCounter implements Metrics {
        private final Set<String> resources = ConcurrentHashMap.newKeySet();
        private final AtomicLong running = new AtomicLong();
        private final AtomicLong finished = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private volatile long lastActivity = System.nanoTime();

        @Override
        public void reconciliationExecutionStarted(
                HasMetadata resource, Map<String, Object> metadata) {
            running.incrementAndGet();
            lastActivity = System.nanoTime();
        }

        @Override
        public void reconciliationExecutionFinished(
                HasMetadata resource, Map<String, Object> metadata) {
            running.decrementAndGet();
            lastActivity = System.nanoTime();
        }

        @Override
        public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            finished.incrementAndGet();
            resources.add(key(resource));
        }

        @Override
        public void failedReconciliation(
                HasMetadata resource, Exception exception, Map<String, Object> metadata) {
            failed.incrementAndGet();
        }

        int reconciled() {
            return resources.size();
        }

        boolean quietFor(Duration quiet) {
            return running.get() == 0 && System.nanoTime() - lastActivity >= quiet.toNanos();
        }
    }
}
