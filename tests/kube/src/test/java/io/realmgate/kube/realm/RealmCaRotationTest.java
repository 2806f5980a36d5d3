package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.certificates;
import static io.realmgate.kube.realm.RealmCluster.decode;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.OperatorSettings;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two-step CA rotation through the realm reconciler on a real API server, in real time with a
 * CA of three minutes: renewed 40 seconds before expiry, with an overlap of 40 seconds. The
 * reconciler comes back by itself at each step (no event needed). The test watches the realm's CA
 * bundle ConfigMap and the certificate in its TLS Secret (what the realm serves) and sees, in this
 * order: the old CA alone; old and new CA in the bundle while the old CA still signs; the new CA
 * signing, the old one still trusted; the new CA alone. Every certificate served along the way
 * validates (JDK PKIX) against the bundle taken in the first step, which that client never reads
 * again. The CA lives in a namespace of its own, so its short lifetimes touch no other test's CA.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RealmCaRotationTest {
    private static final String NS = "realm-ca-rotation";
    private static final Duration CA_VALIDITY = Duration.ofMinutes(3);
    private static final Duration RENEW_BEFORE = Duration.ofSeconds(40);
    private static final Duration OVERLAP = Duration.ofSeconds(40);

    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        OperatorSettings defaults = OperatorHarness.testSettings();
        OperatorSettings settings =
                new OperatorSettings(
                                defaults.realmImage(),
                                defaults.proxyImage(),
                                defaults.clusterDomain(),
                                "realm-ca-rotation-system",
                                defaults.caSecretName(),
                                CA_VALIDITY,
                                // Longer than the CA: every certificate ends with its CA, so the
                                // leaf falls due exactly when the new CA begins to sign.
                                Duration.ofMinutes(10),
                                RENEW_BEFORE,
                                defaults.podNetworks())
                        .withCaRotationOverlap(OVERLAP);
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, settings, Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    /** One look at the bundle and the served certificate. */
    private record Seen(List<X509Certificate> bundle, X509Certificate served, String bundlePem) {
        X509Certificate signer() {
            return bundle.stream()
                    .filter(
                            ca ->
                                    ca.getSubjectX500Principal()
                                            .equals(served.getIssuerX500Principal()))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new AssertionError(
                                            "no CA of the bundle "
                                                    + subjects(bundle)
                                                    + " issued the served certificate (issuer "
                                                    + served.getIssuerX500Principal()
                                                    + ")"));
        }
    }

    @Test
    void theNewCaIsInEveryBundleBeforeItSignsAndTheOldOneLeavesLast() throws Exception {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: rotating}
        spec: {}
        """);
        cluster.awaitRealm(
                "rotating", "CertificateReady", r -> is(r, "CertificateReady", "True", "Issued"));

        Seen first = look().orElseThrowSeen();
        assertThat(first.bundle()).hasSize(1);
        X509Certificate oldCa = first.bundle().get(0);
        assertThat(first.signer()).isEqualTo(oldCa);

        // Phases in the order seen; each distinct (bundle, signer) pair once.
        List<String> phases = new ArrayList<>();
        String firstStepBundle = null;
        X509Certificate newCa = null;
        Instant deadline = Instant.now().plus(CA_VALIDITY).plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            Seen seen = look().orElseThrowSeen();
            X509Certificate signer = seen.signer();
            if (seen.bundle().size() == 2 && firstStepBundle == null) {
                // The first step: the new CA is trusted, the old one still signs.
                assertThat(signer).as("the old CA signs during the overlap").isEqualTo(oldCa);
                firstStepBundle = seen.bundlePem();
                newCa =
                        seen.bundle().stream()
                                .filter(ca -> !ca.equals(oldCa))
                                .findFirst()
                                .orElseThrow();
            }
            if (firstStepBundle != null) {
                // The client that took the first step's bundle verifies whatever is served now.
                validate(seen.served(), firstStepBundle);
            }
            validate(seen.served(), seen.bundlePem());
            // Named by the CAs in it (old before new: the bundle and the Secret are two reads,
            // and the order within the bundle says nothing a client uses) and the signer.
            String phase =
                    (seen.bundle().contains(oldCa) ? "old" : "")
                            + (seen.bundle().contains(oldCa) && seen.bundle().size() > 1 ? "+" : "")
                            + (seen.bundle().stream().anyMatch(ca -> !ca.equals(oldCa))
                                    ? "new"
                                    : "")
                            + " signed by "
                            + (signer.equals(oldCa) ? "old" : "new");
            if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase)) {
                phases.add(phase);
            }
            if (newCa != null && seen.bundle().equals(List.of(newCa))) {
                break;
            }
            Thread.sleep(500);
        }
        if (newCa == null) {
            fail("the new CA never joined the bundle; phases seen: " + phases);
        }
        assertThat(phases)
                .as("the CAs in the bundle and the signer, in each phase")
                .containsExactly(
                        "old signed by old",
                        "old+new signed by old",
                        "old+new signed by new",
                        "new signed by new");
        // The old CA left when it expired, not before.
        assertThat(Instant.now()).isAfterOrEqualTo(oldCa.getNotAfter().toInstant());
    }

    /** The bundle ConfigMap and TLS Secret as they are now (read bundle first, then the leaf). */
    private Looked look() {
        ConfigMap bundle = cluster.caBundle("rotating");
        Secret tls = cluster.tlsSecret("rotating");
        return new Looked(bundle, tls);
    }

    private record Looked(ConfigMap bundle, Secret tls) {
        Seen orElseThrowSeen() {
            assertThat(bundle).as("CA bundle ConfigMap").isNotNull();
            assertThat(tls).as("TLS Secret").isNotNull();
            String pem = bundle.getData().get("ca.crt");
            return new Seen(certificates(pem), certificates(decode(tls, "tls.crt")).get(0), pem);
        }
    }

    private static String subjects(List<X509Certificate> bundle) {
        return bundle.stream()
                .map(ca -> ca.getSubjectX500Principal().toString())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static void validate(X509Certificate leaf, String bundlePem) throws Exception {
        PKIXParameters parameters =
                new PKIXParameters(
                        new LinkedHashSet<>(
                                certificates(bundlePem).stream()
                                        .map(ca -> new TrustAnchor(ca, null))
                                        .toList()));
        parameters.setRevocationEnabled(false);
        parameters.setDate(new Date());
        try {
            CertPathValidator.getInstance("PKIX")
                    .validate(
                            CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)),
                            parameters);
        } catch (CertPathValidatorException e) {
            throw new AssertionError(
                    "the served certificate (issuer "
                            + leaf.getIssuerX500Principal()
                            + ") does not validate against "
                            + subjects(certificates(bundlePem))
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
