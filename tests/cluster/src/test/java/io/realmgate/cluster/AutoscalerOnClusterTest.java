package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HorizontalPodAutoscaler on a ForwardProxy, on the real node with its metrics-server (built by
 * provision.sh, started by up.sh): the resource metrics API shows the proxy pods, and
 * examples/proxy-autoscaler.yaml, applied as it is, raises the reference scenario's proxy above its
 * two pods under load through the proxy; the operator rolls the new pod out. Afterwards the proxy
 * is put back to two pods without the autoscaler, as the next classes expect.
 */
@Order(7)
class AutoscalerOnClusterTest extends ClusterSteps {
    private static final Logger log = LoggerFactory.getLogger(AutoscalerOnClusterTest.class);
    static final ResourceDefinitionContext PROXIES =
            new ResourceDefinitionContext.Builder()
                    .withGroup("realmgate.io")
                    .withVersion("v1alpha1")
                    .withKind("ForwardProxy")
                    .withPlural("forwardproxies")
                    .withNamespaced(true)
                    .build();
    private static final String EXAMPLE = "examples/proxy-autoscaler.yaml";
    private static final String LOAD_POD = "proxy-load";

    @Test
    @Order(1)
    void theResourceMetricsApiShowsTheProxyPods() {
        // metrics-server has its first two samples of a pod after two resolutions (10 s each).
        String top =
                Awaitility.await("kubectl top of the egress pods")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(5))
                        .until(
                                () ->
                                        kubectl.run(
                                                "-n",
                                                "apps",
                                                "top",
                                                "pod",
                                                "-l",
                                                "app.kubernetes.io/instance=egress",
                                                "--no-headers"),
                                r -> r.exit() == 0 && r.out().lines().count() == 2)
                        .out();
        log.info("kubectl top of the egress pods:\n{}", top);
        assertThat(top).contains("egress-proxy-").containsPattern("\\d+m\\s+\\d+Mi");
    }

    @Test
    @Order(2)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theExampleAutoscalerAddsAProxyPodUnderLoad() {
        kubectl.run("apply", "-f", EXAMPLE).orFail();
        // The autoscaler reads the pods' CPU through the ForwardProxy's /scale selector.
        HorizontalPodAutoscaler measuring =
                Awaitility.await("the autoscaler's first CPU reading")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(this::autoscaler, h -> cpuUtilization(h) != null);
        log.info(
                "autoscaler before the load: cpu {}% of the request, {} replicas",
                cpuUtilization(measuring), measuring.getStatus().getCurrentReplicas());
        assertThat(measuring.getStatus().getCurrentReplicas()).isEqualTo(2);

        // Load: one Node process in trading opening tunnels through the proxy's Service, 16 at a
        // time, for at most four minutes (deleted as soon as the autoscaler has acted).
        pods.copyScript(
                "trading",
                "proxy-probe",
                cluster.repo.resolve("tests/cluster/src/test/resources/node/proxy-probe.js"));
        pods.start(
                "trading",
                LOAD_POD,
                ClientPods.NODE,
                List.of(
                        "node",
                        "/scripts/proxy-probe.js",
                        "rate",
                        "egress-proxy.apps.svc:3128",
                        "prices-realm.apps.svc:9000",
                        "240",
                        "16"),
                Map.of("proxy-probe", "/scripts"),
                Map.of());
        long loadStarted = System.nanoTime();
        int raised =
                Awaitility.await("the autoscaler raising spec.replicas of forwardproxy/egress")
                        .atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofSeconds(3))
                        .until(this::specReplicas, r -> r > 2);
        HorizontalPodAutoscaler scaled = autoscaler();
        log.info(
                "autoscaler raised forwardproxy/egress to {} replicas {} s after the load started"
                        + " (cpu {}% of the request)",
                raised, (System.nanoTime() - loadStarted) / 1_000_000_000L, cpuUtilization(scaled));
        // The operator follows: the Deployment has that many ready pods, the status says so.
        Awaitility.await("egress-proxy with " + raised + " ready pods")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(
                        () ->
                                client.apps()
                                        .deployments()
                                        .inNamespace("apps")
                                        .withName("egress-proxy")
                                        .get(),
                        d ->
                                d.getSpec().getReplicas() == raised
                                        && d.getStatus() != null
                                        && Integer.valueOf(raised)
                                                .equals(d.getStatus().getReadyReplicas()));
        Awaitility.await("status.replicas of forwardproxy/egress")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> statusReplicas() == raised);
        String load = pods.log("trading", LOAD_POD);
        pods.delete("trading", LOAD_POD);
        // The load was real tunnels (a proxy refusing everything would use CPU too).
        assertThat(load).containsPattern("\"tunnels\":[1-9]");
    }

    @AfterAll
    void putTheProxyBackToTwoPods() {
        pods.delete("trading", LOAD_POD);
        kubectl.run("delete", "-f", EXAMPLE, "--ignore-not-found");
        kubectl.run("delete", "configmap", "-n", "trading", "proxy-probe", "--ignore-not-found");
        kubectl.run("-n", "apps", "scale", "forwardproxy/egress", "--replicas=2").orFail();
        Awaitility.await("egress-proxy back at two ready pods")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(
                        () ->
                                client.apps()
                                        .deployments()
                                        .inNamespace("apps")
                                        .withName("egress-proxy")
                                        .get(),
                        d ->
                                d.getSpec().getReplicas() == 2
                                        && d.getStatus() != null
                                        && Integer.valueOf(2).equals(d.getStatus().getReplicas())
                                        && Integer.valueOf(2)
                                                .equals(d.getStatus().getReadyReplicas()));
    }

    private HorizontalPodAutoscaler autoscaler() {
        return client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace("apps")
                .withName("egress")
                .get();
    }

    /** The autoscaler's last CPU reading in percent of the request, null before its first. */
    private static Integer cpuUtilization(HorizontalPodAutoscaler hpa) {
        if (hpa == null || hpa.getStatus() == null || hpa.getStatus().getCurrentMetrics() == null) {
            return null;
        }
        return hpa.getStatus().getCurrentMetrics().stream()
                .map(MetricStatus::getResource)
                .filter(r -> r != null && "cpu".equals(r.getName()) && r.getCurrent() != null)
                .map(r -> r.getCurrent().getAverageUtilization())
                .filter(u -> u != null)
                .findFirst()
                .orElse(null);
    }

    private GenericKubernetesResource proxy() {
        return client.genericKubernetesResources(PROXIES)
                .inNamespace("apps")
                .withName("egress")
                .get();
    }

    private int specReplicas() {
        return ((Number)
                        ((Map<?, ?>) proxy().getAdditionalProperties().get("spec")).get("replicas"))
                .intValue();
    }

    private int statusReplicas() {
        Object status = proxy().getAdditionalProperties().get("status");
        Object replicas = status == null ? null : ((Map<?, ?>) status).get("replicas");
        return replicas == null ? -1 : ((Number) replicas).intValue();
    }
}
