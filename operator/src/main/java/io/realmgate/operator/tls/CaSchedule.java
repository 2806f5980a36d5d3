package io.realmgate.operator.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * When the operator's CA takes each step of a two-step rotation. Pure: the caller passes the time.
 *
 * <ol>
 *   <li><b>Staged:</b> once less than {@code renewBefore + overlap} remains on the current CA, or
 *       when a rotation is requested, a new CA is created and joins the bundle as the next CA; the
 *       current CA keeps signing. Every bundle published from then on trusts both.
 *   <li><b>Promoted:</b> {@code overlap} after the next CA was created (or once the current CA is
 *       due, whichever comes first) the next CA signs; server certificates the old CA signed are
 *       reissued ({@link RenewalPolicy}). The old CA stays in the bundle.
 *   <li><b>Retired:</b> a previous CA leaves the bundle when no certificate it signed can still be
 *       valid: at its own expiry, or {@code certificateValidity} after its successor began to sign,
 *       whichever comes first.
 * </ol>
 *
 * A client that took the bundle during the overlap trusts every certificate served in every step.
 * The times are read from the certificates themselves (a CA is created {@link
 * Certificates#CLOCK_SKEW} after its notBefore), so the Secret needs no other record of them. With
 * no overlap the first two steps happen together: the rotation of one step.
 *
 * @param renewBefore a CA with less than this left is replaced
 * @param overlap how long a new CA is trusted before it signs
 * @param caValidity the lifetime of a new CA
 * @param certificateValidity the longest a server certificate lives
 */
public record CaSchedule(
        Duration renewBefore, Duration overlap, Duration caValidity, Duration certificateValidity) {

    public CaSchedule {
        if (overlap.isNegative()) {
            throw new IllegalArgumentException("overlap (" + overlap + ") must not be negative");
        }
    }

    /** When a rotation starts by itself: less than renewBefore + overlap left on the current CA. */
    public Instant stageAt(CaState state) {
        return state.current().notAfter().minus(renewBefore).minus(overlap);
    }

    /** When the next CA signs: overlap after it was created, or once the current CA is due. */
    public Instant promoteAt(CaState state, CertifiedKey next) {
        Instant afterOverlap = created(next.certificate()).plus(overlap);
        Instant currentDue = state.current().notAfter().minus(renewBefore);
        return afterOverlap.isBefore(currentDue) ? afterOverlap : currentDue;
    }

    /**
     * When a previous CA leaves the bundle: at its expiry, or certificateValidity after the CA that
     * followed it began to sign.
     */
    public Instant retireAt(CaState state, X509Certificate previous) {
        Instant expiry = previous.getNotAfter().toInstant();
        Instant created = created(previous);
        Optional<Instant> successorSigns =
                signers(state).stream()
                        .map(CaSchedule::created)
                        .filter(c -> c.isAfter(created))
                        .min(Comparator.naturalOrder())
                        .map(c -> c.plus(overlap));
        return successorSigns
                .map(s -> s.plus(certificateValidity))
                .filter(at -> at.isBefore(expiry))
                .orElse(expiry);
    }

    /**
     * The state at {@code now}: staged, promoted and pruned as due. Returns {@code state} itself
     * when nothing is due.
     *
     * @param rotationRequested whether someone asked for a rotation (the CA Secret's annotation);
     *     ignored while a rotation is under way
     */
    public CaState advance(CaState state, Instant now, boolean rotationRequested) {
        CaState s = state;
        // Strictly after, as RenewalPolicy#due: with no overlap, the one-step rotation as before.
        if (s.next().isEmpty() && (rotationRequested || now.isAfter(stageAt(s)))) {
            s = s.staged(now, caValidity);
        }
        if (s.next().isPresent() && !now.isBefore(promoteAt(s, s.next().get()))) {
            s = s.promoted();
        }
        for (X509Certificate previous : List.copyOf(s.previous())) {
            if (!now.isBefore(retireAt(s, previous))) {
                s = s.without(previous);
            }
        }
        return s;
    }

    /** When {@link #advance} next changes {@code state} (without a request). */
    public Instant nextStep(CaState state) {
        List<Instant> times = new ArrayList<>();
        times.add(state.next().map(n -> promoteAt(state, n)).orElseGet(() -> stageAt(state)));
        state.previous().forEach(p -> times.add(retireAt(state, p)));
        return times.stream().min(Comparator.naturalOrder()).orElseThrow();
    }

    /** The moment a CA of ours was created: its validity starts CLOCK_SKEW earlier. */
    static Instant created(X509Certificate ca) {
        return ca.getNotBefore().toInstant().plus(Certificates.CLOCK_SKEW);
    }

    private static List<X509Certificate> signers(CaState state) {
        return Stream.concat(
                        Stream.of(state.current().certificate()),
                        Stream.concat(
                                state.next().map(CertifiedKey::certificate).stream(),
                                state.previous().stream()))
                .toList();
    }
}
