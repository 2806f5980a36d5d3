package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.ProxyClient;
import io.realmgate.tests.peers.TestCertificates;
import io.realmgate.tests.peers.WebSocketEchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IPv6 on loopback: a listener on {@code [::1]} and on the dual-stack {@code [::]}, client blocks
 * and target rules for {@code ::1}, and the access log naming an IPv6 client.
 */
@Timeout(120)
class Ipv6Test {
    /** Echoes one line per connection, on {@code ::1}: the CONNECT target. */
    static ServerSocket echo;

    static Thread echoThread;
    RunningProxy proxy;

    @BeforeAll
    static void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getByName("::1"));
        echoThread =
                new Thread(
                        () -> {
                            while (!echo.isClosed()) {
                                try (Socket s = echo.accept()) {
                                    s.setSoTimeout(20_000);
                                    InputStream in = s.getInputStream();
                                    OutputStream out = s.getOutputStream();
                                    int b;
                                    while ((b = in.read()) >= 0) {
                                        out.write(b);
                                        if (b == '\n') {
                                            break;
                                        }
                                    }
                                    out.flush();
                                } catch (IOException e) {
                                    // closed at the end, or a refused test's nothing
                                }
                            }
                        },
                        "ipv6-echo");
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterAll
    static void stopEcho() throws Exception {
        echo.close();
        echoThread.join(10_000);
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private String target() {
        return "[::1]:" + echo.getLocalPort();
    }

    private static Socket client(InetSocketAddress proxy, String from) throws IOException {
        return ProxyClient.open(proxy, from, 20_000);
    }

    /** CONNECT to the echo target and a line through it; the status if refused. */
    private static int tunnelLine(Socket s, String target) throws IOException {
        ProxyClient.Head head = ProxyClient.connect(s, target);
        if (head.status() != 200) {
            return head.status();
        }
        ProxyClient.send(s, "over ipv6\n");
        byte[] back = s.getInputStream().readNBytes("over ipv6\n".length());
        assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("over ipv6\n");
        return 200;
    }

    @Test
    void aListenerOnIpv6LoopbackTunnelsToAnIpv6TargetAllowedByItsAddress() throws Exception {
        proxy =
                RunningProxy.start(
                        "--listen",
                        "[::1]:0",
                        "--allow-client",
                        "::1/128",
                        "--allow-connect",
                        target());
        assertThat(proxy.address().getAddress()).isInstanceOf(Inet6Address.class);
        try (LogCapture access = LogCapture.of("realmgate.access");
                Socket s = client(proxy.address(), "::1")) {
            assertThat(tunnelLine(s, target())).isEqualTo(200);
            s.close();
            List<String> lines = access.awaitLines(1);
            assertThat(lines).anyMatch(l -> l.startsWith("client=[0:0:0:0:0:0:0:1]:"));
            assertThat(lines)
                    .anyMatch(l -> l.contains("method=CONNECT") && l.contains("status=200"));
        }
    }

    @Test
    void aCidrRuleForIpv6LoopbackAllowsItAndOtherRulesRefuseIt() throws Exception {
        String port = String.valueOf(echo.getLocalPort());
        for (String[] rule :
                new String[][] {
                    {"[::1/128]:" + port, "200"},
                    {"[::/0]:" + port, "200"},
                    {port, "403"}, // a port-only rule never reaches the loopback class
                    {"[::2]:" + port, "403"},
                    {"127.0.0.1:" + port, "403"},
                }) {
            proxy =
                    RunningProxy.start(
                            "--listen",
                            "[::1]:0",
                            "--allow-client",
                            "::1/128",
                            "--allow-connect",
                            rule[0]);
            try (Socket s = client(proxy.address(), "::1")) {
                assertThat(tunnelLine(s, target()))
                        .as(rule[0])
                        .isEqualTo(Integer.parseInt(rule[1]));
            }
            proxy.close();
            proxy = null;
        }
    }

    @Test
    void anIpv6ClientIsAdmittedByAnIpv6BlockAndRefusedByAnIpv4OnlyOne() throws Exception {
        proxy =
                RunningProxy.start(
                        "--listen",
                        "[::1]:0",
                        "--allow-client",
                        "127.0.0.0/8",
                        "--allow-connect",
                        target());
        try (LogCapture access = LogCapture.of("realmgate.access");
                Socket s = client(proxy.address(), "::1")) {
            assertThat(tunnelLine(s, target())).isEqualTo(403);
            assertThat(access.awaitLines(1))
                    .anyMatch(l -> l.startsWith("client=[0:0:0:0:0:0:0:1]:") && l.contains("403"));
        }
    }

    @Test
    void theWildcardListenerIsDualStack() throws Exception {
        proxy =
                RunningProxy.start(
                        "--listen",
                        "[::]:0",
                        "--allow-client",
                        "::1/128,127.0.0.1/32",
                        "--allow-connect",
                        target());
        int port = proxy.address().getPort();
        for (String from : new String[] {"::1", "127.0.0.1"}) {
            try (Socket s = client(new InetSocketAddress(from, port), from)) {
                assertThat(tunnelLine(s, target())).as(from).isEqualTo(200);
            }
        }
    }

    /**
     * The transparent listener on the dual-stack wildcard: a wss client from {@code ::1} that knows
     * nothing of proxies is routed by its SNI name to the realm.
     */
    @Test
    void theTransparentListenerTakesAnIpv6Client() throws Exception {
        try (WebSocketEchoServer realm = WebSocketEchoServer.wss(0)) {
            proxy =
                    RunningProxy.start(
                            "--allow-connect",
                            "localhost:" + realm.port(),
                            "--transparent",
                            "[::]:0",
                            "--transparent-target-port",
                            Integer.toString(realm.port()));
            int port = proxy.server().transparentAddress().orElseThrow().getPort();
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(
                    null,
                    TestCertificates.get().ca().toTrustManagerFactory().getTrustManagers(),
                    null);
            try (Socket raw = client(new InetSocketAddress("::1", port), "::1");
                    SSLSocket s =
                            (SSLSocket)
                                    tls.getSocketFactory()
                                            .createSocket(raw, "localhost", port, true)) {
                // the JDK sends no SNI for a name without a dot unless told: the proxy routes by it
                SSLParameters params = s.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName("localhost")));
                s.setSSLParameters(params);
                s.startHandshake();
                ProxyClient.send(
                        s,
                        "GET /realm HTTP/1.1\r\nHost: localhost:"
                                + port
                                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                + "Sec-WebSocket-Version: 13\r\n\r\n");
                assertThat(ProxyClient.readHead(s.getInputStream()).status()).isEqualTo(101);
            }
            assertThat(realm.upgrades()).isEqualTo(1);
        }
    }
}
