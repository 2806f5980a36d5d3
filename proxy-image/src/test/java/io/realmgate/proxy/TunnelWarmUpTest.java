package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.netty.channel.EventLoopGroup;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.Transport;
import io.realmgate.proxy.access.TargetResolver;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.LeakWatch;
import io.realmgate.tests.peers.ProxyClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The start's warm-up (issue 18): real loopback tunnels through the proxy's own pipeline before the
 * listener opens, which neither widen what the user allowed nor show in its metrics or access log.
 */
class TunnelWarmUpTest {
    private ProxyServer server;
    private ProxyServer other;
    private EventLoopGroup otherWorkers;
    private EchoServer echo;
    private LeakWatch leaks;

    @BeforeEach
    void watchLeaks() {
        leaks = LeakWatch.install();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            if (other != null) {
                other.close();
            }
            if (otherWorkers != null) {
                otherWorkers.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (echo != null) {
                echo.close();
            }
            // The warm-up's echo hands each read buffer back to the write, which releases it.
            assertThat(leaks.leaks())
                    .as("Netty leak reports (level %s)", LeakWatch.level())
                    .isEmpty();
        } finally {
            leaks.uninstall();
        }
    }

    private ProxyServer start(int warmUpTunnels, String... flags) throws Exception {
        String[] all = new String[flags.length + 2];
        all[0] = "--listen";
        all[1] = "127.0.0.1:0";
        System.arraycopy(flags, 0, all, 2, flags.length);
        ProxyConfig config = CommandLine.parse(all);
        server =
                new ProxyServer(config, TargetResolver.SYSTEM, Transport.fromEnvironment())
                        .warmUpWith(warmUpTunnels);
        return server.start();
    }

    @Test
    void runsTheTunnelsAskedForBeforeListeningAndCountsNoneOfThem() throws Exception {
        echo = EchoServer.plain(0);
        try (LogCapture access = LogCapture.of("realmgate.access")) {
            start(300, "--allow-connect", "127.0.0.1:" + echo.port());
            TunnelWarmUp.Outcome outcome = server.warmUpOutcome();
            assertThat(outcome.tunnels()).isEqualTo(300);
            assertThat(outcome.stoppedBy()).isEmpty();
            assertThat(server.metrics().tunnelsTotal()).as("tunnels in the metrics").isZero();
            assertThat(server.openClientConnections()).isZero();

            // The first real tunnel after it: counted, logged.
            try (Socket s = ProxyClient.open(server.address(), null, 10_000)) {
                ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + echo.port());
                assertThat(head.status()).as(head.statusLine()).isEqualTo(200);
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
            }
            List<String> lines = access.awaitLines(1);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).contains("method=CONNECT", "status=200");
        }
        assertThat(echo.accepted()).as("connections that reached the user's target").isEqualTo(1);
        assertThat(server.metrics().tunnelsTotal()).isEqualTo(1);
    }

    @Test
    void anotherProxysWarmUpSilencesNoLineOfThisOne() throws Exception {
        // Two proxies in one JVM, as tests and benchmarks run them: while the other one warms up,
        // a tunnel through this one still writes its line. The tunnel runs inside the warm-up,
        // once it has begun and before its own tunnels, so the overlap does not depend on timing.
        echo = EchoServer.plain(0);
        start(0, "--allow-connect", "127.0.0.1:" + echo.port());
        Transport transport = Transport.fromEnvironment();
        ProxyConfig otherConfig = CommandLine.parse("--listen", "127.0.0.1:0");
        other = new ProxyServer(otherConfig, TargetResolver.SYSTEM, transport).start();
        otherWorkers = transport.newGroup(1, "other-proxy-io");
        AtomicReference<AccessLog> warmUpLog = new AtomicReference<>();
        AtomicReference<List<String>> linesDuringWarmUp = new AtomicReference<>();
        try (LogCapture access = LogCapture.of("realmgate.access")) {
            TunnelWarmUp.Outcome outcome =
                    TunnelWarmUp.run(
                            otherConfig,
                            transport,
                            otherWorkers,
                            (config, metrics, accessLog) -> {
                                warmUpLog.set(accessLog);
                                tunnelOnce(server, echo.port());
                                linesDuringWarmUp.set(awaitLines(access, 1));
                                return other.buildSettings(config, metrics, accessLog);
                            },
                            200);
            assertThat(outcome.stoppedBy()).isEmpty();
            assertThat(outcome.tunnels()).isEqualTo(200);
            assertThat(warmUpLog.get())
                    .as("the access log the warm-up's settings carry")
                    .isSameAs(AccessLog.silent());
            assertThat(linesDuringWarmUp.get())
                    .as("this proxy's lines while the other warmed up")
                    .hasSize(1);
            assertThat(linesDuringWarmUp.get().get(0))
                    .contains("method=CONNECT", "target=127.0.0.1:" + echo.port(), "status=200");
            // And the other's 200 warm-up tunnels wrote none.
            assertThat(access.awaitLines(2)).hasSize(1);
        }
        assertThat(other.metrics().tunnelsTotal()).as("the other proxy's tunnels").isZero();
        assertThat(server.metrics().tunnelsTotal()).isEqualTo(1);
    }

    @Test
    void theSilentAccessLogWritesNothingWhereTheProxysWrites() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("realmgate.access");
        Level before = access.getLevel();
        access.setLevel(Level.TRACE);
        try (LogCapture lines = LogCapture.of("realmgate.access")) {
            InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);
            AccessLog.silent()
                    .record(client, "CONNECT", "silent:1", 200, 1, 1, System.nanoTime(), null);
            AccessLog.toLogger()
                    .record(client, "CONNECT", "written:1", 200, 1, 1, System.nanoTime(), null);
            // Both calls log on this thread, straight to the capture: a silent line would be here
            // by now.
            List<String> written = lines.awaitLines(1);
            assertThat(written).hasSize(1);
            assertThat(written.get(0)).contains("target=written:1");
        } finally {
            access.setLevel(before);
        }
    }

    /** One tunnel through {@code proxy} to the echo on {@code port}, one byte there and back. */
    private static void tunnelOnce(ProxyServer proxy, int port) throws IOException {
        try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + port);
            assertThat(head.status()).as(head.statusLine()).isEqualTo(200);
            s.getOutputStream().write('b');
            assertThat(s.getInputStream().read()).isEqualTo('b');
        }
    }

    private static List<String> awaitLines(LogCapture capture, int n) throws IOException {
        try {
            return capture.awaitLines(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void widensNothingTheUserConfigured() throws Exception {
        // No target allowed at all: the warm-up still runs (its own rule, its own echo), and the
        // proxy then refuses what the user's config refuses, loopback included.
        echo = EchoServer.plain(0);
        start(100);
        assertThat(server.warmUpOutcome().tunnels()).isEqualTo(100);
        try (Socket s = ProxyClient.open(server.address(), null, 10_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + echo.port());
            assertThat(head.status()).as(head.statusLine()).isEqualTo(403);
        }
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void zeroTurnsItOff() throws Exception {
        echo = EchoServer.plain(0);
        start(0, "--allow-connect", "127.0.0.1:" + echo.port());
        assertThat(server.warmUpOutcome().tunnels()).isZero();
        assertThat(server.warmUpOutcome().stoppedBy()).isEmpty();
    }

    @Test
    void theEnvironmentVariableIsACountOrAClearError() throws Exception {
        assertThat(TunnelWarmUp.tunnels(Map.of())).isEqualTo(TunnelWarmUp.DEFAULT_TUNNELS);
        assertThat(TunnelWarmUp.tunnels(Map.of(TunnelWarmUp.ENVIRONMENT, " 0 "))).isZero();
        assertThat(TunnelWarmUp.tunnels(Map.of(TunnelWarmUp.ENVIRONMENT, "5000"))).isEqualTo(5000);
        for (String bad : List.of("-1", "many", "1e3", "100001")) {
            assertThatThrownBy(() -> TunnelWarmUp.tunnels(Map.of(TunnelWarmUp.ENVIRONMENT, bad)))
                    .isInstanceOf(InvalidSetting.class)
                    .hasMessageContaining("REALMGATE_PROXY_WARM_UP")
                    .hasMessageContaining("'" + bad + "'");
        }
    }
}
