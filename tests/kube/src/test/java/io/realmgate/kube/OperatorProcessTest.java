package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code java -jar operator/target/realmgate-operator.jar} as a real process against the real API
 * server, configured only through a kubeconfig file ($KUBECONFIG) and flags: its admin endpoint
 * answers /healthz, /readyz and /metrics (JOSDK's metrics and the CA expiry), it holds the Lease,
 * it created the CA, and SIGTERM stops it within a bound.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(180)
class OperatorProcessTest {
    private static final String OPERATOR_NS = "operator-process";
    private static final String WATCHED_NS = "operator-process-apps";
    private static final Pattern ADMIN =
            Pattern.compile("Admin endpoint on http://127\\.0\\.0\\.1:([0-9]+) ");

    private static KubeApi api;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void cluster(KubeApi shared) {
        api = shared;
        OperatorHarness.installCrds(api.client());
        OperatorHarness.ensureNamespace(api.client(), OPERATOR_NS);
        OperatorHarness.ensureNamespace(api.client(), WATCHED_NS);
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static Path operatorJar() {
        Path jar =
                Path.of(
                        System.getProperty(
                                "realmgate.operator.jar",
                                "../../operator/target/realmgate-operator.jar"));
        assertThat(jar).as("the operator jar; build it with ./mvnw -pl operator package").exists();
        return jar;
    }

    private Process operator(Path log, String... flags) throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx192m",
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1",
                                "-jar",
                                operatorJar().toString()));
        command.addAll(List.of(flags));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only the kubeconfig written for this API server: no ~/.kube/config, no in-cluster
        // variables.
        builder.environment().put("KUBECONFIG", api.kubeconfig().toString());
        builder.environment().put("HOME", log.getParent().toString());
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().remove("POD_NAMESPACE");
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static Path logFile(String name) throws IOException {
        Path dir =
                Path.of(System.getProperty("realmgate.kube.workDir", "target/kube-api-test"))
                        .resolve("operator-process");
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        Files.deleteIfExists(log);
        return log;
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private HttpResponse<String> get(int port, String path)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void runsAsAProcessWithAdminEndpointLeaseAndGracefulStop() throws Exception {
        Path log = logFile("operator");
        Process process =
                operator(
                        log,
                        "--namespaces",
                        WATCHED_NS,
                        "--operator-namespace",
                        OPERATOR_NS,
                        "--admin",
                        "127.0.0.1:0");

        int port =
                await("admin endpoint in the log")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .failFast("the operator exited:\n" + read(log), () -> !process.isAlive())
                        .until(
                                () -> {
                                    Matcher m = ADMIN.matcher(read(log));
                                    return m.find() ? Integer.parseInt(m.group(1)) : null;
                                },
                                p -> p != null);

        HttpResponse<String> health = get(port, "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        await("ready")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .failFast("the operator exited:\n" + read(log), () -> !process.isAlive())
                .until(() -> get(port, "/readyz").statusCode() == 200);
        // Alone, it takes the Lease and leads.
        await("leading")
                .atMost(Duration.ofSeconds(60))
                .until(() -> get(port, "/readyz").body(), body -> body.equals("ok (leader)\n"));

        KubernetesClient client = api.client();
        Lease lease = client.leases().inNamespace(OPERATOR_NS).withName("realmgate-operator").get();
        assertThat(lease).as("the Lease in the leader-election namespace").isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();

        // A custom resource to reconcile, so JOSDK's reconciliation counters appear.
        client.resource(
                        RealmgateResources.parse(
                                client,
                                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: metered, namespace: operator-process-apps}
        spec: {}
        """))
                .serverSideApply();

        String metrics =
                await("JOSDK metrics")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(
                                () -> get(port, "/metrics").body(),
                                body ->
                                        body.contains(
                                                "operator_sdk_reconciliations_success_total"));
        Files.writeString(log.resolveSibling("metrics.txt"), metrics); // for reading after the run
        assertThat(get(port, "/metrics").headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics).contains("# TYPE realmgate_ca_expiry_timestamp_seconds gauge");
        Matcher expiry =
                Pattern.compile("(?m)^realmgate_ca_expiry_timestamp_seconds ([0-9.E+]+)$")
                        .matcher(metrics);
        assertThat(expiry.find()).as(metrics).isTrue();
        Instant caExpiry = Instant.ofEpochSecond((long) Double.parseDouble(expiry.group(1)));
        // The default CA lifetime is ten years.
        assertThat(caExpiry)
                .isBetween(
                        Instant.now().plus(Duration.ofDays(3649)),
                        Instant.now().plus(Duration.ofDays(3651)));
        assertThat(client.secrets().inNamespace(OPERATOR_NS).withName("realmgate-ca").get())
                .isNotNull();
        assertThat(metrics).contains("jvm_memory_used_bytes");

        assertThat(get(port, "/nowhere").statusCode()).isEqualTo(404);
        assertThat(
                        http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + port
                                                                        + "/healthz"))
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                .isEqualTo(405);

        // SIGTERM: a graceful stop within the bound (the JVM's exit status after SIGTERM is 128 +
        // 15).
        long stopping = System.nanoTime();
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS))
                .as("stopped within 30 s:\n%s", read(log))
                .isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(read(log)).contains("Stopping").contains("Stopped");
        System.out.printf(
                "operator stopped %d ms after SIGTERM%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
    }

    @Test
    void aBadFlagIsOneLineNamingItAndExitStatus2() throws Exception {
        Path log = logFile("bad-flag");
        Process process = operator(log, "--renew-before", "soon");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(read(log))
                .isEqualTo(
                        "realmgate-operator: --renew-before: \"soon\" is not a duration "
                                + "(such as 500ms, 30s, 5m, 12h, 90d or PT1H) (see --help)\n");
    }
}
