package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.common.Transport;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.ProxyClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection caps and the timeouts that keep idle, slow and unreachable peers from holding the
 * proxy.
 */
@Timeout(60)
class LimitsAndTimeoutsTest {
    static EchoServer echo;
    RunningProxy proxy;
    @TempDir Path dir;

    @BeforeAll
    static void startEcho() throws Exception {
        echo = EchoServer.plain(0);
    }

    @AfterAll
    static void stopEcho() {
        echo.close();
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private RunningProxy startWith(String yaml) throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, "allowConnect: ['127.0.0.1:" + echo.port() + "']\n" + yaml);
        return RunningProxy.start("--config", file.toString());
    }

    @Test
    void connectionsOverThePerClientLimitGet503() throws Exception {
        proxy = startWith("limits: {maxConnectionsPerClient: 3}\n");
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = ProxyClient.open(proxy.address(), null, 5_000);
                open.add(s);
                assertThat(ProxyClient.connect(s, "127.0.0.1:" + echo.port()).status())
                        .isEqualTo(200);
            }
            try (Socket fourth = ProxyClient.open(proxy.address(), null, 5_000)) {
                assertThat(ProxyClient.readHead(fourth.getInputStream()).status()).isEqualTo(503);
                assertThat(ProxyClient.closedByPeer(fourth)).isTrue();
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        assertThat(proxy.server().metrics().refusals("connection_limit")).isEqualTo(1);
    }

    @Test
    void connectionsOverTheGlobalLimitGet503() throws Exception {
        proxy = startWith("allowClients: [127.0.0.0/8]\nlimits: {maxConnections: 2}\n");
        try (Socket a = ProxyClient.open(proxy.address(), "127.0.0.1", 5_000);
                Socket b = ProxyClient.open(proxy.address(), "127.0.0.2", 5_000)) {
            assertThat(ProxyClient.connect(a, "127.0.0.1:" + echo.port()).status()).isEqualTo(200);
            assertThat(ProxyClient.connect(b, "127.0.0.1:" + echo.port()).status()).isEqualTo(200);
            try (Socket c = ProxyClient.open(proxy.address(), "127.0.0.3", 5_000)) {
                assertThat(ProxyClient.readHead(c.getInputStream()).status()).isEqualTo(503);
            }
        }
    }

    @Test
    void aSlowlorisClientGets408() throws Exception {
        proxy = startWith("timeouts: {header: 700ms}\n");
        try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
            long start = System.nanoTime();
            ProxyClient.send(s, "CONNECT 127.0.0.1:" + echo.port() + " HTTP/1.1\r\n");
            for (int i = 0; i < 20; i++) { // a header byte every 100 ms: never idle, never complete
                Thread.sleep(100);
                try {
                    ProxyClient.send(s, "X");
                } catch (IOException closed) {
                    break;
                }
            }
            ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(408);
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("ms until 408")
                    .isLessThan(5_000);
        }
        assertThat(echo.openConnections()).isZero();
    }

    @Test
    void anIdleTunnelIsClosedOnBothLegs() throws Exception {
        proxy = startWith("timeouts: {idle: 500ms}\n");
        assertIdleTunnelClosedOnBothLegs();
        assertThat(proxy.server().metrics().tunnelsRelayed("copy")).isEqualTo(1);
    }

    /**
     * An epoll tunnel has no Netty idle handler: its own clock closes it. The NIO one uses Netty's.
     */
    @Test
    void anIdleNioTunnelIsClosedOnBothLegs() throws Exception {
        RunningProxy.transport = Transport.NIO;
        try {
            proxy = startWith("timeouts: {idle: 500ms}\n");
        } finally {
            RunningProxy.transport = null;
        }
        assertIdleTunnelClosedOnBothLegs();
        assertThat(proxy.server().metrics().tunnelsRelayed("channel")).isEqualTo(1);
    }

    @Test
    void anEpollTunnelThatKeepsMovingBytesOutlivesTheIdleTimeout() throws Exception {
        proxy = startWith("timeouts: {idle: 500ms}\n");
        try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
            assertThat(ProxyClient.connect(s, "127.0.0.1:" + echo.port()).status()).isEqualTo(200);
            for (int i = 0;
                    i < 8;
                    i++) { // 8 x 200 ms = 1.6 s, three idle timeouts, never 500 ms quiet
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).as("echo %d", i).isEqualTo('x');
                Thread.sleep(200);
            }
        }
        assertThat(proxy.server().metrics().tunnelsRelayed("copy")).isEqualTo(1);
    }

    private void assertIdleTunnelClosedOnBothLegs() throws Exception {
        try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
            assertThat(ProxyClient.connect(s, "127.0.0.1:" + echo.port()).status()).isEqualTo(200);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readNBytes(4))
                    .isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().read()).as("EOF after the idle timeout").isEqualTo(-1);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (echo.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(echo.openConnections()).isZero();
    }

    @Test
    void anUpstreamThatNeverAnswersTheHandshakeIs504() throws Exception {
        // A listener whose accept queue is full: the kernel drops further SYNs, so connecting to it
        // hangs until the proxy's connect timeout. Loopback only, nothing leaves the machine.
        try (ServerSocket stuck = new ServerSocket()) {
            stuck.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket f = new Socket();
                    try {
                        f.connect(stuck.getLocalSocketAddress(), 200);
                        fillers.add(f);
                    } catch (IOException full) {
                        f.close();
                        break;
                    }
                }
                Path file = dir.resolve("proxy.yaml");
                Files.writeString(
                        file,
                        "allowConnect: ['127.0.0.1:"
                                + stuck.getLocalPort()
                                + "']\ntimeouts: {connect: 500ms}\n");
                proxy = RunningProxy.start("--config", file.toString());
                try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
                    ProxyClient.Head head =
                            ProxyClient.connect(s, "127.0.0.1:" + stuck.getLocalPort());
                    assertThat(head.status()).isEqualTo(504);
                }
            } finally {
                for (Socket f : fillers) {
                    f.close();
                }
            }
        }
    }

    @Test
    void anOverlongRequestLineIs414() throws Exception {
        proxy = startWith("");
        try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            ProxyClient.send(
                    s,
                    "GET http://127.0.0.1:"
                            + echo.port()
                            + "/"
                            + "a".repeat(10_000)
                            + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(ProxyClient.readHead(s.getInputStream()).status()).isEqualTo(414);
        }
    }
}
