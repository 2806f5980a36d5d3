package io.realmgate.operator.tls;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Issues server certificates for realm wss and proxy TLS listeners, signed by the operator's CA. The
 * implementation keeps the CA in a Secret of the operator's namespace (see OperatorSettings); dependents
 * call it from {@code desired()} so an existing, still-valid certificate is kept as it is (a reconcile that
 * finds everything in place writes nothing).
 */
public interface CertificateIssuer {

    /**
     * The certificate to use for {@code dnsNames}: {@code existing} when it is still good (same names, signed
     * by a CA in the current bundle, not due for renewal at {@code now}), a freshly issued one otherwise.
     *
     * @param existing the Secret's current {@code tls.crt} and {@code tls.key}, if any
     */
    IssuedCertificate certificateFor(List<String> dnsNames, Optional<IssuedCertificate> existing, Instant now);

    /** PEM of every CA certificate clients should trust now (current CA, and the previous one while it is rolled out). */
    String caBundle();

    /** When the next certificate or CA action falls due, so the reconciler can reschedule itself. */
    Instant nextRenewal(IssuedCertificate certificate);
}
