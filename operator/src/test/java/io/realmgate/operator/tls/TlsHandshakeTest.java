package io.realmgate.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real TLS handshake on loopback with a certificate from {@link OperatorCa}'s building blocks,
 * PEM-encoded and read back as the realm and proxy read their Secret: a JDK client that trusts only
 * the CA bundle and checks the host name (HTTPS endpoint identification) accepts the Service name
 * and refuses another.
 */
@Timeout(30)
class TlsHandshakeTest {
    private static final String HOST = "prices-realm.apps.svc.cluster.local";

    private final ExecutorService acceptor = Executors.newSingleThreadExecutor();
    private SSLServerSocket server;
    private String bundle;

    @BeforeEach
    void serve() throws Exception {
        Instant now = Instant.now();
        CaState ca = CaState.create(now, Duration.ofDays(1)).rotated(now, Duration.ofDays(1));
        bundle = ca.bundlePem();
        CertifiedKey leaf =
                Certificates.issueServer(
                        ca.current(),
                        List.of(HOST, "prices-realm.apps.svc"),
                        now,
                        Duration.ofHours(1));
        // Through PEM, as the Secret carries it.
        var key = Pem.readPrivateKey(Pem.privateKey(leaf.privateKey()));
        var certificate = Pem.readCertificate(Pem.certificate(leaf.certificate()));

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        server =
                (SSLServerSocket)
                        context.getServerSocketFactory()
                                .createServerSocket(0, 4, InetAddress.getLoopbackAddress());
        acceptor.submit(
                () -> {
                    while (!server.isClosed()) {
                        try (SSLSocket s = (SSLSocket) server.accept()) {
                            s.setSoTimeout(10_000);
                            s.startHandshake();
                            s.getOutputStream().write('!');
                            s.getOutputStream().flush();
                        } catch (IOException ignored) {
                            // the refused handshake, or the server closing
                        }
                    }
                    return null;
                });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.shutdownNow();
        assertThat(acceptor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private int connect(String hostName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {Pkix.trustManager(bundle)}, null);
        try (Socket plain = new Socket()) {
            plain.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                    5_000);
            plain.setSoTimeout(10_000);
            // The host name (not the loopback address) is what the client verifies and sends as
            // SNI.
            try (SSLSocket tls =
                    (SSLSocket)
                            context.getSocketFactory()
                                    .createSocket(plain, hostName, server.getLocalPort(), false)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                return tls.getInputStream().read();
            }
        }
    }

    @Test
    void clientTrustingTheBundleAcceptsTheServiceName() throws Exception {
        assertThat(connect(HOST)).isEqualTo('!');
        assertThat(connect("prices-realm.apps.svc")).isEqualTo('!');
    }

    @Test
    void aNameNotInTheCertificateIsRefused() {
        assertThatThrownBy(() -> connect("quotes-realm.apps.svc"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining(
                        "No subject alternative DNS name matching quotes-realm.apps.svc found");
    }
}
