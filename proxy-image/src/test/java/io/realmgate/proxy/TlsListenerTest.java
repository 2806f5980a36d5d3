package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.ProxyClient;
import io.realmgate.tests.peers.TestCertificates;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS-proxy listener: TLS from client to proxy, CONNECT inside, certificates reloaded live.
 */
@Timeout(60)
class TlsListenerTest {
    @TempDir Path dir;
    HttpOrigin origin;
    RunningProxy proxy;
    Path cert;
    Path key;

    @BeforeEach
    void start() throws Exception {
        origin = new HttpOrigin(0);
        cert = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        writePair(BigInteger.valueOf(1001));
        proxy =
                RunningProxy.start(
                        "--allow-connect",
                        "127.0.0.1:" + origin.port(),
                        "--tls-cert",
                        cert.toString(),
                        "--tls-key",
                        key.toString());
        proxy.server()
                .watchConfig(
                        () -> {
                            throw new IllegalStateException("no config file here");
                        },
                        null);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private void writePair(BigInteger serial) throws Exception {
        writePair(serial, Instant.now().plus(1, ChronoUnit.DAYS));
    }

    private void writePair(BigInteger serial, Instant notAfter) throws Exception {
        X509Bundle b =
                new CertificateBuilder()
                        .serial(serial)
                        .subject("CN=localhost")
                        .addSanDnsName("localhost")
                        .addSanIpAddress("127.0.0.1")
                        .addExtendedKeyUsageServerAuth()
                        .ecp256()
                        .notBefore(Instant.now().minus(1, ChronoUnit.HOURS))
                        .notAfter(notAfter)
                        .buildIssuedBy(TestCertificates.get().ca());
        Path tmpCert = dir.resolve("tls.crt.tmp");
        Path tmpKey = dir.resolve("tls.key.tmp");
        Files.writeString(tmpCert, b.getCertificatePEM());
        Files.writeString(tmpKey, b.getPrivateKeyPEM());
        Files.move(
                tmpKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(
                tmpCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // Make the change visible even on file systems with coarse timestamps.
        Files.setLastModifiedTime(
                cert, FileTime.from(Instant.now().plusSeconds(serial.intValue() % 100)));
    }

    private SSLSocket tlsToProxy() throws Exception {
        Socket tcp = ProxyClient.open(proxy.address(), null, 10_000);
        SSLSocket tls =
                (SSLSocket)
                        TestCertificates.get()
                                .clientSocketFactory()
                                .createSocket(tcp, "localhost", proxy.address().getPort(), true);
        tls.startHandshake();
        return tls;
    }

    private static BigInteger serialOf(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void curlUsesItAsAnHttpsProxy() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, TestCertificates.get().ca().getCertificatePEM());
        Process p =
                new ProcessBuilder(
                                "curl",
                                "-sS",
                                "--max-time",
                                "10",
                                "-p",
                                "--proxy",
                                "https://localhost:" + proxy.address().getPort(),
                                "--proxy-cacert",
                                ca.toString(),
                                "http://127.0.0.1:" + origin.port() + "/through-https-proxy")
                        .redirectErrorStream(true)
                        .start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("GET /through-https-proxy");
    }

    @Test
    void aReplacedCertificateServesNewConnectionsWhileOpenTunnelsStay() throws Exception {
        try (SSLSocket first = tlsToProxy()) {
            assertThat(serialOf(first)).isEqualTo(1001);
            ProxyClient.send(
                    first, "CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(ProxyClient.readHead(first.getInputStream()).status()).isEqualTo(200);

            writePair(BigInteger.valueOf(2002));
            BigInteger seen = BigInteger.ZERO;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!seen.equals(BigInteger.valueOf(2002)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                try (SSLSocket probe = tlsToProxy()) {
                    seen = serialOf(probe);
                }
            }
            assertThat(seen).as("certificate served to a new connection").isEqualTo(2002);

            // The tunnel opened before the rotation still works.
            ProxyClient.send(first, "GET /after-rotation HTTP/1.1\r\nHost: x\r\n\r\n");
            ProxyClient.Head head = ProxyClient.readHead(first.getInputStream());
            assertThat(
                            new String(
                                    ProxyClient.readBody(first.getInputStream(), head),
                                    StandardCharsets.UTF_8))
                    .contains("/after-rotation");
        }
    }

    @Test
    void metricsTellWhenTheServedCertificateExpiresAndFollowARotation() throws Exception {
        String series = "realmgate_proxy_certificate_expiry_timestamp_seconds ";
        Instant first;
        try (SSLSocket probe = tlsToProxy()) {
            first =
                    ((X509Certificate) probe.getSession().getPeerCertificates()[0])
                            .getNotAfter()
                            .toInstant();
        }
        assertThat(proxy.server().metrics().scrape())
                .contains(series + first.getEpochSecond() + "\n");

        Instant later = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        writePair(BigInteger.valueOf(3003), later);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!proxy.server().metrics().scrape().contains(series + later.getEpochSecond())
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(proxy.server().metrics().scrape())
                .contains(series + later.getEpochSecond() + "\n");
    }
}
