package io.realmgate.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaSecretTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void stateRoundTripsThroughATlsSecret() {
        CaState state =
                CaState.create(NOW, Duration.ofDays(10))
                        .rotated(NOW.plus(Duration.ofDays(9)), Duration.ofDays(10));
        Secret secret = CaSecret.toSecret("realmgate-system", "realmgate-ca", state, "42");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca-bundle.crt");
        assertThat(secret.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(secret.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "realmgate-operator");
        assertThat(TlsSecrets.decode(secret.getData().get("tls.crt")))
                .isEqualTo(Pem.certificate(state.current().certificate()));

        CaState read = CaSecret.fromSecret(secret);
        assertThat(read).isEqualTo(state);
        assertThat(read.bundle()).hasSize(2);
    }

    @Test
    void aHandMadeCaSecretWithoutBundleIsUsable() {
        CaState state = CaState.create(NOW, Duration.ofDays(10));
        Secret secret = CaSecret.toSecret("ns", "ca", state, null);
        secret.getData().remove(CaSecret.BUNDLE_KEY);
        assertThat(CaSecret.fromSecret(secret).bundle())
                .containsExactly(state.current().certificate());
    }

    @Test
    void unusableSecretsAreNamedWithTheirKey() {
        CaState state = CaState.create(NOW, Duration.ofDays(10));
        Secret noKey = CaSecret.toSecret("ns", "ca", state, null);
        noKey.getData().remove("tls.key");
        assertThatThrownBy(() -> CaSecret.fromSecret(noKey))
                .hasMessage("CA Secret ns/ca has no tls.key");

        Secret otherKey = CaSecret.toSecret("ns", "ca", state, null);
        otherKey.getData()
                .put(
                        "tls.key",
                        TlsSecrets.base64(
                                Pem.privateKey(
                                        CaState.create(NOW, Duration.ofDays(1))
                                                .current()
                                                .privateKey())));
        assertThatThrownBy(() -> CaSecret.fromSecret(otherKey))
                .hasMessage("CA Secret ns/ca: tls.key is not the key of tls.crt");

        CertifiedKey leaf =
                Certificates.issueServer(state.current(), List.of("x"), NOW, Duration.ofDays(1));
        Secret notCa =
                new SecretBuilder()
                        .withNewMetadata()
                        .withNamespace("ns")
                        .withName("ca")
                        .endMetadata()
                        .withData(
                                Map.of(
                                        "tls.crt",
                                        TlsSecrets.base64(Pem.certificate(leaf.certificate())),
                                        "tls.key",
                                        TlsSecrets.base64(Pem.privateKey(leaf.privateKey()))))
                        .build();
        assertThatThrownBy(() -> CaSecret.fromSecret(notCa))
                .hasMessage("CA Secret ns/ca: tls.crt is not a CA certificate");
    }

    @Test
    void existingServerCertificatesAreReadFromTlsSecrets() {
        CaState ca = CaState.create(NOW, Duration.ofDays(10));
        CertifiedKey leaf =
                Certificates.issueServer(
                        ca.current(), List.of("a.example", "b.example"), NOW, Duration.ofDays(5));
        String certificate = Pem.certificate(leaf.certificate());
        String key = Pem.privateKey(leaf.privateKey());
        Secret secret =
                new SecretBuilder()
                        .withType("kubernetes.io/tls")
                        .withData(
                                Map.of(
                                        "tls.crt",
                                        TlsSecrets.base64(certificate),
                                        "tls.key",
                                        TlsSecrets.base64(key),
                                        "ca.crt",
                                        TlsSecrets.base64(ca.bundlePem())))
                        .build();
        IssuedCertificate read = TlsSecrets.read(secret).orElseThrow();
        assertThat(read.certificatePem()).isEqualTo(certificate);
        assertThat(read.privateKeyPem()).isEqualTo(key);
        assertThat(read.caBundlePem()).isEqualTo(ca.bundlePem());
        assertThat(read.dnsNames()).containsExactly("a.example", "b.example");
        assertThat(read.notAfter()).isEqualTo(NOW.plus(Duration.ofDays(5)));
        assertThat(read.toString()).doesNotContain("PRIVATE").contains("a.example");

        // stringData (as a user may write it) works as well; missing or broken content reads as
        // nothing.
        Secret stringData =
                new SecretBuilder()
                        .withStringData(Map.of("tls.crt", certificate, "tls.key", key))
                        .build();
        assertThat(TlsSecrets.read(stringData))
                .map(IssuedCertificate::dnsNames)
                .contains(List.of("a.example", "b.example"));
        assertThat(TlsSecrets.read(null)).isEmpty();
        assertThat(
                        TlsSecrets.read(
                                new SecretBuilder()
                                        .withData(Map.of("tls.crt", TlsSecrets.base64(certificate)))
                                        .build()))
                .isEmpty();
        assertThat(
                        TlsSecrets.read(
                                new SecretBuilder()
                                        .withData(
                                                Map.of(
                                                        "tls.crt",
                                                        "not base64!",
                                                        "tls.key",
                                                        TlsSecrets.base64(key)))
                                        .build()))
                .isEqualTo(Optional.empty());
    }
}
