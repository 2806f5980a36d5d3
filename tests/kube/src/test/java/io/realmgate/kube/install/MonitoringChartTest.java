package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.kube.monitoring.ExposedMetrics;
import io.realmgate.kube.monitoring.Promtool;
import io.realmgate.proxy.ProxyMain;
import io.realmgate.tests.peers.ClassPathProcess;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's monitoring objects against the real API server: with the monitoring values on and no
 * Prometheus Operator CRDs, {@code helm install} succeeds and creates none; with the Prometheus
 * Operator's own CRDs installed (tests/kube/prometheus-operator-crds.sh fetches them), the
 * ServiceMonitor, PodMonitor and PrometheusRule are created and validated by the API server; the
 * PrometheusRule the API server holds passes {@code promtool check rules} and the rule unit tests
 * of alerts-test.yaml, and names only metrics the programs expose. The CRDs are this class's alone:
 * it removes them before and after.
 */
@ExtendWith(KubeApiExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
@SuppressWarnings("unchecked")
class MonitoringChartTest {
    private static final String GROUP = "monitoring.coreos.com";
    private static final List<String> KINDS =
            List.of("servicemonitors", "podmonitors", "prometheusrules");
    private static final String ALL_ON =
            """
            crds: {install: false}
            monitoring:
              labels: {release: kube-prometheus-stack}
              interval: 30s
              serviceMonitor: {enabled: true}
              podMonitor: {enabled: true}
              prometheusRule: {enabled: true}
              grafanaDashboard: {enabled: true}
            """;
    private static KubeApi api;

    @BeforeAll
    static void cluster(KubeApi shared) throws Exception {
        api = shared;
        OperatorHarness.installCrds(api.client());
        removePrometheusOperatorCrds();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (api != null) {
            removePrometheusOperatorCrds();
        }
    }

    @Test
    @Order(1)
    void withoutThePrometheusOperatorsCrdsTheInstallSucceedsAndCreatesNoMonitoringObject() {
        assertThat(servesMonitoringGroup()).isFalse();
        Release release = Chart.install(api.kubeconfig(), "monabsent", "monitoring-absent", ALL_ON);
        assertThat(release.getStatus()).isEqualTo("deployed");
        assertThat(release.getOutput())
                .contains(
                        "Not created, because the cluster serves no such kind (the Prometheus"
                                + " Operator's CRDs are missing): PodMonitor, PrometheusRule,"
                                + " ServiceMonitor.");
        // The release is there (the dashboard's ConfigMap needs no CRD), the monitoring kinds are
        // not.
        assertThat(
                        api.client()
                                .configMaps()
                                .inNamespace("monitoring-absent")
                                .withName("monabsent-realmgate-dashboard")
                                .get())
                .isNotNull();
        assertThat(servesMonitoringGroup()).isFalse();
        // helm template knows no cluster: without --api-versions it leaves them out too.
        assertThat(Chart.template("monabsent", "monitoring-absent", ALL_ON))
                .doesNotContain("kind: ServiceMonitor")
                .doesNotContain("kind: PodMonitor")
                .doesNotContain("kind: PrometheusRule")
                .contains("grafana_dashboard: \"1\"");
    }

    @Test
    @Order(2)
    void withTheCrdsTheyAreCreatedAndTheApiServerValidatesThem() throws Exception {
        installPrometheusOperatorCrds();
        Release release =
                Chart.install(api.kubeconfig(), "monpresent", "monitoring-present", ALL_ON);
        assertThat(release.getStatus()).isEqualTo("deployed");
        assertThat(release.getOutput()).doesNotContain("Not created");

        GenericKubernetesResource serviceMonitor =
                monitoring("ServiceMonitor")
                        .inNamespace("monitoring-present")
                        .withName("monpresent-realmgate-operator")
                        .get();
        assertThat(serviceMonitor).as("ServiceMonitor").isNotNull();
        assertThat(serviceMonitor.getMetadata().getLabels())
                .containsEntry("release", "kube-prometheus-stack");
        // It selects the operator's metrics Service, on its port.
        Service metrics =
                api.client()
                        .services()
                        .inNamespace("monitoring-present")
                        .withName("monpresent-realmgate-operator-metrics")
                        .get();
        Map<String, String> selector = nested(serviceMonitor, "spec", "selector", "matchLabels");
        assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(metrics.getSpec().getPorts()).anyMatch(p -> p.getName().equals("metrics"));
        List<Map<String, Object>> endpoints = nested(serviceMonitor, "spec", "endpoints");
        assertThat(endpoints.get(0))
                .containsEntry("port", "metrics")
                .containsEntry("interval", "30s");

        GenericKubernetesResource podMonitor =
                monitoring("PodMonitor")
                        .inNamespace("monitoring-present")
                        .withName("monpresent-realmgate-workloads")
                        .get();
        assertThat(podMonitor).as("PodMonitor").isNotNull();
        assertThat((Map<String, Object>) nested(podMonitor, "spec", "namespaceSelector"))
                .containsEntry("any", true);
        List<Map<String, Object>> podEndpoints = nested(podMonitor, "spec", "podMetricsEndpoints");
        assertThat(podEndpoints.get(0))
                .containsEntry("port", "admin")
                .containsEntry("path", "/metrics");
        assertThat(Serialization.asJson(podMonitor.getAdditionalProperties().get("spec")))
                .contains("realmgate-realm", "realmgate-proxy", "realmgate-operator");

        GenericKubernetesResource rule =
                monitoring("PrometheusRule")
                        .inNamespace("monitoring-present")
                        .withName("monpresent-realmgate-alerts")
                        .get();
        assertThat(rule).as("PrometheusRule").isNotNull();
        assertThat(Serialization.asJson(rule.getAdditionalProperties().get("spec")))
                .contains(
                        "RealmgateCaExpiringSoon",
                        "RealmgateCertificateExpiringSoon",
                        "RealmgateProxyRefusalsSpiking",
                        "RealmgateProxyUpstreamFailuresSpiking",
                        "RealmgateRealmSlowConsumerCloses",
                        "RealmgateOperatorReconcileErrors");

        // The API server checks these objects against the CRDs' schemas: a malformed one is
        // refused.
        GenericKubernetesResource broken = Serialization.clone(rule);
        broken.getMetadata().setName("broken-alerts");
        broken.getMetadata().setResourceVersion(null);
        broken.getMetadata().setUid(null);
        broken.getMetadata().setManagedFields(null);
        List<Map<String, Object>> groups = nested(broken, "spec", "groups");
        ((List<Map<String, Object>>) groups.get(0).get("rules")).get(0).put("for", "a while");
        KubernetesClientException refused =
                catchThrowableOfType(
                        () ->
                                monitoring("PrometheusRule")
                                        .inNamespace("monitoring-present")
                                        .resource(broken)
                                        .create(),
                        KubernetesClientException.class);
        assertThat(refused).isNotNull();
        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getMessage()).contains("for");
    }

    @Test
    @Order(3)
    void theRulesTheApiServerHoldsPassPromtoolAndTheirUnitTests() throws Exception {
        Promtool promtool = Promtool.require();
        installPrometheusOperatorCrds();
        Release release = Chart.install(api.kubeconfig(), "monrules", "monitoring-rules", ALL_ON);
        assertThat(release.getStatus()).isEqualTo("deployed");
        GenericKubernetesResource rule =
                monitoring("PrometheusRule")
                        .inNamespace("monitoring-rules")
                        .withName("monrules-realmgate-alerts")
                        .get();
        // The PrometheusRule's spec is a Prometheus rule file: {groups: [...]}.
        Path dir = Repo.scratch("promtool");
        Files.writeString(
                dir.resolve("realmgate-alerts.yaml"),
                Serialization.asYaml(rule.getAdditionalProperties().get("spec")));
        try (InputStream tests =
                Objects.requireNonNull(
                        MonitoringChartTest.class.getResourceAsStream(
                                "/io/realmgate/kube/monitoring/alerts-test.yaml"))) {
            Files.write(dir.resolve("alerts-test.yaml"), tests.readAllBytes());
        }

        Promtool.Result check = promtool.run(dir, "check", "rules", "realmgate-alerts.yaml");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 6 rules found");
        Promtool.Result unitTests = promtool.run(dir, "test", "rules", "alerts-test.yaml");
        assertThat(unitTests.exitCode()).as(unitTests.output()).isZero();
        assertThat(unitTests.output()).contains("SUCCESS");

        // Every metric the alerts read is one the programs expose.
        List<String> named = new ArrayList<>();
        Matcher m =
                Pattern.compile("\\b((?:realmgate|operator_sdk)_[a-z0-9_]+)\\b")
                        .matcher(Files.readString(dir.resolve("realmgate-alerts.yaml")));
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).hasSizeGreaterThanOrEqualTo(7);
        assertThat(ExposedMetrics.names(Repo.scratch("exposed-metrics"))).containsAll(named);
    }

    private static MixedOperation<
                    GenericKubernetesResource,
                    GenericKubernetesResourceList,
                    Resource<GenericKubernetesResource>>
            monitoring(String kind) {
        return api.client().genericKubernetesResources(GROUP + "/v1", kind);
    }

    @SuppressWarnings("unchecked")
    private static <T> T nested(GenericKubernetesResource resource, String... path) {
        Object node = resource.getAdditionalProperties();
        for (String key : path) {
            node = ((Map<String, Object>) node).get(key);
        }
        return (T) node;
    }

    private static boolean servesMonitoringGroup() {
        return api.client().getApiGroups().getGroups().stream()
                .anyMatch(g -> g.getName().equals(GROUP));
    }

    /**
     * The Prometheus Operator's CRDs, as fetched by tests/kube/prometheus-operator-crds.sh; skipped
     * with the command to run when absent, failed under CI (.ci/run fetches them).
     */
    private static void installPrometheusOperatorCrds() throws Exception {
        Path dir = prometheusOperatorCrdDir();
        KubernetesClient client = api.client();
        for (String kind : KINDS) {
            Path file = dir.resolve(GROUP + "_" + kind + ".yaml");
            CustomResourceDefinition crd;
            try (InputStream in = Files.newInputStream(file)) {
                crd =
                        client.getKubernetesSerialization()
                                .unmarshal(in, CustomResourceDefinition.class);
            }
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .resource(crd)
                    .fieldManager(OperatorHarness.FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .waitUntilCondition(
                            c ->
                                    c != null
                                            && c.getStatus() != null
                                            && c.getStatus().getConditions() != null
                                            && c.getStatus().getConditions().stream()
                                                    .anyMatch(
                                                            cond ->
                                                                    cond.getType()
                                                                                    .equals(
                                                                                            "Established")
                                                                            && cond.getStatus()
                                                                                    .equals(
                                                                                            "True")),
                            60,
                            TimeUnit.SECONDS);
        }
    }

    private static void removePrometheusOperatorCrds() throws Exception {
        KubernetesClient client = api.client();
        for (String kind : KINDS) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(kind + "." + GROUP)
                    .delete();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (servesMonitoringGroup() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(servesMonitoringGroup()).as("monitoring.coreos.com gone").isFalse();
    }

    private static Path prometheusOperatorCrdDir() throws Exception {
        Path script = Repo.root().resolve("tests/kube/prometheus-operator-crds.sh");
        Process p = new ProcessBuilder("bash", script.toString(), "--print-version").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String version =
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String base = System.getenv("REALMGATE_PROMETHEUS_OPERATOR_DIR");
        Path dir =
                (base != null && !base.isBlank()
                                ? Path.of(base)
                                : Path.of(
                                        System.getProperty("user.home"),
                                        ".cache/realmgate/prometheus-operator"))
                        .resolve("v" + version);
        if (!Files.isRegularFile(dir.resolve(GROUP + "_prometheusrules.yaml"))) {
            String message =
                    "no Prometheus Operator CRDs in "
                            + dir
                            + "; run tests/kube/prometheus-operator-crds.sh";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " (CI=true: .ci/run should have fetched them)");
            }
            Assumptions.abort(message);
        }
        return dir;
    }

    @Test
    void aMonitoringMistakeIsRefusedNamingWhatIsWrong() {
        assertThat(
                        catchThrowable(
                                () ->
                                        Chart.template(
                                                "montypo",
                                                "monitoring-typo",
                                                "monitoring: {prometheusRule: {spikeFor: ten"
                                                        + " minutes}}\n")))
                .hasMessageContaining("spikeFor");
        assertThat(
                        catchThrowable(
                                () ->
                                        Chart.template(
                                                "montypo",
                                                "monitoring-typo",
                                                "metrics: {service: {enabled: false}}\n"
                                                        + "monitoring: {serviceMonitor: {enabled:"
                                                        + " true}}\n")))
                .hasMessageContaining(
                        "monitoring.serviceMonitor.enabled needs metrics.service.enabled");
    }

    /**
     * The whole way for one alert: Debian's Prometheus on loopback with the rule file the API
     * server holds (a release with a low refusal threshold and a short {@code for}), scraping a
     * real proxy process; a burst of CONNECTs to a target the proxy does not allow, and the alert
     * reaches {@code firing} in Prometheus's HTTP API.
     */
    @Test
    @Order(4)
    void aRealPrometheusFiresTheRefusalAlertOnARealProxysBurstOfRefusedConnects() throws Exception {
        Path prometheusBinary = Promtool.requireProgram("prometheus");
        installPrometheusOperatorCrds();
        Chart.install(
                api.kubeconfig(),
                "monlive",
                "monitoring-live",
                """
                crds: {install: false}
                monitoring:
                  prometheusRule: {enabled: true, proxyRefusalsPerSecond: 0.1, spikeFor: 5s}
                """);
        GenericKubernetesResource rule =
                monitoring("PrometheusRule")
                        .inNamespace("monitoring-live")
                        .withName("monlive-realmgate-alerts")
                        .get();
        Path dir = Repo.scratch("prometheus-live");
        Files.writeString(
                dir.resolve("realmgate-alerts.yaml"),
                Serialization.asYaml(rule.getAdditionalProperties().get("spec")));

        int proxyPort = freePort();
        int adminPort = freePort();
        int prometheusPort = freePort();
        // The labels the chart's PodMonitor would give the proxy's pod.
        Files.writeString(
                dir.resolve("prometheus.yml"),
                """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [realmgate-alerts.yaml]
                scrape_configs:
                  - job_name: proxy
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: apps, resource: edge, component: proxy}
                """
                        .formatted(adminPort));
        Path data = dir.resolve("data");
        deleteTree(data);
        try (ClassPathProcess proxy =
                        ClassPathProcess.start(
                                ProxyMain.class,
                                Map.of(),
                                dir.resolve("proxy.log"),
                                null,
                                "--listen",
                                "127.0.0.1:" + proxyPort,
                                "--admin",
                                "127.0.0.1:" + adminPort,
                                "--allow-connect",
                                "127.0.0.1:1");
                Closeable prometheus =
                        startPrometheus(
                                prometheusBinary,
                                dir,
                                "--config.file=" + dir.resolve("prometheus.yml"),
                                "--storage.tsdb.path=" + data,
                                "--web.listen-address=127.0.0.1:" + prometheusPort)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            // Ready once its admin listener serves /metrics (the test's logging hides its log).
            awaitBody(
                    http,
                    "http://127.0.0.1:" + adminPort + "/metrics",
                    body -> body.contains("# TYPE realmgate_proxy_refusals_total counter"),
                    "the proxy's /metrics");
            String base = "http://127.0.0.1:" + prometheusPort;

            // One refusal first, so the series exists before the burst and its rate sees the rise.
            refusedConnect(proxyPort);
            awaitBody(
                    http,
                    base + "/api/v1/query?query=realmgate_proxy_refusals_total",
                    body -> body.contains("target_not_allowed"),
                    "Prometheus scraped the proxy's refusal");
            for (int i = 0; i < 200; i++) {
                refusedConnect(proxyPort);
            }
            String alerts =
                    awaitBody(
                            http,
                            base + "/api/v1/alerts",
                            body ->
                                    body.contains("RealmgateProxyRefusalsSpiking")
                                            && body.contains("\"state\":\"firing\""),
                            "RealmgateProxyRefusalsSpiking firing");
            assertThat(alerts)
                    .contains("\"reason\":\"target_not_allowed\"")
                    .contains("\"resource\":\"edge\"");
        } finally {
            deleteTree(data);
        }
    }

    /** CONNECT to a port no rule allows: the proxy answers 403 (target_not_allowed). */
    private static void refusedConnect(int proxyPort) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxyPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream()
                    .write(
                            "CONNECT 127.0.0.1:2 HTTP/1.1\r\nHost: 127.0.0.1:2\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int read = socket.getInputStream().readNBytes(head, 0, head.length);
            assertThat(new String(head, 0, read, StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 403");
        }
    }

    private static String awaitBody(
            HttpClient http, String url, Predicate<String> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String body = "";
        while (System.nanoTime() < deadline) {
            try {
                body =
                        http.send(
                                        HttpRequest.newBuilder(URI.create(url))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                if (done.test(body)) {
                    return body;
                }
            } catch (IOException notYet) {
                // Prometheus is still starting.
            }
            Thread.sleep(500);
        }
        throw new AssertionError(what + ": not within 120 s; last answer: " + body);
    }

    private static Closeable startPrometheus(Path binary, Path dir, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("prometheus.log").toFile())
                        .start();
        return () -> {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
