package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss with PEM files from disk; replacing them switches new connections to the new certificate,
 * open ones stay.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsReloadTest {
    @TempDir Path dir;

    private static X509Bundle issue(X509Bundle ca, String cn) throws Exception {
        return issue(ca, cn, Instant.now().plus(1, ChronoUnit.DAYS));
    }

    private static X509Bundle issue(X509Bundle ca, String cn, Instant notAfter) throws Exception {
        Instant now = Instant.now();
        return new CertificateBuilder()
                .notBefore(now.minus(1, ChronoUnit.HOURS))
                .notAfter(notAfter)
                .ecp256()
                .subject("CN=" + cn)
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth()
                .buildIssuedBy(ca);
    }

    private static X509Bundle ca() throws Exception {
        Instant now = Instant.now();
        return new CertificateBuilder()
                .notBefore(now.minus(1, ChronoUnit.HOURS))
                .notAfter(now.plus(1, ChronoUnit.DAYS))
                .ecp256()
                .subject("CN=Realm Test CA")
                .setIsCertificateAuthority(true)
                .buildSelfSigned();
    }

    private void write(X509Bundle b, Path cert, Path key) throws Exception {
        // Written beside, then moved into place: a reader never sees half a file.
        Path tc = dir.resolve("tmp-cert.pem");
        Path tk = dir.resolve("tmp-key.pem");
        Files.writeString(tc, b.getCertificatePEM());
        Files.writeString(tk, b.getPrivateKeyPEM());
        Files.move(tk, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tc, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String servedSubject(int port, X509Bundle ca) throws Exception {
        TrustManagerFactory tmf = ca.toTrustManagerFactory();
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
        }
    }

    @Test
    void replacedCertificateServesNewConnectionsWhileOpenOnesStay() throws Exception {
        X509Bundle ca = ca();
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        write(issue(ca, "first"), cert, key);
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .wssPort(0)
                                        .tls(cert, key)
                                        .certPoll(Duration.ofMillis(100)));
                RealmClient early =
                        RealmClient.builder(realm.wssUri())
                                .trust(ca.getCertificate())
                                .noReconnect()
                                .build()) {
            early.connect().get(5, TimeUnit.SECONDS);
            Inbox inbox = new Inbox();
            early.subscribe("tls", inbox).get(5, TimeUnit.SECONDS);
            assertThat(servedSubject(realm.wss().getPort(), ca)).isEqualTo("CN=first");

            Thread.sleep(1100); // file times have whole-second resolution on some file systems
            write(issue(ca, "second"), cert, key);
            org.awaitility.Awaitility.await()
                    .atMost(10, TimeUnit.SECONDS)
                    .until(() -> servedSubject(realm.wss().getPort(), ca).equals("CN=second"));
            assertThat(realm.server().metrics().render())
                    .contains("realmgate_realm_certificate_reloads_total 1");

            // The connection made before the swap still works, on its original session.
            try (RealmClient late =
                    RealmClient.builder(realm.wssUri()).trust(ca.getCertificate()).build()) {
                late.connect().get(5, TimeUnit.SECONDS);
                late.publish("tls", "\"after reload\"").get(5, TimeUnit.SECONDS);
            }
            assertThat(inbox.next().data()).isEqualTo("\"after reload\"");
            assertThat(early.lastCloseCode()).isZero();

            // A broken pair (key of another certificate) is refused; the last good one stays in
            // use.
            Thread.sleep(1100);
            X509Bundle third = issue(ca, "third");
            Files.writeString(cert, third.getCertificatePEM());
            Files.writeString(key, issue(ca, "other").getPrivateKeyPEM());
            Thread.sleep(500);
            assertThat(servedSubject(realm.wss().getPort(), ca)).isEqualTo("CN=second");
            Files.writeString(key, third.getPrivateKeyPEM());
            org.awaitility.Awaitility.await()
                    .atMost(10, TimeUnit.SECONDS)
                    .until(() -> servedSubject(realm.wss().getPort(), ca).equals("CN=third"));
        }
    }

    @Test
    void wssClientRefusesAnUntrustedServer() throws Exception {
        X509Bundle ca = ca();
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        write(issue(ca, "x"), cert, key);
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .wsPort(RealmConfig.OFF)
                                        .wssPort(0)
                                        .tls(cert, key));
                RealmClient stranger =
                        RealmClient.builder(realm.wssUri())
                                .trust(ca().getCertificate())
                                .noReconnect()
                                .build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> stranger.connect().get(5, TimeUnit.SECONDS))
                    .hasStackTraceContaining("SSLHandshakeException");
            assertThat(List.of(realm.server().wsAddress() == null)).containsExactly(true);
        }
    }

    @Test
    void metricsTellWhenTheServedCertificateExpiresAndFollowAReload() throws Exception {
        X509Bundle ca = ca();
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        // Whole seconds: the certificate's notAfter has no finer precision.
        Instant firstExpiry =
                Instant.now().plus(5, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant secondExpiry = firstExpiry.plus(60, ChronoUnit.DAYS);
        write(issue(ca, "first", firstExpiry), cert, key);
        try (RunningRealm realm =
                RunningRealm.start(
                        RealmConfig.testing()
                                .wssPort(0)
                                .tls(cert, key)
                                .certPoll(Duration.ofMillis(100)))) {
            assertThat(scrape(realm))
                    .contains(
                            "realmgate_realm_certificate_expiry_timestamp_seconds "
                                    + firstExpiry.getEpochSecond()
                                    + "\n");

            Thread.sleep(1100); // file times have whole-second resolution on some file systems
            write(issue(ca, "second", secondExpiry), cert, key);
            org.awaitility.Awaitility.await()
                    .atMost(10, TimeUnit.SECONDS)
                    .until(
                            () ->
                                    scrape(realm)
                                            .contains(
                                                    "realmgate_realm_certificate_expiry_timestamp_seconds "
                                                            + secondExpiry.getEpochSecond()
                                                            + "\n"));
        }
    }

    @Test
    void withoutWssThereIsNoCertificateExpirySeries() throws Exception {
        try (RunningRealm realm = RunningRealm.start(RealmConfig.testing())) {
            assertThat(scrape(realm))
                    .contains("realmgate_realm_certificate_reloads_total 0")
                    .doesNotContain("realmgate_realm_certificate_expiry_timestamp_seconds");
        }
    }

    /** GET /metrics over the realm's plain listener, as a scraper does. */
    private static String scrape(RunningRealm realm) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(realm.http() + "/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
