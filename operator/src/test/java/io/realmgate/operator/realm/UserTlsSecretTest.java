package io.realmgate.operator.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.realmgate.operator.tls.Certificates;
import io.realmgate.operator.tls.CertifiedKey;
import io.realmgate.operator.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A user's own TLS Secret, checked with real certificates from the operator's certificate code. */
class UserTlsSecretTest {
    private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
    private static final CertifiedKey CA =
            Certificates.createCa(NOW.minus(Duration.ofDays(1)), Duration.ofDays(365));

    @Test
    void aMissingSecretIsReportedAndMountedAnyway() {
        WssCertificate certificate = UserTlsSecret.check("own-cert", "apps", null, NOW);

        assertThat(certificate.ready()).isFalse();
        assertThat(certificate.reason()).isEqualTo("SecretNotFound");
        assertThat(certificate.message()).isEqualTo("Secret own-cert not found in namespace apps");
        assertThat(certificate.secretName()).isEqualTo("own-cert");
        assertThat(certificate.caBundle()).isEmpty();
        assertThat(certificate.issued()).isEmpty();
    }

    @Test
    void aValidCertificateIsUsedWithItsCaBundle() {
        CertifiedKey leaf = leaf(Duration.ofDays(30));
        WssCertificate certificate =
                UserTlsSecret.check("own-cert", "apps", secret(leaf, true), NOW);

        assertThat(certificate.ready()).isTrue();
        assertThat(certificate.reason()).isEqualTo("SecretProvided");
        assertThat(certificate.message())
                .isEqualTo(
                        "Secret own-cert provides the certificate; valid until " + leaf.notAfter());
        assertThat(certificate.caBundle()).contains(Pem.certificate(CA.certificate()));
        assertThat(certificate.recheckAt()).contains(leaf.notAfter());
        assertThat(UserTlsSecret.check("own-cert", "apps", secret(leaf, false), NOW).caBundle())
                .as("no ca.crt: no bundle to publish")
                .isEmpty();
    }

    @Test
    void anExpiredCertificateIsReported() {
        CertifiedKey leaf =
                Certificates.issueServer(
                        CA,
                        List.of("realm.example.com"),
                        NOW.minus(Duration.ofDays(2)),
                        Duration.ofDays(1));
        WssCertificate certificate =
                UserTlsSecret.check("own-cert", "apps", secret(leaf, true), NOW);

        assertThat(certificate.ready()).isFalse();
        assertThat(certificate.reason()).isEqualTo("CertificateExpired");
        assertThat(certificate.message())
                .isEqualTo("Secret own-cert: the certificate expired at " + leaf.notAfter());
    }

    @Test
    void aSecretWithoutTlsKeysOrWithGarbageIsInvalid() {
        Secret opaque =
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("own-cert")
                        .endMetadata()
                        .withData(Map.of("password", base64("x")))
                        .build();
        WssCertificate noKeys = UserTlsSecret.check("own-cert", "apps", opaque, NOW);
        assertThat(noKeys.reason()).isEqualTo("SecretInvalid");
        assertThat(noKeys.message())
                .isEqualTo(
                        "Secret own-cert needs the keys tls.crt and tls.key (a kubernetes.io/tls Secret)");

        Secret garbage =
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("own-cert")
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .withData(
                                Map.of(
                                        "tls.crt",
                                        base64("not a certificate"),
                                        "tls.key",
                                        base64("not a key")))
                        .build();
        WssCertificate unreadable = UserTlsSecret.check("own-cert", "apps", garbage, NOW);
        assertThat(unreadable.ready()).isFalse();
        assertThat(unreadable.reason()).isEqualTo("SecretInvalid");
        assertThat(unreadable.message())
                .contains("do not read as a PEM certificate and private key");
    }

    private static CertifiedKey leaf(Duration validity) {
        return Certificates.issueServer(CA, List.of("realm.example.com"), NOW, validity);
    }

    private static Secret secret(CertifiedKey leaf, boolean withCa) {
        Map<String, String> data = new TreeMap<>();
        data.put("tls.crt", base64(Pem.certificate(leaf.certificate())));
        data.put("tls.key", base64(Pem.privateKey(leaf.privateKey())));
        if (withCa) {
            data.put("ca.crt", base64(Pem.certificate(CA.certificate())));
        }
        return new SecretBuilder()
                .withNewMetadata()
                .withName("own-cert")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(data)
                .build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
