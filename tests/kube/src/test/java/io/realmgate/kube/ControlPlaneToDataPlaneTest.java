package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfigDocument;
import io.realmgate.realm.config.RealmConfigFiles;
import io.realmgate.tests.peers.ProxyClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control plane to data plane without a kubelet: the operator renders the reference scenario; the
 * proxy's ConfigMap, the realm's TLS Secret and the CA-bundle ConfigMap, read back from the API
 * server, are written to files the way the Deployments mount them, and the real proxy and realm
 * start from them as processes, the realm with the args and the JAVA_TOOL_OPTIONS of its
 * Deployment, the proxy with its Deployment's environment (JVM options and warm-up) (only addresses
 * and paths changed for this machine). A wss client that trusts only that CA bundle reaches the
 * realm through the proxy by the Service's short DNS name, {@code prices-realm.<ns>.svc}, the one
 * the Realm's status gives (mapped to loopback in a hosts file, standing in for cluster DNS), and a
 * target the ForwardProxy does not allow is refused.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(300)
class ControlPlaneToDataPlaneTest {
    private static final String NS = "dataplane";
    private static OperatorHarness operator;
    private static KubernetesClient client;
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start(KubeApi api) {
        client = api.client();
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        OperatorHarness.ensureNamespace(client, NS);
    }

    @AfterAll
    static void stop() {
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void aWssClientTrustingOnlyTheCaBundleReachesTheRealmThroughTheProxy(@TempDir Path dir)
            throws Exception {
        int wssPort = freePort();
        int wsPort = freePort();
        Realm realm = new Realm();
        realm.setMetadata(new ObjectMetaBuilder().withName("prices").withNamespace(NS).build());
        realm.getSpec().webSocket.port = wsPort;
        realm.getSpec().secureWebSocket.port = wssPort;
        // A page of another origin may use the realm; the realm must accept the limit flags the
        // operator renders.
        realm.getSpec().allowedOrigins = List.of("https://app.example.com");
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.headerTimeout = "5s";
        realm.getSpec().limits.replayRate = 20_000;
        client.resource(realm)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();

        ForwardProxy proxy = new ForwardProxy();
        proxy.setMetadata(new ObjectMetaBuilder().withName("egress").withNamespace(NS).build());
        TargetSpec target = new TargetSpec();
        target.realm = "prices";
        target.ports = List.of(wssPort);
        proxy.getSpec().allowConnect = List.of(target);
        client.resource(proxy)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();

        // What the Deployments would mount, as the API server stores it.
        Secret tls =
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        client.secrets()
                                                .inNamespace(NS)
                                                .withName("prices-realm-tls")
                                                .get(),
                                s -> s != null);
        ConfigMap ca =
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        client.configMaps()
                                                .inNamespace(NS)
                                                .withName("prices-realm-ca")
                                                .get(),
                                c ->
                                        c != null
                                                && c.getData() != null
                                                && c.getData().get("ca.crt") != null);
        ConfigMap proxyConfig =
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        client.configMaps()
                                                .inNamespace(NS)
                                                .withName("egress-proxy-config")
                                                .get(),
                                c ->
                                        c != null
                                                && c.getData() != null
                                                && c.getData().get("proxy.yaml") != null
                                                && c.getData()
                                                        .get("proxy.yaml")
                                                        .contains(":" + wssPort));
        Path tlsDir = Files.createDirectories(dir.resolve("tls"));
        Path cert =
                Files.write(
                        tlsDir.resolve("tls.crt"),
                        Base64.getDecoder().decode(tls.getData().get("tls.crt")));
        Path key =
                Files.write(
                        tlsDir.resolve("tls.key"),
                        Base64.getDecoder().decode(tls.getData().get("tls.key")));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path caBundle = Files.writeString(dir.resolve("ca.crt"), ca.getData().get("ca.crt"));
        Path proxyYaml =
                Files.writeString(
                        dir.resolve("proxy.yaml"), proxyConfig.getData().get("proxy.yaml"));

        // Cluster DNS stand-in: the realm Service's name, as the Realm's status gives it, resolves
        // to loopback, for the
        // proxy only.
        Realm withStatus =
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        client.resources(Realm.class)
                                                .inNamespace(NS)
                                                .withName("prices")
                                                .get(),
                                r ->
                                        r.getStatus() != null
                                                && r.getStatus().endpoints != null
                                                && r.getStatus().endpoints.secureWebSocket != null);
        String realmHost = URI.create(withStatus.getStatus().endpoints.secureWebSocket).getHost();
        assertThat(realmHost).isEqualTo(Names.serviceHostShort("prices-realm", NS));
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + realmHost + "\n");

        // The realm as its Deployment runs it: its rendered config (retention sized for the pod,
        // the spec's limits, the admin listener) and its JVM options; only where it binds and where
        // the files are differ here (flags beside --config override the file's keys; the files'
        // paths are replaced in the file).
        Container realmContainer =
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        client.apps()
                                                .deployments()
                                                .inNamespace(NS)
                                                .withName("prices-realm")
                                                .get(),
                                d -> d != null)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        assertThat(realmContainer.getArgs())
                .containsExactly("--config", "/etc/realmgate/config/realm.yaml");
        String rendered =
                client.configMaps()
                        .inNamespace(NS)
                        .withName("prices-realm-config")
                        .get()
                        .getData()
                        .get("realm.yaml");
        RealmConfigDocument realmDoc = RealmConfigFiles.parse(rendered, "realm.yaml").document();
        assertThat(realmDoc.listeners.wsPort).isEqualTo(String.valueOf(wsPort));
        assertThat(realmDoc.listeners.wssPort).isEqualTo(String.valueOf(wssPort));
        // spec.limits and spec.allowedOrigins as written; the total sized for the default 512Mi
        // pod, the per-client caps raised for the ForwardProxy's pods (at most that total, never
        // below the realm's per-client default).
        assertThat(realmDoc.limits.maxConnections).isEqualTo(384);
        assertThat(realmDoc.limits.maxConnectionsPerClient).isEqualTo(1000);
        assertThat(realmDoc.limits.headerTimeout).isEqualTo("5s");
        assertThat(realmDoc.limits.replayRate).isEqualTo(20000);
        assertThat(realmDoc.limits.maxStreamsPerClient).isEqualTo(5000);
        assertThat(realmDoc.limits.maxPollsPerClient).isEqualTo(5000);
        assertThat(realmDoc.allowedOrigins).containsExactly("https://app.example.com");
        // The file names the mounted certificate files, which the realm checks as it reads them.
        Path realmYaml =
                Files.writeString(
                        dir.resolve("realm.yaml"),
                        rendered.replace("/etc/realmgate/tls/tls.crt", cert.toString())
                                .replace("/etc/realmgate/tls/tls.key", key.toString()));
        int adminPort = freePort();
        List<String> realmArgs =
                List.of(
                        "--config",
                        realmYaml.toString(),
                        "--bind",
                        "127.0.0.1",
                        "--admin",
                        "127.0.0.1:" + adminPort);
        Map<String, String> realmEnv = new HashMap<>();
        realmContainer.getEnv().forEach(e -> realmEnv.put(e.getName(), e.getValue()));
        assertThat(realmEnv).containsKey("JAVA_TOOL_OPTIONS");
        start(
                dir.resolve("realm.log"),
                "io.realmgate.realm.RealmMain",
                List.of(),
                realmEnv,
                realmArgs.toArray(String[]::new));
        // The proxy with the environment of its Deployment: the JVM options and the warm-up
        // spec.startup gives it (by default C1 only and 4000 tunnels before it listens).
        Map<String, String> proxyEnv = new HashMap<>();
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () ->
                                client.apps()
                                        .deployments()
                                        .inNamespace(NS)
                                        .withName("egress-proxy")
                                        .get(),
                        d -> d != null)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .forEach(e -> proxyEnv.put(e.getName(), e.getValue()));
        assertThat(proxyEnv)
                .containsEntry("REALMGATE_PROXY_WARM_UP", "4000")
                .hasEntrySatisfying(
                        "JAVA_TOOL_OPTIONS",
                        options -> assertThat(options).endsWith(" -XX:TieredStopAtLevel=1"));
        // The test class path's logging shows warnings only; the proxy's start line is INFO.
        Path proxyLogging =
                Files.writeString(
                        dir.resolve("proxy-logback.xml"),
                        """
                        <configuration>
                          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                            <encoder><pattern>%level %logger - %msg%n</pattern></encoder>
                          </appender>
                          <root level="INFO"><appender-ref ref="OUT"/></root>
                        </configuration>
                        """);
        int proxyPort = freePort();
        // The rendered file listens on [::] and admits the pod network; here the flags (which
        // override the
        // file) keep it on loopback and admit loopback clients. Targets come from the file alone.
        start(
                dir.resolve("proxy.log"),
                "io.realmgate.proxy.ProxyMain",
                List.of(
                        "-Djdk.net.hosts.file=" + hosts,
                        "-Dlogback.configurationFile=" + proxyLogging),
                proxyEnv,
                "--config",
                proxyYaml.toString(),
                "--listen",
                "127.0.0.1:" + proxyPort,
                "--allow-client",
                "127.0.0.1/32",
                "--admin",
                "127.0.0.1:0");
        awaitListening(wssPort);
        awaitListening(proxyPort);

        try (RealmClient realmClient =
                RealmClient.builder("wss://" + realmHost + ":" + wssPort + "/realm")
                        .proxy(new InetSocketAddress("127.0.0.1", proxyPort))
                        .trustPem(caBundle)
                        .noReconnect()
                        .connectTimeout(Duration.ofSeconds(10))
                        .build()) {
            realmClient.connect().get(20, TimeUnit.SECONDS);
            CompletableFuture<String> received = new CompletableFuture<>();
            realmClient
                    .subscribe("quotes", e -> received.complete(e.data()))
                    .get(10, TimeUnit.SECONDS);
            realmClient.publish("quotes", "{\"px\":101.5}").get(10, TimeUnit.SECONDS);
            assertThat(received.get(10, TimeUnit.SECONDS)).contains("101.5");
        }
        // The JVM took the Deployment's options, and the realm answers on its admin listener
        // (probes, scrapers).
        assertThat(Files.readString(dir.resolve("realm.log")))
                .contains("Picked up JAVA_TOOL_OPTIONS: -Xmx204m");
        String proxyLog = Files.readString(dir.resolve("proxy.log"));
        assertThat(proxyLog)
                .contains("Picked up JAVA_TOOL_OPTIONS: " + proxyEnv.get("JAVA_TOOL_OPTIONS"))
                .contains("warmed up with 4000 loopback tunnel(s)")
                .doesNotContain("warm-up stopped");
        HttpResponse<String> metrics =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + adminPort
                                                                + "/metrics"))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("realmgate_realm_events_published_total 1");

        // spec.allowedOrigins reached the running realm: a page of the listed origin may publish,
        // another is refused.
        HttpClient http = HttpClient.newHttpClient();
        assertThat(publishFrom(http, wsPort, "https://app.example.com").statusCode())
                .isEqualTo(200);
        HttpResponse<String> foreign = publishFrom(http, wsPort, "https://elsewhere.example.com");
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);

        // The ws port is not in the ForwardProxy's allowConnect, and neither is anything else.
        try (Socket s =
                ProxyClient.open(new InetSocketAddress("127.0.0.1", proxyPort), null, 10_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, realmHost + ":" + wsPort);
            assertThat(head.status()).as(head.statusLine()).isEqualTo(403);
        }
        try (Socket s =
                ProxyClient.open(new InetSocketAddress("127.0.0.1", proxyPort), null, 10_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + wssPort);
            assertThat(head.status()).as(head.statusLine()).isEqualTo(403);
        }
    }

    /**
     * {@code POST /publish} straight to the realm's ws listener, as a browser page of {@code
     * origin} sends it.
     */
    private static HttpResponse<String> publishFrom(HttpClient http, int wsPort, String origin)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wsPort + "/publish"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Origin", origin)
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"channel\":\"quotes\",\"data\":{\"px\":102}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void start(
            Path log,
            String mainClass,
            List<String> jvmFlags,
            Map<String, String> env,
            String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        processes.add(builder.start());
    }

    /** Up to the pods' startup probe's 60 s: the proxy warms up before it listens. */
    private static void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> {
                            try (Socket s = new Socket("127.0.0.1", port)) {
                                return true;
                            } catch (IOException e) {
                                return false;
                            }
                        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
