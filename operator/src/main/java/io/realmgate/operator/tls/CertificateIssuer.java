package io.realmgate.operator.tls;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Issues server certificates for realm wss and proxy TLS listeners, signed by the operator's CA.
 * The implementation ({@link OperatorCa}) keeps the CA in a Secret of the operator's namespace (see
 * OperatorSettings); dependents call it from {@code desired()} so an existing, still-valid
 * certificate is kept as it is (a reconcile that finds everything in place writes nothing).
 * Thread-safe. Methods may read or write the CA Secret (creating or rotating the CA) and then throw
 * the client's exception when the API server fails.
 */
public interface CertificateIssuer {

    /**
     * The certificate to use for {@code dnsNames}: {@code existing} when it is still good (same
     * names as a set, signed by a CA in the current bundle, its key matching, not due for renewal
     * at {@code now}), with the current CA bundle; a freshly issued one otherwise. Deterministic
     * for an unchanged CA and a good existing certificate: equal inputs give an equal result.
     *
     * @param existing the Secret's current {@code tls.crt} and {@code tls.key}, if any (see {@link
     *     TlsSecrets#read})
     */
    IssuedCertificate certificateFor(
            List<String> dnsNames, Optional<IssuedCertificate> existing, Instant now);

    /**
     * PEM of every CA certificate clients should trust now (current CA, and the previous one while
     * it is rolled out).
     */
    String caBundle();

    /**
     * When the next certificate or CA action falls due, so the reconciler can reschedule itself:
     * the earliest of the certificate's renewal, the CA's renewal, and a previous CA leaving the
     * bundle.
     */
    Instant nextRenewal(IssuedCertificate certificate);
}
