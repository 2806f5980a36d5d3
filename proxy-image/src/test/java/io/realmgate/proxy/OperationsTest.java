package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.proxy.config.CommandLine;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.ProxyClient;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the SRE sees and does: metrics and probes, hot reload, graceful drain. */
@Timeout(60)
class OperationsTest {
    @TempDir Path dir;
    EchoServer a;
    EchoServer b;
    RunningProxy proxy;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        a = EchoServer.plain(0);
        b = EchoServer.plain(0);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        a.close();
        b.close();
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + proxy.server()
                                                        .adminAddress()
                                                        .orElseThrow()
                                                        .getPort()
                                                + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int tunnelStatus(EchoServer target) throws Exception {
        try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            return ProxyClient.connect(s, "127.0.0.1:" + target.port()).status();
        }
    }

    @Test
    void metricsAndProbes() throws Exception {
        proxy =
                RunningProxy.start(
                        "--allow-connect", "127.0.0.1:" + a.port(), "--admin", "127.0.0.1:0");
        try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            assertThat(ProxyClient.connect(s, "127.0.0.1:" + a.port()).status()).isEqualTo(200);
            s.getOutputStream().write(new byte[100]);
            s.getInputStream().readNBytes(100);
            String open = admin("/metrics").body();
            assertThat(open).contains("realmgate_proxy_tunnels_active 1");
        }
        assertThat(tunnelStatus(b)).isEqualTo(403);
        HttpResponse<String> metrics = admin("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type").orElseThrow())
                .startsWith("text/plain; version=0.0.4");
        String body = metrics.body();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!body.contains("realmgate_proxy_tunnels_active 0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            body = admin("/metrics").body();
        }
        assertThat(body)
                .contains(
                        "realmgate_proxy_tunnels_active 0",
                        "realmgate_proxy_tunnels_total 1",
                        "realmgate_proxy_bytes_total{direction=\"up\"} 100",
                        "realmgate_proxy_bytes_total{direction=\"down\"} 100",
                        "realmgate_proxy_refusals_total{reason=\"target_not_allowed\"} 1",
                        "realmgate_proxy_upstream_connect_seconds_count 1",
                        "realmgate_proxy_upstream_connect_seconds_bucket{le=\"+Inf\"} 1");
        assertThat(admin("/healthz").statusCode()).isEqualTo(200);
        assertThat(admin("/readyz").statusCode()).isEqualTo(200);
        assertThat(admin("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void aChangedConfigFileAppliesToNewRequestsAndOpenTunnelsStay() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, "allowConnect: ['127.0.0.1:" + a.port() + "']\n");
        String[] flags = {"--listen", "127.0.0.1:0", "--config", file.toString()};
        proxy = RunningProxy.start("--config", file.toString());
        proxy.server().watchConfig(() -> CommandLine.parse(flags), file);
        try (LogCapture log = LogCapture.of("io.realmgate.proxy.ProxyServer");
                Socket open = ProxyClient.open(proxy.address(), null, 5_000)) {
            assertThat(ProxyClient.connect(open, "127.0.0.1:" + a.port()).status()).isEqualTo(200);
            assertThat(tunnelStatus(b)).isEqualTo(403);

            Files.writeString(file, "allowConnect: ['127.0.0.1:" + b.port() + "']\n");
            awaitStatus(b, 200);
            assertThat(tunnelStatus(a)).as("the old rule is gone for new requests").isEqualTo(403);
            open.getOutputStream().write("still".getBytes(StandardCharsets.US_ASCII));
            assertThat(open.getInputStream().readNBytes(5))
                    .as("the tunnel opened before stays")
                    .isEqualTo("still".getBytes(StandardCharsets.US_ASCII));

            Files.writeString(file, "allowConnect: ['127.0.0.1:" + b.port() + "', 'not a rule']\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.awaitLines(0).stream().noneMatch(l -> l.contains("invalid"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(log.awaitLines(0))
                    .anyMatch(l -> l.contains("invalid") && l.contains("allowConnect[1]"));
            assertThat(tunnelStatus(b))
                    .as("an invalid file keeps the previous config")
                    .isEqualTo(200);
        }
    }

    private void awaitStatus(EchoServer target, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int seen = -1;
        while (seen != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            seen = tunnelStatus(target);
        }
        assertThat(seen).isEqualTo(status);
    }

    @Test
    void drainStopsAcceptingLetsTunnelsFinishThenCloses() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(
                file,
                "allowConnect: ['127.0.0.1:"
                        + a.port()
                        + "']\ntimeouts: {drain: 2s}\nadmin: 127.0.0.1:0\n");
        proxy = RunningProxy.start("--config", file.toString());
        int port = proxy.address().getPort();
        try (Socket tunnel = ProxyClient.open(proxy.address(), null, 10_000)) {
            assertThat(ProxyClient.connect(tunnel, "127.0.0.1:" + a.port()).status())
                    .isEqualTo(200);
            long start = System.nanoTime();
            CompletableFuture<Integer> cut =
                    CompletableFuture.supplyAsync(() -> proxy.server().drain());
            Thread.sleep(300);
            try (Socket late = new Socket("127.0.0.1", port)) {
                throw new AssertionError("a draining proxy accepted a new connection");
            } catch (ConnectException refused) {
                // expected: the listener is closed
            }
            assertThat(admin("/readyz").statusCode()).as("not ready while draining").isEqualTo(503);
            assertThat(admin("/healthz").statusCode()).isEqualTo(200);
            tunnel.getOutputStream().write("during drain".getBytes(StandardCharsets.US_ASCII));
            assertThat(tunnel.getInputStream().readNBytes(12))
                    .isEqualTo("during drain".getBytes(StandardCharsets.US_ASCII));
            assertThat(cut.get(10, TimeUnit.SECONDS))
                    .as("connections cut when the grace period ended")
                    .isEqualTo(1);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1_900);
            assertThat(tunnel.getInputStream().read())
                    .as("closed after the grace period")
                    .isEqualTo(-1);
        }
    }
}
