package io.realmgate.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Renewal decisions at fixed clocks: 90-day certificates renewed 30 days before expiry. */
class RenewalPolicyTest {
    private static final Clock ISSUED =
            Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final List<String> NAMES =
            List.of("prices-realm.apps.svc.cluster.local", "prices-realm.apps.svc");

    private final RenewalPolicy policy = new RenewalPolicy(Duration.ofDays(30));
    private final CaState ca = CaState.create(ISSUED.instant(), Duration.ofDays(3650));
    private final CertifiedKey leaf =
            Certificates.issueServer(ca.current(), NAMES, ISSUED.instant(), Duration.ofDays(90));

    private static Instant after(Duration d) {
        return Clock.offset(ISSUED, d).instant();
    }

    @Test
    void keptWhileMoreThanRenewBeforeRemains() {
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(), leaf.privateKey(), NAMES, ca, ISSUED.instant()))
                .isEmpty();
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES,
                                ca,
                                after(Duration.ofDays(59))))
                .isEmpty();
        // Exactly renewBefore left: not yet "less than".
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES,
                                ca,
                                after(Duration.ofDays(60))))
                .isEmpty();
    }

    @Test
    void renewedWhenLessThanRenewBeforeRemains() {
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES,
                                ca,
                                after(Duration.ofDays(60).plusSeconds(1))))
                .hasValueSatisfying(
                        why -> assertThat(why).startsWith("it expires at 2030-04-01T00:00:00Z"));
        assertThat(policy.renewAt(leaf.notAfter())).isEqualTo(after(Duration.ofDays(60)));
        assertThat(policy.due(leaf.notAfter(), after(Duration.ofDays(91)))).isTrue();
    }

    @Test
    void renewedWhenTheNamesDifferButNotForOrderOrCase() {
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                List.of(
                                        "PRICES-REALM.apps.svc",
                                        "prices-realm.apps.svc.cluster.local"),
                                ca,
                                ISSUED.instant()))
                .isEmpty();
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                List.of(
                                        "prices-realm.apps.svc.cluster.local",
                                        "prices-realm.apps.svc",
                                        "prices.example.com"),
                                ca,
                                ISSUED.instant()))
                .hasValue(
                        "its DNS names [prices-realm.apps.svc, prices-realm.apps.svc.cluster.local] are not "
                                + "[prices-realm.apps.svc, prices-realm.apps.svc.cluster.local, prices.example.com]");
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES.subList(0, 1),
                                ca,
                                ISSUED.instant()))
                .isPresent();
    }

    @Test
    void renewedWhenNoCaOfTheBundleSignedIt() {
        CaState other = CaState.create(ISSUED.instant(), Duration.ofDays(3650));
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES,
                                other,
                                ISSUED.instant()))
                .hasValueSatisfying(
                        why -> assertThat(why).startsWith("no CA of the current bundle signed it"));
    }

    @Test
    void keptWhileANewCaIsStagedAndReissuedOnceItSigns() {
        // The rotation's first step puts the next CA in the bundle; the current CA still signs, so
        // its certificates are kept...
        CaState staged = ca.staged(after(Duration.ofDays(1)), Duration.ofDays(3650));
        assertThat(staged.bundle())
                .containsExactly(ca.current().certificate(), staged.next().get().certificate());
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES,
                                staged,
                                after(Duration.ofDays(1))))
                .isEmpty();
        // ...and once the next CA signs, they are reissued, though the old CA is still trusted.
        CaState promoted = staged.promoted();
        assertThat(promoted.bundle())
                .containsExactly(staged.next().get().certificate(), ca.current().certificate());
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                leaf.privateKey(),
                                NAMES,
                                promoted,
                                after(Duration.ofDays(2))))
                .hasValueSatisfying(
                        why -> assertThat(why).startsWith("a CA that no longer signs signed it"));
    }

    @Test
    void renewedWhenTheKeyIsNotTheCertificates() {
        CertifiedKey other =
                Certificates.issueServer(
                        ca.current(), NAMES, ISSUED.instant(), Duration.ofDays(90));
        assertThat(
                        policy.whyRenew(
                                leaf.certificate(),
                                other.privateKey(),
                                NAMES,
                                ca,
                                ISSUED.instant()))
                .hasValue("its private key does not belong to it");
    }

    @Test
    void caDueFollowsTheSameRule() {
        Instant caExpiry = ca.current().notAfter();
        assertThat(policy.due(caExpiry, caExpiry.minus(Duration.ofDays(31)))).isFalse();
        assertThat(policy.due(caExpiry, caExpiry.minus(Duration.ofDays(29)))).isTrue();
    }
}
