package io.realmgate.kube;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.TargetSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A benchmark, not a timing assertion: 200 Realms and 200 ForwardProxies (each proxy allowing one
 * realm) are applied at once, and the run measures how long the operator takes until every one has
 * all its children and a status, and how much heap the operator holds then. The only bound is a
 * generous liveness limit. Results are logged and written to target/operator-scale.txt
 * (docs/benchmarks.md quotes them).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(900)
class OperatorScaleBenchmarkTest {
    private static final Logger log = LoggerFactory.getLogger(OperatorScaleBenchmarkTest.class);
    private static final String NS = "scale";
    private static final int COUNT = Integer.getInteger("realmgate.scale.count", 200);

    @Test
    void twoHundredRealmsAndTwoHundredProxiesReachTheirChildren(KubeApi api) throws Exception {
        KubernetesClient client = api.client();
        OperatorHarness.installCrds(client);
        OperatorHarness.ensureNamespace(client, NS);
        // kube-api-test starts the API server with a /24 Service range (254 addresses, and its flag
        // comes last, so
        // it cannot be overridden); 400 Services need more. A second ServiceCIDR widens the range,
        // as an
        // administrator would on a real cluster.
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
        if (added.exitCode() != 0) {
            throw new IllegalStateException("cannot add a ServiceCIDR: " + added);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = settledHeap(memory);
        try (OperatorHarness operator =
                OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS))) {
            long start = System.nanoTime();
            for (int i = 0; i < COUNT; i++) {
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
            long applied = System.nanoTime();
            String managed = Names.LABEL_MANAGED_BY + "=" + Names.MANAGED_BY;
            await().atMost(Duration.ofMinutes(12))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(
                            () ->
                                    client.apps()
                                                            .deployments()
                                                            .inNamespace(NS)
                                                            .withLabel(
                                                                    Names.LABEL_MANAGED_BY,
                                                                    Names.MANAGED_BY)
                                                            .list()
                                                            .getItems()
                                                            .size()
                                                    == 2 * COUNT
                                            && client.services()
                                                            .inNamespace(NS)
                                                            .withLabel(
                                                                    Names.LABEL_MANAGED_BY,
                                                                    Names.MANAGED_BY)
                                                            .list()
                                                            .getItems()
                                                            .size()
                                                    == 2 * COUNT
                                            && client.network()
                                                            .v1()
                                                            .networkPolicies()
                                                            .inNamespace(NS)
                                                            .withLabel(
                                                                    Names.LABEL_MANAGED_BY,
                                                                    Names.MANAGED_BY)
                                                            .list()
                                                            .getItems()
                                                            .size()
                                                    == 2 * COUNT
                                            && client.secrets()
                                                            .inNamespace(NS)
                                                            .withLabel(
                                                                    Names.LABEL_MANAGED_BY,
                                                                    Names.MANAGED_BY)
                                                            .list()
                                                            .getItems()
                                                            .size()
                                                    == COUNT
                                            && client
                                                    .resources(Realm.class)
                                                    .inNamespace(NS)
                                                    .list()
                                                    .getItems()
                                                    .stream()
                                                    .allMatch(
                                                            r ->
                                                                    r.getStatus() != null
                                                                            && r.getStatus()
                                                                                            .observedGeneration
                                                                                    != null)
                                            // One realm target each: a rule per name of the realm's
                                            // Service.
                                            && client
                                                    .resources(ForwardProxy.class)
                                                    .inNamespace(NS)
                                                    .list()
                                                    .getItems()
                                                    .stream()
                                                    .allMatch(
                                                            p ->
                                                                    p.getStatus() != null
                                                                            && p.getStatus()
                                                                                            .observedGeneration
                                                                                    != null
                                                                            && p.getStatus().targets
                                                                                    != null
                                                                            && p.getStatus()
                                                                                            .targets
                                                                                            .size()
                                                                                    == 3));
            long settled = System.nanoTime();
            long heapAfter = settledHeap(memory);
            String report =
                    String.format(
                            Locale.ROOT,
                            "operator scale: %d Realms + %d ForwardProxies (managed: %s)%n"
                                    + "  applied in %.1f s; all children and statuses present %.1f s after the first apply%n"
                                    + "  heap after GC: %.1f MiB before the operator started, %.1f MiB with everything reconciled"
                                    + " (+%.1f MiB, %.1f KiB per custom resource; this JVM also holds the test's client)%n",
                            COUNT,
                            COUNT,
                            managed,
                            (applied - start) / 1e9,
                            (settled - start) / 1e9,
                            heapBefore / 1048576.0,
                            heapAfter / 1048576.0,
                            (heapAfter - heapBefore) / 1048576.0,
                            (heapAfter - heapBefore) / 1024.0 / (2 * COUNT));
            log.info(report);
            Files.writeString(Path.of("target", "operator-scale.txt"), report);
        }
    }

    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
