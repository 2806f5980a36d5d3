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
 * A CA change as clients see it: at every moment of a rotation, every certificate in service
 * validates (JDK PKIX) against the bundle published at that moment.
 */
class CaRotationTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration CA_VALIDITY = Duration.ofDays(365);
    private static final Duration CERT_VALIDITY = Duration.ofDays(90);
    private static final List<String> NAMES = List.of("prices-realm.apps.svc");

    @Test
    void rotationKeepsOldAndNewCaInTheBundleUntilTheOldExpires() throws Exception {
        CaState first = CaState.create(T0, CA_VALIDITY);
        Instant rotation =
                T0.plus(Duration.ofDays(340)); // 25 days left: due with renewBefore 30 days
        X509Certificate oldLeaf =
                Certificates.issueServer(
                                first.current(),
                                NAMES,
                                rotation.minus(Duration.ofDays(1)),
                                CERT_VALIDITY)
                        .certificate();
        assertThat(oldLeaf.getNotAfter())
                .as("capped at the CA's expiry")
                .isEqualTo(first.current().certificate().getNotAfter());

        CaState second = first.rotated(rotation, CA_VALIDITY);
        assertThat(second.current().certificate()).isNotEqualTo(first.current().certificate());
        assertThat(second.bundle())
                .containsExactly(second.current().certificate(), first.current().certificate());
        assertThat(Pem.readCertificates(second.bundlePem()))
                .containsExactlyElementsOf(second.bundle());
        assertThat(second.previous()).containsExactly(first.current().certificate());

        X509Certificate newLeaf =
                Certificates.issueServer(second.current(), NAMES, rotation, CERT_VALIDITY)
                        .certificate();
        assertThat(Certificates.signedBy(newLeaf, second.current().certificate())).isTrue();
        // Both leaves validate against the bundle during the change.
        assertThatCode(() -> Pkix.validate(oldLeaf, second.bundlePem(), rotation))
                .doesNotThrowAnyException();
        assertThatCode(() -> Pkix.validate(newLeaf, second.bundlePem(), rotation))
                .doesNotThrowAnyException();
        // A client that only knew the new CA would have refused the server still on the old one.
        assertThatThrownBy(
                        () ->
                                Pkix.validate(
                                        oldLeaf,
                                        Pem.certificate(second.current().certificate()),
                                        rotation))
                .isInstanceOf(CertPathValidatorException.class);

        // The old CA stays until it has expired, then leaves the bundle; the new leaf keeps
        // validating.
        Instant beforeOldExpiry = first.current().notAfter().minusSeconds(1);
        assertThat(second.withoutExpired(beforeOldExpiry)).isSameAs(second);
        assertThat(second.nextPreviousExpiry()).contains(first.current().notAfter());
        Instant afterOldExpiry = first.current().notAfter().plusSeconds(1);
        CaState pruned = second.withoutExpired(afterOldExpiry);
        assertThat(pruned.bundle()).containsExactly(second.current().certificate());
        assertThat(pruned.current()).isEqualTo(second.current());
        assertThatCode(() -> Pkix.validate(newLeaf, pruned.bundlePem(), afterOldExpiry))
                .doesNotThrowAnyException();
    }

    @Test
    void aSecondRotationDropsCasThatHaveExpired() {
        CaState first = CaState.create(T0, Duration.ofDays(10));
        CaState second = first.rotated(T0.plus(Duration.ofDays(9)), Duration.ofDays(10));
        CaState third = second.rotated(T0.plus(Duration.ofDays(18)), Duration.ofDays(10));
        assertThat(third.bundle())
                .containsExactly(third.current().certificate(), second.current().certificate());
    }
}
