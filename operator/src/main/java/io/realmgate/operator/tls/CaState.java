package io.realmgate.operator.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The operator's CA at one moment: the current CA (certificate and key), which signs everything
 * new, and the certificates of previous CAs that have not expired yet. Clients trust the {@link
 * #bundle()} (current first, then the previous ones, newest first), so a server certificate signed
 * by the previous CA stays trusted until it is replaced. Immutable and free of I/O; {@link
 * OperatorCa} stores it in a Secret.
 *
 * @param current the CA that signs
 * @param previous earlier CA certificates still in the bundle (their keys are gone: they sign
 *     nothing)
 */
public record CaState(CertifiedKey current, List<X509Certificate> previous) {

    public CaState {
        previous =
                previous.stream()
                        .filter(c -> !c.equals(current.certificate()))
                        .sorted(Comparator.comparing(X509Certificate::getNotAfter).reversed())
                        .toList();
    }

    /** A first CA. */
    public static CaState create(Instant now, Duration validity) {
        return new CaState(Certificates.createCa(now, validity), List.of());
    }

    /**
     * A new current CA; the old one moves to the bundle, CAs that have expired at {@code now} leave
     * it.
     */
    public CaState rotated(Instant now, Duration validity) {
        List<X509Certificate> kept = new ArrayList<>(previous);
        kept.add(current.certificate());
        return new CaState(Certificates.createCa(now, validity), unexpired(kept, now));
    }

    /** This state without the previous CAs that have expired at {@code now}. */
    public CaState withoutExpired(Instant now) {
        List<X509Certificate> kept = unexpired(previous, now);
        return kept.size() == previous.size() ? this : new CaState(current, kept);
    }

    /** The certificates clients trust: the current CA first, then the previous ones. */
    public List<X509Certificate> bundle() {
        List<X509Certificate> bundle = new ArrayList<>(previous.size() + 1);
        bundle.add(current.certificate());
        bundle.addAll(previous);
        return bundle;
    }

    public String bundlePem() {
        return Pem.certificates(bundle());
    }

    /** Whether a CA of the bundle signed {@code certificate}. */
    public boolean inBundle(X509Certificate certificate) {
        return bundle().stream().anyMatch(ca -> Certificates.signedBy(certificate, ca));
    }

    /** When the next previous CA expires, so the bundle shrinks. */
    public Optional<Instant> nextPreviousExpiry() {
        return previous.stream()
                .map(c -> c.getNotAfter().toInstant())
                .min(Comparator.naturalOrder());
    }

    private static List<X509Certificate> unexpired(
            List<X509Certificate> certificates, Instant now) {
        return certificates.stream().filter(c -> c.getNotAfter().toInstant().isAfter(now)).toList();
    }
}
