package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.ProxyClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy as a real process: SIGTERM drains (open tunnels go on for the grace period), then it
 * exits.
 */
@Timeout(60)
class ProcessSignalTest {
    @TempDir Path dir;

    @Test
    void sigtermStopsAcceptingLetsTheTunnelFinishAndExits() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (EchoServer echo = EchoServer.plain(0)) {
            Path conf = dir.resolve("proxy.yaml");
            Files.writeString(
                    conf,
                    "listen: 127.0.0.1:"
                            + port
                            + "\nallowConnect: ['127.0.0.1:"
                            + echo.port()
                            + "']\ntimeouts: {drain: 3s}\n");
            Process p =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    ProxyMain.class.getName(),
                                    "--config",
                                    conf.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("proxy.log").toFile())
                            .start();
            try {
                Socket tunnel = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (tunnel == null && System.nanoTime() < deadline) {
                    try {
                        tunnel =
                                ProxyClient.open(
                                        new InetSocketAddress("127.0.0.1", port), null, 10_000);
                    } catch (IOException notYet) {
                        Thread.sleep(100);
                    }
                }
                assertThat(tunnel).as("the proxy process listens").isNotNull();
                try (Socket t = tunnel) {
                    assertThat(ProxyClient.connect(t, "127.0.0.1:" + echo.port()).status())
                            .isEqualTo(200);
                    p.destroy(); // SIGTERM
                    Thread.sleep(500);
                    t.getOutputStream().write("draining".getBytes(StandardCharsets.US_ASCII));
                    assertThat(t.getInputStream().readNBytes(8))
                            .as("the open tunnel keeps working during the drain")
                            .isEqualTo("draining".getBytes(StandardCharsets.US_ASCII));
                    assertThat(p.isAlive()).isTrue();
                    assertThat(p.waitFor(15, TimeUnit.SECONDS))
                            .as("exits after the grace period")
                            .isTrue();
                    assertThat(t.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(Files.readString(dir.resolve("proxy.log")))
                        .contains("draining: 1 connection(s) open");
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
