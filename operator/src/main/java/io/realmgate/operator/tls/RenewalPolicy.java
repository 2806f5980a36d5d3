package io.realmgate.operator.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a certificate (or the CA) must be replaced. Pure: the caller passes the time.
 *
 * <p>A certificate is renewed when less than {@code renewBefore} of its validity remains, when its
 * DNS names are not the ones wanted (compared as a set, case-insensitively: DNS names are), when no
 * CA of the current bundle signed it, or when its key is not the certificate's key.
 *
 * @param renewBefore how long before expiry a certificate is replaced
 */
public record RenewalPolicy(Duration renewBefore) {

    /** The moment from which {@code notAfter} counts as due. */
    public Instant renewAt(Instant notAfter) {
        return notAfter.minus(renewBefore);
    }

    /** Whether less than renewBefore remains at {@code now}. */
    public boolean due(Instant notAfter, Instant now) {
        return now.isAfter(renewAt(notAfter));
    }

    /** Why {@code certificate} must be replaced, or empty when it is still good. */
    public Optional<String> whyRenew(
            X509Certificate certificate,
            PrivateKey key,
            List<String> wantedNames,
            CaState ca,
            Instant now) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (due(notAfter, now)) {
            return Optional.of(
                    "it expires at " + notAfter + ", less than " + renewBefore + " after " + now);
        }
        Set<String> has = normalised(Certificates.dnsNames(certificate));
        Set<String> wanted = normalised(wantedNames);
        if (!has.equals(wanted)) {
            return Optional.of("its DNS names " + has + " are not " + wanted);
        }
        if (!ca.inBundle(certificate)) {
            return Optional.of(
                    "no CA of the current bundle signed it (issuer "
                            + certificate.getIssuerX500Principal().getName()
                            + ")");
        }
        if (!Certificates.keyMatches(key, certificate.getPublicKey())) {
            return Optional.of("its private key does not belong to it");
        }
        if (!Certificates.signedBy(certificate, ca.current().certificate())) {
            return Optional.of(
                    "a CA that no longer signs signed it (issuer "
                            + certificate.getIssuerX500Principal().getName()
                            + "); the new CA signs since the rotation's overlap ended");
        }
        return Optional.empty();
    }

    private static Set<String> normalised(List<String> names) {
        Set<String> set = new TreeSet<>();
        names.forEach(n -> set.add(n.toLowerCase(Locale.ROOT)));
        return set;
    }
}
