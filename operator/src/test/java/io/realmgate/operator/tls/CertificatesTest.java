package io.realmgate.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificatesTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final List<String> NAMES =
            List.of(
                    "prices-realm.apps.svc.cluster.local",
                    "prices-realm.apps.svc",
                    "prices-realm.apps",
                    "prices-realm",
                    "prices.example.com");

    private final CertifiedKey ca = Certificates.createCa(NOW, Duration.ofDays(3650));

    @Test
    void caMaySignServerCertificatesOnly() {
        X509Certificate certificate = ca.certificate();
        assertThat(certificate.getBasicConstraints()).as("CA with path length 0").isZero();
        boolean[] usage = certificate.getKeyUsage();
        assertThat(usage[5]).as("keyCertSign").isTrue();
        assertThat(usage[0]).as("digitalSignature").isFalse();
        assertThat(certificate.getSubjectX500Principal())
                .isEqualTo(certificate.getIssuerX500Principal());
        assertThat(certificate.getSubjectX500Principal().getName())
                .isEqualTo("CN=Realmgate CA 20300101T000000Z,O=Realmgate");
        assertThat(certificate.getNotAfter().toInstant())
                .isEqualTo(NOW.plus(Duration.ofDays(3650)));
        assertThat(certificate.getNotBefore().toInstant())
                .isEqualTo(NOW.minus(Certificates.CLOCK_SKEW));
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(Certificates.signedBy(certificate, certificate)).isTrue();
    }

    @Test
    void serverCertificateCarriesTheNamesServerAuthAndTheValidityAsked() throws Exception {
        CertifiedKey server = Certificates.issueServer(ca, NAMES, NOW, Duration.ofDays(90));
        X509Certificate certificate = server.certificate();

        assertThat(Certificates.dnsNames(certificate)).containsExactlyElementsOf(NAMES);
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(certificate.getSubjectX500Principal().getName())
                .isEqualTo("CN=prices-realm.apps.svc.cluster.local,O=Realmgate");
        assertThat(certificate.getIssuerX500Principal())
                .isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(90)));
        assertThat(certificate.getNotBefore().toInstant())
                .isEqualTo(NOW.minus(Certificates.CLOCK_SKEW));
        assertThat(certificate.getSerialNumber().signum()).isPositive();
        assertThat(certificate.getSerialNumber().bitLength()).isLessThanOrEqualTo(159);
        assertThat(Certificates.keyMatches(server.privateKey(), certificate.getPublicKey()))
                .isTrue();
        assertThat(Certificates.signedBy(certificate, ca.certificate())).isTrue();
    }

    @Test
    void serialNumbersAndKeysDifferPerCertificate() {
        CertifiedKey a = Certificates.issueServer(ca, NAMES, NOW, Duration.ofDays(90));
        CertifiedKey b = Certificates.issueServer(ca, NAMES, NOW, Duration.ofDays(90));
        assertThat(a.certificate().getSerialNumber())
                .isNotEqualTo(b.certificate().getSerialNumber());
        assertThat(a.certificate().getPublicKey()).isNotEqualTo(b.certificate().getPublicKey());
        assertThat(Certificates.keyMatches(a.privateKey(), b.certificate().getPublicKey()))
                .isFalse();
    }

    @Test
    void jdkPkixValidatesTheChainWhileBothAreValid() {
        X509Certificate leaf =
                Certificates.issueServer(ca, NAMES, NOW, Duration.ofDays(90)).certificate();
        String bundle = Pem.certificate(ca.certificate());
        assertThatCode(() -> Pkix.validate(leaf, bundle, NOW)).doesNotThrowAnyException();
        assertThatCode(() -> Pkix.validate(leaf, bundle, NOW.plus(Duration.ofDays(89))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> Pkix.validate(leaf, bundle, NOW.plus(Duration.ofDays(91))))
                .isInstanceOf(CertPathValidatorException.class)
                .hasRootCauseInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void anotherCaDoesNotValidate() {
        X509Certificate leaf =
                Certificates.issueServer(ca, NAMES, NOW, Duration.ofDays(90)).certificate();
        CertifiedKey stranger = Certificates.createCa(NOW, Duration.ofDays(3650));
        assertThat(Certificates.signedBy(leaf, stranger.certificate())).isFalse();
        assertThatThrownBy(() -> Pkix.validate(leaf, Pem.certificate(stranger.certificate()), NOW))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void jdkTrustManagerAcceptsItAsAServerCertificate() throws Exception {
        Instant now = Instant.now();
        CertifiedKey realCa = Certificates.createCa(now, Duration.ofDays(1));
        X509Certificate leaf =
                Certificates.issueServer(realCa, NAMES, now, Duration.ofHours(1)).certificate();
        var trust = Pkix.trustManager(Pem.certificate(realCa.certificate()));
        assertThatCode(() -> trust.checkServerTrusted(new X509Certificate[] {leaf}, "ECDHE_ECDSA"))
                .doesNotThrowAnyException();
        CertifiedKey stranger = Certificates.createCa(now, Duration.ofDays(1));
        X509Certificate foreign =
                Certificates.issueServer(stranger, NAMES, now, Duration.ofHours(1)).certificate();
        assertThatThrownBy(
                        () ->
                                trust.checkServerTrusted(
                                        new X509Certificate[] {foreign}, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void aServerCertificateNeverOutlivesItsCa() {
        CertifiedKey shortCa = Certificates.createCa(NOW, Duration.ofDays(10));
        X509Certificate leaf =
                Certificates.issueServer(shortCa, NAMES, NOW, Duration.ofDays(90)).certificate();
        assertThat(leaf.getNotAfter()).isEqualTo(shortCa.certificate().getNotAfter());
        assertThatThrownBy(
                        () ->
                                Certificates.issueServer(
                                        shortCa,
                                        NAMES,
                                        NOW.plus(Duration.ofDays(11)),
                                        Duration.ofDays(90)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has expired");
    }

    @Test
    void aLongFirstNameStaysOutOfTheCommonNameButInTheSans() {
        String longName = "a".repeat(60) + ".apps.svc.cluster.local";
        X509Certificate leaf =
                Certificates.issueServer(ca, List.of(longName), NOW, Duration.ofDays(1))
                        .certificate();
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("O=Realmgate");
        assertThat(Certificates.dnsNames(leaf)).containsExactly(longName);
    }

    @Test
    void noNamesNoCertificate() {
        assertThatThrownBy(() -> Certificates.issueServer(ca, List.of(), NOW, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyPrintsNowhere() {
        assertThat(ca.toString())
                .startsWith("CertifiedKey[CN=Realmgate CA")
                .doesNotContain("PRIVATE");
    }

    @Test
    void addressesAmongTheNamesBecomeIpSansAndTheCommonNameStaysADnsName() throws Exception {
        List<String> names = List.of("10.244.0.1", "0:0:0:0:0:0:0:1", "prices-realm", "realm.test");
        X509Certificate certificate =
                Certificates.issueServer(ca, names, NOW, Duration.ofDays(90)).certificate();

        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactly(
                        List.of(7, "10.244.0.1"),
                        List.of(7, "0:0:0:0:0:0:0:1"),
                        List.of(2, "prices-realm"),
                        List.of(2, "realm.test"));
        assertThat(Certificates.dnsNames(certificate)).containsExactlyElementsOf(names);
        assertThat(certificate.getSubjectX500Principal().getName())
                .isEqualTo("CN=prices-realm,O=Realmgate");
    }
}
