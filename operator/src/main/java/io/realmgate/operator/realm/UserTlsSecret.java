package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Secret;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A user's own TLS Secret (spec.tls.secretName), checked before the realm pods mount it: present,
 * holding a certificate and key that read as PEM, not expired. Whatever is wrong is reported in the
 * CertificateReady condition; the pods mount the Secret regardless, so they start once it is fixed.
 */
final class UserTlsSecret {
    private UserTlsSecret() {}

    /**
     * @param secret the Secret as the informer has it; null when there is none
     */
    static WssCertificate check(String secretName, String namespace, Secret secret, Instant now) {
        if (secret == null) {
            return WssCertificate.unusable(
                    secretName,
                    Optional.empty(),
                    WssCertificate.SECRET_NOT_FOUND,
                    "Secret " + secretName + " not found in namespace " + namespace);
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Optional<IssuedCertificate> certificate = TlsSecrets.read(secret);
        Optional<String> caBundle =
                certificate.map(IssuedCertificate::caBundlePem).filter(pem -> !pem.isBlank());
        if (!data.containsKey(TlsSecrets.TLS_CRT) || !data.containsKey(TlsSecrets.TLS_KEY)) {
            return WssCertificate.unusable(
                    secretName,
                    caBundle,
                    WssCertificate.SECRET_INVALID,
                    "Secret "
                            + secretName
                            + " needs the keys "
                            + TlsSecrets.TLS_CRT
                            + " and "
                            + TlsSecrets.TLS_KEY
                            + " (a "
                            + TlsSecrets.TYPE
                            + " Secret)");
        }
        if (certificate.isEmpty()) {
            return WssCertificate.unusable(
                    secretName,
                    caBundle,
                    WssCertificate.SECRET_INVALID,
                    "Secret "
                            + secretName
                            + ": "
                            + TlsSecrets.TLS_CRT
                            + " and "
                            + TlsSecrets.TLS_KEY
                            + " do not read as a PEM certificate and private key");
        }
        Instant notAfter = certificate.get().notAfter();
        if (!notAfter.isAfter(now)) {
            return WssCertificate.unusable(
                    secretName,
                    caBundle,
                    WssCertificate.CERTIFICATE_EXPIRED,
                    "Secret " + secretName + ": the certificate expired at " + notAfter);
        }
        return WssCertificate.userSecret(secretName, caBundle, notAfter);
    }
}
