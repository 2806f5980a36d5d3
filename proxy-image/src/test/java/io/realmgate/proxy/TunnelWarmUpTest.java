package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.common.InvalidSetting;
import io.realmgate.common.Transport;
import io.realmgate.proxy.access.TargetResolver;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.LeakWatch;
import io.realmgate.tests.peers.ProxyClient;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The start's warm-up (issue 18): real loopback tunnels through the proxy's own pipeline before the
 * listener opens, which neither widen what the user allowed nor show in its metrics or access log.
 */
class TunnelWarmUpTest {
    private ProxyServer server;
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
