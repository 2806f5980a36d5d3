package io.realmgate.operator.tls;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Reading certificates out of {@code kubernetes.io/tls} Secrets: the operator's own TLS Secrets (to
 * keep a certificate that is still good) and users' Secrets named by {@code tls.secretName}.
 */
public final class TlsSecrets {
    public static final String TYPE = "kubernetes.io/tls";
    public static final String TLS_CRT = "tls.crt";
    public static final String TLS_KEY = "tls.key";

    /**
     * The CA bundle beside the certificate in the operator's TLS Secrets (the cert-manager
     * convention).
     */
    public static final String CA_CRT = "ca.crt";

    private TlsSecrets() {}

    /**
     * The certificate a Secret holds, for {@link CertificateIssuer#certificateFor}'s {@code
     * existing}: empty when the Secret is absent, lacks tls.crt or tls.key, or they cannot be read
     * (then a new certificate is issued). A Secret's {@code data} (base64, as the API server
     * returns it) or {@code stringData} are both read.
     */
    public static Optional<IssuedCertificate> read(Secret secret) {
        if (secret == null) {
            return Optional.empty();
        }
        Optional<String> certificate = value(secret, TLS_CRT);
        Optional<String> key = value(secret, TLS_KEY);
        if (certificate.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    fromPem(certificate.get(), key.get(), value(secret, CA_CRT).orElse("")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * An {@link IssuedCertificate} from PEM text; names and expiry are read from the (first)
     * certificate.
     *
     * @throws IllegalArgumentException when the certificate or the key cannot be read
     */
    public static IssuedCertificate fromPem(
            String certificatePem, String privateKeyPem, String caBundlePem) {
        X509Certificate leaf = Pem.readCertificate(certificatePem);
        Pem.readPrivateKey(
                privateKeyPem); // readable, or refused here rather than at the TLS handshake
        return new IssuedCertificate(
                certificatePem,
                privateKeyPem,
                caBundlePem,
                Certificates.dnsNames(leaf),
                leaf.getNotAfter().toInstant());
    }

    /** PEM text as a Secret's data value: base64 of its ASCII bytes (PEM is ASCII only). */
    public static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a Secret value is not base64", e);
        }
    }

    private static Optional<String> value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null && !data.get(key).isEmpty()) {
            try {
                return Optional.of(decode(data.get(key)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        Map<String, String> stringData = secret.getStringData();
        if (stringData != null && stringData.get(key) != null && !stringData.get(key).isEmpty()) {
            return Optional.of(stringData.get(key));
        }
        return Optional.empty();
    }
}
