package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.proxy.ops.ProxyMetrics;
import io.realmgate.tests.peers.TestCertificates;
import io.realmgate.tests.peers.WebSocketEchoServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reference scenario's transparent case: a client that knows nothing of proxies (the JDK's own
 * WebSocket client, no proxy configured) connects to the transparent listener as if it were the
 * realm. wss passes, routed by SNI without the proxy terminating TLS; plain ws does not, which is
 * why the scenario recommends wss.
 */
@Timeout(60)
class TransparentModeTest {
    WebSocketEchoServer realm;
    RunningProxy proxy;
    int transparentPort;

    @BeforeEach
    void start() throws Exception {
        realm = WebSocketEchoServer.wss(0);
        proxy =
                RunningProxy.start(
                        "--allow-connect",
                        "localhost:" + realm.port(),
                        "--transparent",
                        "127.0.0.1:0",
                        "--transparent-target-port",
                        Integer.toString(realm.port()));
        transparentPort = proxy.server().transparentAddress().orElseThrow().getPort();
    }

    /**
     * The relay the proxies of this class use (the metric's label); subclasses run every test on
     * the others.
     */
    String relay() {
        return "copy";
    }

    @AfterEach
    void stop() {
        proxy.close();
        ProxyMetrics m = proxy.server().metrics();
        assertThat(m.tunnelsRelayed(relay()))
                .as("tunnels relayed by %s", relay())
                .isEqualTo(m.tunnelsTotal());
        realm.close();
    }

    private HttpClient client() throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(
                null, TestCertificates.get().ca().toTrustManagerFactory().getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void aWssClientThatDoesNotKnowTheProxyReachesTheRealm() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws =
                client().newWebSocketBuilder()
                        .buildAsync(
                                URI.create("wss://localhost:" + transparentPort + "/realm"),
                                new WebSocket.Listener() {
                                    @Override
                                    public CompletionStage<?> onText(
                                            WebSocket webSocket, CharSequence data, boolean last) {
                                        reply.complete(data.toString());
                                        return null;
                                    }
                                })
                        .get(10, TimeUnit.SECONDS);
        ws.sendText("hello realm", true);
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo: hello realm");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(realm.upgrades()).isEqualTo(1);
    }

    @Test
    void plainWsOnTheSamePathIsRefused() throws Exception {
        assertThatThrownBy(
                        () ->
                                client().newWebSocketBuilder()
                                        .buildAsync(
                                                URI.create(
                                                        "ws://localhost:"
                                                                + transparentPort
                                                                + "/realm"),
                                                new WebSocket.Listener() {})
                                        .get(10, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(realm.upgrades()).isZero();
        assertThat(proxy.server().metrics().refusals("transparent_not_tls"))
                .as("the JDK client may retry once")
                .isPositive();
    }

    @Test
    void aServerNameThePolicyDoesNotAllowIsClosedWithoutForwarding() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", transparentPort);
                SSLSocket tls =
                        (SSLSocket)
                                TestCertificates.get()
                                        .clientSocketFactory()
                                        .createSocket(
                                                tcp, "elsewhere.example", transparentPort, true)) {
            tls.setSoTimeout(5_000);
            assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
        }
        assertThat(realm.upgrades()).isZero();
        assertThat(proxy.server().metrics().refusals("target_not_allowed")).isEqualTo(1);
    }

    @Test
    void aClientThatClosesBeforeItsClientHelloIsClosedAtOnce() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", transparentPort)) {
            tcp.setSoTimeout(5_000);
            tcp.getOutputStream()
                    .write(new byte[] {0x16, 0x03, 0x01}); // the start of a TLS record, then FIN
            tcp.shutdownOutput();
            long started = System.nanoTime();
            assertThat(tcp.getInputStream().read()).as("the proxy closes its side").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(Duration.ofSeconds(4));
        }
        assertThat(realm.upgrades()).isZero();
        assertThat(proxy.server().metrics().refusals("transparent_bad_hello")).isEqualTo(1);
    }
}
