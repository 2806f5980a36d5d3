package io.realmgate.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;

class PemTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void certificatesAndPkcs8KeysRoundTrip() {
        CertifiedKey ca = Certificates.createCa(NOW, Duration.ofDays(1));
        CertifiedKey other = Certificates.createCa(NOW, Duration.ofDays(2));
        String bundle = Pem.certificates(List.of(ca.certificate(), other.certificate()));
        assertThat(bundle)
                .startsWith("-----BEGIN CERTIFICATE-----\n")
                .endsWith("-----END CERTIFICATE-----\n");
        assertThat(bundle.lines()).allMatch(l -> l.length() <= 64);
        assertThat(Pem.readCertificates(bundle))
                .containsExactly(ca.certificate(), other.certificate());
        assertThat(Pem.readCertificate(bundle)).isEqualTo(ca.certificate());

        String key = Pem.privateKey(ca.privateKey());
        assertThat(key)
                .startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Pem.readPrivateKey(key)).isEqualTo(ca.privateKey());
    }

    @Test
    void pkcs1RsaKeysAreReadToo() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(pair.getPrivate()); // traditional PKCS#1
        }
        assertThat(text.toString()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Certificates.keyMatches(Pem.readPrivateKey(text.toString()), pair.getPublic()))
                .isTrue();
    }

    /**
     * A throwaway test key made by {@code openssl ecparam -name prime256v1 -genkey -noout} (SEC1,
     * with its curve).
     */
    private static final String OPENSSL_SEC1_KEY =
            """
            -----BEGIN EC PRIVATE KEY-----
            MHcCAQEEICTScD1HetCxFZtwxO++mXrzpWOnjm1RJA7jBcgWd5FuoAoGCCqGSM49
            AwEHoUQDQgAEg2dEfbyZsofP0nKCJqSFk+bWSr18p2yBBJInOlgOqWMwUvRTRs19
            6fxUdnwGIoTxBTEcZ5CF3aALP18FLY0QLQ==
            -----END EC PRIVATE KEY-----
            """;

    /** Its public key ({@code openssl ec -pubout}), DER of the SubjectPublicKeyInfo in base64. */
    private static final String OPENSSL_SEC1_PUBLIC =
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEg2dEfbyZsofP0nKCJqSFk+bWSr18"
                    + "p2yBBJInOlgOqWMwUvRTRs196fxUdnwGIoTxBTEcZ5CF3aALP18FLY0QLQ==";

    @Test
    void sec1EcKeysAreReadToo() throws Exception {
        PublicKey publicKey =
                KeyFactory.getInstance("EC")
                        .generatePublic(
                                new X509EncodedKeySpec(
                                        Base64.getDecoder().decode(OPENSSL_SEC1_PUBLIC)));
        PrivateKey read = Pem.readPrivateKey(OPENSSL_SEC1_KEY);
        assertThat(read.getAlgorithm()).isEqualTo("EC");
        assertThat(Certificates.keyMatches(read, publicKey)).isTrue();
    }

    @Test
    void unreadableTextIsRefusedWithoutQuotingIt() {
        String secretLooking =
                "-----BEGIN PRIVATE KEY-----\nTOPSECRETBYTES\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> Pem.readPrivateKey(secretLooking))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("TOPSECRETBYTES");
        assertThatThrownBy(() -> Pem.readPrivateKey("no pem here"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no unencrypted private key in the PEM text");
        assertThatThrownBy(() -> Pem.readCertificates(""))
                .isInstanceOf(IllegalArgumentException.class);
        CertifiedKey ca = Certificates.createCa(NOW, Duration.ofDays(1));
        assertThatThrownBy(() -> Pem.readPrivateKey(Pem.certificate(ca.certificate())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
