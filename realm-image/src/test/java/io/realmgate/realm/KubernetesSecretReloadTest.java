package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.KubeletVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realm in a pod: its certificate and key are in a Secret volume, which the kubelet updates by
 * swapping a {@code ..data} symbolic link ({@link KubeletVolume}). A renewed certificate is served
 * to new connections without a restart, and WebSockets opened before keep going (with their
 * subscriptions), which is why the operator keeps the certificate out of the pod template: a
 * restart would drop every WebSocket and the retained events.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesSecretReloadTest {
    @TempDir Path dir;

    @Test
    void aRenewedCertificateInASecretVolumeIsServedWithoutARestart() throws Exception {
        X509Bundle ca =
                new CertificateBuilder()
                        .notBefore(Instant.now().minus(1, ChronoUnit.HOURS))
                        .notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                        .ecp256()
                        .subject("CN=Realm Test CA")
                        .setIsCertificateAuthority(true)
                        .buildSelfSigned();
        KubeletVolume tls = new KubeletVolume(dir.resolve("tls"));
        tls.write(pair(ca, "first"));
        assertThat(Files.isSymbolicLink(tls.file("tls.crt"))).isTrue();

        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .wssPort(0)
                                        .tls(tls.file("tls.crt"), tls.file("tls.key"))
                                        .certPoll(Duration.ofMillis(100)));
                RealmClient early =
                        RealmClient.builder(realm.wssUri())
                                .trust(ca.getCertificate())
                                .noReconnect()
                                .build()) {
            early.connect().get(5, TimeUnit.SECONDS);
            Inbox inbox = new Inbox();
            early.subscribe("renewal", inbox).get(5, TimeUnit.SECONDS);
            assertThat(servedSubject(realm, ca)).isEqualTo("CN=first");
            int port = realm.wss().getPort();

            // No sleep for the file system's clock: the swap gives new files, which is what the
            // realm notices.
            tls.write(pair(ca, "second"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!servedSubject(realm, ca).equals("CN=second")) {
                assertThat(System.nanoTime())
                        .as("the renewed certificate is served")
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(realm.server().metrics().render())
                    .contains("realmgate_realm_certificate_reloads_total 1");
            assertThat(realm.wss().getPort()).as("same listener: no restart").isEqualTo(port);

            try (RealmClient late =
                    RealmClient.builder(realm.wssUri()).trust(ca.getCertificate()).build()) {
                late.connect().get(5, TimeUnit.SECONDS);
                late.publish("renewal", "\"after renewal\"").get(5, TimeUnit.SECONDS);
            }
            assertThat(inbox.next().data())
                    .as("the WebSocket opened before the renewal still receives")
                    .isEqualTo("\"after renewal\"");
            assertThat(early.lastCloseCode()).isZero();
        }
    }

    private static Map<String, String> pair(X509Bundle ca, String cn) throws Exception {
        Instant now = Instant.now();
        X509Bundle b =
                new CertificateBuilder()
                        .notBefore(now.minus(1, ChronoUnit.HOURS))
                        .notAfter(now.plus(1, ChronoUnit.DAYS))
                        .ecp256()
                        .subject("CN=" + cn)
                        .addSanDnsName("localhost")
                        .addSanIpAddress("127.0.0.1")
                        .addExtendedKeyUsageServerAuth()
                        .buildIssuedBy(ca);
        return Map.of("tls.crt", b.getCertificatePEM(), "tls.key", b.getPrivateKeyPEM());
    }

    private static String servedSubject(RunningRealm realm, X509Bundle ca) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        try (SSLSocket s =
                (SSLSocket)
                        ctx.getSocketFactory().createSocket("127.0.0.1", realm.wss().getPort())) {
            s.setSoTimeout(5000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
        }
    }
}
