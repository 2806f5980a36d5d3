package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.ApacheForwardProxy;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.ForwardProxyPeer;
import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.ProxyClient;
import io.realmgate.tests.peers.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference scenario (shared/reference/websocket-over-forward-proxy.txt), run by the same code
 * against our proxy and against Apache httpd configured as the scenario describes: {@code
 * AllowCONNECT 9000 9443}, clients 127.0.0.1 only, {@code ProxyVia On}; the realm's plain port 9000
 * (an HTTP origin here) and its secure port 9443 (a TLS server). Where our proxy is deliberately
 * stricter than Apache, the assertion says so.
 */
@Timeout(60)
class ReferenceScenarioTest {
    static final int WS_PORT = 9000;
    static final int WSS_PORT = 9443;

    static RunningProxy realmgate;
    static ApacheForwardProxy apache;

    HttpOrigin origin;
    EchoServer secureRealm;

    @BeforeAll
    static void startProxies() throws Exception {
        realmgate =
                RunningProxy.start(
                        "--allow-connect",
                        "127.0.0.1:9000,127.0.0.1:9443",
                        "--allow-client",
                        "127.0.0.1/32",
                        "--via");
        if (ApacheForwardProxy.available()) {
            apache =
                    ApacheForwardProxy.start(
                            ApacheForwardProxy.Settings.referenceScenario(
                                    List.of(WS_PORT, WSS_PORT)));
        } else if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(
                    "CI must install apache2 (see .ci/run): the peer comparison cannot be skipped");
        }
    }

    @AfterAll
    static void stopProxies() {
        if (realmgate != null) {
            realmgate.close();
        }
        if (apache != null) {
            apache.close();
        }
    }

    @BeforeEach
    void startRealm() throws Exception {
        origin = new HttpOrigin(WS_PORT);
        secureRealm = EchoServer.tls(WSS_PORT);
    }

    @AfterEach
    void stopRealm() {
        if (origin != null) {
            origin.close();
        }
        if (secureRealm != null) {
            secureRealm.close();
        }
    }

    static Stream<Arguments> proxies() {
        return Stream.of(Arguments.of("realmgate"), Arguments.of("apache"));
    }

    static ForwardProxyPeer proxy(String name) {
        if (name.equals("apache")) {
            Assumptions.assumeTrue(
                    apache != null, "apache2 is not installed here; .ci/run installs it");
            return apache;
        }
        return realmgate;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("proxies")
    void secureRealmIsReachedThroughConnectWithAFullTlsHandshake(String name) throws Exception {
        ForwardProxyPeer proxy = proxy(name);
        try (Socket tcp = ProxyClient.open(proxy.address(), null, 10_000)) {
            ProxyClient.Head head = ProxyClient.connect(tcp, "127.0.0.1:" + WSS_PORT);
            assertThat(head.status()).as(head.statusLine()).isEqualTo(200);
            try (SSLSocket tls =
                    (SSLSocket)
                            TestCertificates.get()
                                    .clientSocketFactory()
                                    .createSocket(tcp, "localhost", WSS_PORT, true)) {
                tls.setSoTimeout(10_000);
                tls.startHandshake(); // verifies the realm's certificate against the test CA
                assertThat(tls.getSession().getProtocol()).startsWith("TLSv1.");
                byte[] sent = new byte[256 * 1024];
                new Random(9443).nextBytes(sent);
                OutputStream out = tls.getOutputStream();
                InputStream in = tls.getInputStream();
                Thread writer =
                        new Thread(
                                () -> {
                                    try {
                                        out.write(sent);
                                        out.flush();
                                    } catch (Exception ignored) {
                                        // the reader's assertion reports the failure
                                    }
                                });
                writer.start();
                byte[] echoed = in.readNBytes(sent.length);
                writer.join(10_000);
                assertThat(echoed).isEqualTo(sent);
            }
        }
        assertThat(secureRealm.tlsHandshakes()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("proxies")
    void connectToAPortThatIsNotAllowedIsRefusedWith403(String name) throws Exception {
        ForwardProxyPeer proxy = proxy(name);
        try (EchoServer other = EchoServer.plain(0);
                Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + other.port());
            assertThat(head.status()).isEqualTo(403);
            ProxyClient.readBody(s.getInputStream(), head);
            if (name.equals("realmgate")) {
                // Stricter than Apache, which keeps the connection open for another request:
                // after a refused CONNECT we close, so nothing the client sent next is ever read.
                assertThat(ProxyClient.closedByPeer(s))
                        .as("connection closed after the 403")
                        .isTrue();
            }
            assertThat(other.accepted()).as("the refused target was never contacted").isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("proxies")
    void aClientOutsideTheAllowedAddressesGets403(String name) throws Exception {
        ForwardProxyPeer proxy = proxy(name);
        try (Socket s = ProxyClient.open(proxy.address(), "127.0.0.2", 5_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + WSS_PORT);
            assertThat(head.status()).isEqualTo(403);
        }
        try (Socket s = ProxyClient.open(proxy.address(), "127.0.0.2", 5_000)) {
            ProxyClient.send(
                    s,
                    "GET http://127.0.0.1:"
                            + WS_PORT
                            + "/ HTTP/1.1\r\nHost: 127.0.0.1:"
                            + WS_PORT
                            + "\r\n\r\n");
            assertThat(ProxyClient.readHead(s.getInputStream()).status()).isEqualTo(403);
        }
        assertThat(secureRealm.accepted()).isZero();
        assertThat(origin.receivedNothing()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("proxies")
    void anAbsoluteUriGetIsForwardedAndTheOriginSeesVia(String name) throws Exception {
        ForwardProxyPeer proxy = proxy(name);
        try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            ProxyClient.send(
                    s,
                    "GET http://127.0.0.1:"
                            + WS_PORT
                            + "/realm/demo?x=1 HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:"
                            + WS_PORT
                            + "\r\nUser-Agent: scenario\r\n\r\n");
            ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            String body =
                    new String(
                            ProxyClient.readBody(s.getInputStream(), head), StandardCharsets.UTF_8);
            assertThat(body).contains("GET /realm/demo?x=1");
            assertThat(head.header("via")).as("Via on the response").contains("1.1");
        }
        HttpOrigin.Seen seen = origin.nextRequest();
        assertThat(seen.target()).isEqualTo("/realm/demo?x=1");
        assertThat(seen.header("Via")).as("Via on the forwarded request").matches("1\\.1 \\S+.*");
        if (name.equals("realmgate")) {
            assertThat(seen.header("Via")).isEqualTo("1.1 realmgate");
        }
        assertThat(seen.header("User-Agent")).isEqualTo("scenario");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("proxies")
    void connectToAnAllowedPortWithNothingListeningIsABadGateway(String name) throws Exception {
        ForwardProxyPeer proxy = proxy(name);
        secureRealm.close();
        secureRealm = null;
        try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
            ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + WSS_PORT);
            if (name.equals("apache")) {
                // Apache answers 503 Service Unavailable for a refused upstream connection; we say
                // 502 Bad Gateway, the status RFC 9110 gives a proxy whose upstream failed.
                assertThat(head.status()).isEqualTo(503);
            } else {
                assertThat(head.status()).isEqualTo(502);
            }
        }
    }
}
