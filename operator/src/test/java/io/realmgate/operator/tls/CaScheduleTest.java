package io.realmgate.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two-step rotation's schedule: a new CA is trusted before it signs, a client holding the
 * bundle of the first step verifies every certificate served afterwards (JDK PKIX), and the old CA
 * leaves once nothing it signed can be valid.
 */
class CaScheduleTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration CA_VALIDITY = Duration.ofDays(365);
    private static final Duration CERT_VALIDITY = Duration.ofDays(90);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Duration OVERLAP = Duration.ofDays(2);
    private static final List<String> NAMES = List.of("prices-realm.apps.svc");

    private final CaSchedule schedule =
            new CaSchedule(RENEW_BEFORE, OVERLAP, CA_VALIDITY, CERT_VALIDITY);
    private final RenewalPolicy policy = new RenewalPolicy(RENEW_BEFORE);

    @Test
    void aNewCaIsTrustedForTheOverlapBeforeItSigns() throws Exception {
        CaState first = CaState.create(T0, CA_VALIDITY);
        Instant stageAt = first.current().notAfter().minus(RENEW_BEFORE).minus(OVERLAP);
        assertThat(schedule.nextStep(first)).isEqualTo(stageAt);
        assertThat(schedule.advance(first, stageAt, false)).isSameAs(first);

        // Step 1: the next CA joins the bundle; the old one still signs.
        Instant stagedAt = stageAt.plusSeconds(1);
        CaState staged = schedule.advance(first, stagedAt, false);
        assertThat(staged.current()).isEqualTo(first.current());
        CertifiedKey next = staged.next().orElseThrow();
        assertThat(staged.bundle())
                .containsExactly(first.current().certificate(), next.certificate());
        String bundleOfStepOne = staged.bundlePem();
        Instant promoteAt = schedule.promoteAt(staged, next);
        // The overlap would end a second after the current CA falls due; it signs until then.
        assertThat(promoteAt).isEqualTo(stageAt.plus(OVERLAP));
        assertThat(schedule.nextStep(staged)).isEqualTo(promoteAt);
        assertThat(schedule.advance(staged, promoteAt.minusSeconds(1), false)).isSameAs(staged);

        CertifiedKey oldIssued =
                Certificates.issueServer(staged.current(), NAMES, stagedAt, CERT_VALIDITY);
        X509Certificate oldLeaf = oldIssued.certificate();
        assertThatCode(() -> Pkix.validate(oldLeaf, bundleOfStepOne, stagedAt))
                .doesNotThrowAnyException();

        // Step 2: after the overlap the next CA signs; the old one stays trusted.
        CaState promoted = schedule.advance(staged, promoteAt, false);
        assertThat(promoted.current()).isEqualTo(next);
        assertThat(promoted.next()).isEmpty();
        assertThat(promoted.bundle())
                .containsExactly(next.certificate(), first.current().certificate());
        X509Certificate newLeaf =
                Certificates.issueServer(promoted.current(), NAMES, promoteAt, CERT_VALIDITY)
                        .certificate();
        // The client that took the bundle in step 1 and never read it again verifies both.
        assertThatCode(() -> Pkix.validate(newLeaf, bundleOfStepOne, promoteAt))
                .doesNotThrowAnyException();
        assertThatCode(() -> Pkix.validate(oldLeaf, promoted.bundlePem(), promoteAt))
                .doesNotThrowAnyException();
        // A bundle taken before step 1 would not have: what the overlap is for.
        assertThatThrownBy(() -> Pkix.validate(newLeaf, first.bundlePem(), promoteAt))
                .isInstanceOf(CertPathValidatorException.class);
        // The old CA's certificate is reissued in step 2.
        assertThat(policy.whyRenew(oldLeaf, oldIssued.privateKey(), NAMES, promoted, promoteAt))
                .hasValueSatisfying(
                        why -> assertThat(why).startsWith("a CA that no longer signs signed it"));

        // Step 3: the old CA leaves when it expires (here before certificateValidity has passed).
        Instant retireAt = schedule.retireAt(promoted, first.current().certificate());
        assertThat(retireAt).isEqualTo(first.current().notAfter());
        assertThat(schedule.advance(promoted, retireAt.minusSeconds(1), false)).isSameAs(promoted);
        CaState retired = schedule.advance(promoted, retireAt, false);
        assertThat(retired.bundle()).containsExactly(next.certificate());
        assertThatCode(() -> Pkix.validate(newLeaf, retired.bundlePem(), retireAt))
                .doesNotThrowAnyException();
    }

    @Test
    void aRequestedRotationRetiresTheOldCaOnceItsCertificatesHaveExpired() {
        CaState first = CaState.create(T0, CA_VALIDITY);
        Instant requested = T0.plus(Duration.ofDays(10));
        CaState staged = schedule.advance(first, requested, true);
        assertThat(staged.next()).isPresent();
        // A second request during the overlap changes nothing.
        assertThat(schedule.advance(staged, requested.plusSeconds(60), true)).isSameAs(staged);

        Instant promoteAt = requested.plus(OVERLAP);
        CaState promoted = schedule.advance(staged, promoteAt, false);
        assertThat(promoted.current()).isEqualTo(staged.next().get());
        // The last certificate the old CA signed ends certificateValidity after step 2 at the
        // latest, long before the old CA's own expiry.
        Instant retireAt = schedule.retireAt(promoted, first.current().certificate());
        assertThat(retireAt).isEqualTo(promoteAt.plus(CERT_VALIDITY));
        assertThat(schedule.nextStep(promoted)).isEqualTo(retireAt);
        assertThat(schedule.advance(promoted, retireAt, false).bundle())
                .containsExactly(promoted.current().certificate());
    }

    @Test
    void withoutOverlapTheRotationIsOneStep() {
        CaSchedule oneStep =
                new CaSchedule(RENEW_BEFORE, Duration.ZERO, CA_VALIDITY, CERT_VALIDITY);
        CaState first = CaState.create(T0, CA_VALIDITY);
        Instant due = first.current().notAfter().minus(RENEW_BEFORE);
        assertThat(oneStep.advance(first, due, false)).isSameAs(first);
        CaState rotated = oneStep.advance(first, due.plusSeconds(1), false);
        assertThat(rotated.next()).isEmpty();
        assertThat(rotated.current()).isNotEqualTo(first.current());
        assertThat(rotated.previous()).containsExactly(first.current().certificate());
    }

    @Test
    void theCurrentCaFallingDueEndsTheOverlapEarly() {
        // The operator was down through the overlap's start: staged late, promoted when due.
        CaState first = CaState.create(T0, CA_VALIDITY);
        Instant due = first.current().notAfter().minus(RENEW_BEFORE);
        CaState late = schedule.advance(first, due.minus(Duration.ofHours(1)), false);
        assertThat(late.next()).isPresent();
        assertThat(schedule.promoteAt(late, late.next().get())).isEqualTo(due);
    }

    @Test
    void aNegativeOverlapIsRefused() {
        assertThatThrownBy(
                        () ->
                                new CaSchedule(
                                        RENEW_BEFORE,
                                        Duration.ofSeconds(-1),
                                        CA_VALIDITY,
                                        CERT_VALIDITY))
                .hasMessageContaining("overlap (PT-1S) must not be negative");
    }
}
