package io.realmgate.operator.realm;

import io.realmgate.operator.tls.IssuedCertificate;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The certificate a realm's wss listener serves, as the reconciler found it: issued by the
 * operator's CA (then the operator writes the TLS Secret), or the user's own Secret named by {@code
 * spec.tls.secretName} (then it only mounts it). The model needs the Secret to mount and the CA
 * bundle for clients; the status needs whether it is usable, why not, and when to look again.
 * Nothing of the certificate itself enters the pod template: the realm reloads it from the Secret
 * volume.
 *
 * @param secretName the kubernetes.io/tls Secret mounted into the realm pods
 * @param issued the certificate to write into the operator's TLS Secret; empty for a user's Secret
 * @param caBundle PEM clients should trust, published in the CA ConfigMap; empty when unknown (a
 *     user's Secret without ca.crt), then there is no ConfigMap
 * @param ready whether the listener has a usable certificate
 * @param reason CamelCase reason of the CertificateReady condition
 * @param message its message (never key material)
 * @param recheckAt when the certificate needs looking at again (renewal, expiry); empty: no fixed
 *     time
 */
public record WssCertificate(
        String secretName,
        Optional<IssuedCertificate> issued,
        Optional<String> caBundle,
        boolean ready,
        String reason,
        String message,
        Optional<Instant> recheckAt) {

    public static final String ISSUED = "Issued";
    public static final String SECRET_PROVIDED = "SecretProvided";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String SECRET_INVALID = "SecretInvalid";
    public static final String CERTIFICATE_EXPIRED = "CertificateExpired";

    public WssCertificate {
        Objects.requireNonNull(secretName, "secretName");
        Objects.requireNonNull(issued, "issued");
        Objects.requireNonNull(caBundle, "caBundle");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(recheckAt, "recheckAt");
    }

    /**
     * A certificate from the operator's CA, kept in the operator's TLS Secret {@code secretName}.
     */
    public static WssCertificate issued(
            String secretName, IssuedCertificate certificate, String caBundle, Instant renewAt) {
        return new WssCertificate(
                secretName,
                Optional.of(certificate),
                Optional.of(caBundle),
                true,
                ISSUED,
                "issued by the operator's CA for "
                        + String.join(", ", certificate.dnsNames())
                        + "; valid until "
                        + certificate.notAfter(),
                Optional.of(renewAt));
    }

    /** The user's Secret exists and holds a certificate that is valid now. */
    public static WssCertificate userSecret(
            String secretName, Optional<String> caBundle, Instant notAfter) {
        return new WssCertificate(
                secretName,
                Optional.empty(),
                caBundle,
                true,
                SECRET_PROVIDED,
                "Secret " + secretName + " provides the certificate; valid until " + notAfter,
                Optional.of(notAfter));
    }

    /**
     * The user's Secret cannot be used: missing, not a TLS Secret, unreadable or expired. The pods
     * still mount it: the kubelet waits for a missing Secret before it starts them, and a realm
     * that could not load the certificate exits and is restarted with whatever the volume holds by
     * then, so a fix is taken up without a new pod.
     */
    public static WssCertificate unusable(
            String secretName, Optional<String> caBundle, String reason, String message) {
        return new WssCertificate(
                secretName, Optional.empty(), caBundle, false, reason, message, Optional.empty());
    }

    @Override
    public String toString() {
        // The record's own toString would print the issued certificate's record, which hides the
        // key; be explicit.
        return "WssCertificate[" + secretName + ", " + reason + ", ready=" + ready + "]";
    }
}
