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
 * new; during the first step of a rotation the next CA, which is already trusted but signs nothing
 * yet; and the certificates of previous CAs still trusted. Clients trust the {@link #bundle()}
 * (current first, then the next one, then the previous ones, newest first), so a server certificate
 * signed by the previous CA stays trusted until it is replaced, and one the next CA will sign is
 * trusted before it exists. When each step happens is {@link CaSchedule}'s to say. Immutable and
 * free of I/O; {@link OperatorCa} stores it in a Secret.
 *
 * @param current the CA that signs
 * @param next the CA that signs after the rotation's overlap; empty outside a rotation
 * @param previous earlier CA certificates still in the bundle (their keys are gone: they sign
 *     nothing)
 */
public record CaState(
        CertifiedKey current, Optional<CertifiedKey> next, List<X509Certificate> previous) {

    public CaState {
        X509Certificate nextCertificate = next.map(CertifiedKey::certificate).orElse(null);
        previous =
                previous.stream()
                        .filter(c -> !c.equals(current.certificate()) && !c.equals(nextCertificate))
                        .sorted(Comparator.comparing(X509Certificate::getNotAfter).reversed())
                        .toList();
    }

    /** A state outside a rotation: no next CA. */
    public CaState(CertifiedKey current, List<X509Certificate> previous) {
        this(current, Optional.empty(), previous);
    }

    /** A first CA. */
    public static CaState create(Instant now, Duration validity) {
        return new CaState(Certificates.createCa(now, validity), List.of());
    }

    /**
     * A new current CA at once (both steps of a rotation with no overlap); the old one moves to the
     * bundle, CAs that have expired at {@code now} leave it.
     */
    public CaState rotated(Instant now, Duration validity) {
        return staged(now, validity).promoted().withoutExpired(now);
    }

    /**
     * The rotation's first step: a new CA joins the bundle as the next one; the current CA keeps
     * signing. A state that already has a next CA is returned as it is.
     */
    public CaState staged(Instant now, Duration validity) {
        return next.isPresent()
                ? this
                : new CaState(current, Optional.of(Certificates.createCa(now, validity)), previous);
    }

    /**
     * The rotation's second step: the next CA signs from now on; the old current CA stays in the
     * bundle as a previous one. Without a next CA, this state.
     */
    public CaState promoted() {
        if (next.isEmpty()) {
            return this;
        }
        List<X509Certificate> kept = new ArrayList<>(previous);
        kept.add(current.certificate());
        return new CaState(next.get(), Optional.empty(), kept);
    }

    /** This state without the previous CAs that have expired at {@code now}. */
    public CaState withoutExpired(Instant now) {
        List<X509Certificate> kept = unexpired(previous, now);
        return kept.size() == previous.size() ? this : new CaState(current, next, kept);
    }

    /** This state without the previous CA {@code retired}. */
    public CaState without(X509Certificate retired) {
        List<X509Certificate> kept = previous.stream().filter(c -> !c.equals(retired)).toList();
        return kept.size() == previous.size() ? this : new CaState(current, next, kept);
    }

    /**
     * The certificates clients trust: the current CA first, then the next one, then the previous
     * ones.
     */
    public List<X509Certificate> bundle() {
        List<X509Certificate> bundle = new ArrayList<>(previous.size() + 2);
        bundle.add(current.certificate());
        next.ifPresent(n -> bundle.add(n.certificate()));
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
