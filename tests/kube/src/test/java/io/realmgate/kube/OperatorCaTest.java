package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.OperatorCa;
import io.realmgate.operator.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's CA in a real Secret on a real API server: created once with the right type and
 * keys, reused by a second operator instance, agreed on by racing instances, and rotated (with
 * short lifetimes and moved clocks) keeping the old CA in the bundle until it has expired.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(120)
class OperatorCaTest {
    private static final List<String> NAMES =
            List.of("prices-realm.apps.svc.cluster.local", "prices-realm.apps.svc");

    private static final Duration OVERLAP = Duration.ofHours(2);

    private final KubernetesClient client;

    OperatorCaTest(KubernetesClient client) {
        this.client = client;
    }

    private OperatorSettings settings(
            String namespace, Duration ca, Duration certificate, Duration renewBefore) {
        OperatorSettings d = OperatorSettings.defaults();
        OperatorHarness.ensureNamespace(client, namespace);
        client.secrets().inNamespace(namespace).withName(d.caSecretName()).delete();
        client.secrets()
                .inNamespace(namespace)
                .withName(d.caSecretName())
                .waitUntilCondition(s -> s == null, 30, TimeUnit.SECONDS);
        return new OperatorSettings(
                d.realmImage(),
                d.proxyImage(),
                d.clusterDomain(),
                namespace,
                d.caSecretName(),
                ca,
                certificate,
                renewBefore,
                d.podNetworks());
    }

    private OperatorSettings settings(String namespace) {
        OperatorSettings d = OperatorSettings.defaults();
        return settings(namespace, d.caValidity(), d.certificateValidity(), d.renewBefore());
    }

    private Secret caSecret(OperatorSettings settings) {
        return client.secrets()
                .inNamespace(settings.operatorNamespace())
                .withName(settings.caSecretName())
                .get();
    }

    private static String decoded(Secret secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    private static void validate(String certificatePem, String bundlePem, Instant at)
            throws Exception {
        X509Certificate leaf = Pem.readCertificate(certificatePem);
        PKIXParameters parameters =
                new PKIXParameters(
                        Pem.readCertificates(bundlePem).stream()
                                .map(ca -> new TrustAnchor(ca, null))
                                .collect(Collectors.toSet()));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX")
                .validate(
                        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)),
                        parameters);
    }

    @Test
    void caSecretIsCreatedOnceAndASecondInstanceReusesIt() throws Exception {
        OperatorSettings settings = settings("ca-reuse");
        MovableClock clock = new MovableClock(Instant.now());
        OperatorCa first = new OperatorCa(client, settings, clock);
        String bundle = first.caBundle();

        Secret secret = caSecret(settings);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca-bundle.crt");
        assertThat(secret.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "realmgate-operator");
        X509Certificate ca = Pem.readCertificate(decoded(secret, "tls.crt"));
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(Pem.readCertificates(decoded(secret, "ca-bundle.crt"))).containsExactly(ca);
        assertThat(Pem.readCertificates(bundle)).containsExactly(ca);
        assertThat(decoded(secret, "tls.key")).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(first.caNotAfter()).isEqualTo(ca.getNotAfter().toInstant());

        // A second operator (a restart, or the next leader) uses the stored CA: same bundle,
        // nothing written.
        OperatorCa second = new OperatorCa(client, settings, clock);
        assertThat(second.caBundle()).isEqualTo(bundle);
        assertThat(caSecret(settings).getMetadata().getResourceVersion())
                .isEqualTo(secret.getMetadata().getResourceVersion());

        // What one issues, a client trusting the other's bundle accepts.
        IssuedCertificate issued = second.certificateFor(NAMES, Optional.empty(), clock.instant());
        validate(issued.certificatePem(), bundle, clock.instant());
        assertThat(issued.caBundlePem()).isEqualTo(bundle);
        assertThat(issued.dnsNames()).containsExactlyElementsOf(NAMES);
        assertThat(issued.notAfter())
                .isEqualTo(
                        clock.instant()
                                .plus(settings.certificateValidity())
                                .truncatedTo(ChronoUnit.SECONDS));

        // A certificate that is still good comes back unchanged.
        IssuedCertificate again =
                first.certificateFor(
                        List.of(NAMES.get(1), NAMES.get(0)), Optional.of(issued), clock.instant());
        assertThat(again).isEqualTo(issued);
        assertThat(first.nextRenewal(issued))
                .isEqualTo(issued.notAfter().minus(settings.renewBefore()));
    }

    @Test
    void racingInstancesAgreeOnOneCa() throws Exception {
        OperatorSettings settings = settings("ca-race");
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> bundles = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                OperatorCa ca = new OperatorCa(client, settings, Clock.systemUTC());
                bundles.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    return ca.caBundle();
                                }));
            }
            start.countDown();
            List<String> seen = new ArrayList<>();
            for (Future<String> f : bundles) {
                seen.add(f.get(60, TimeUnit.SECONDS));
            }
            String stored = decoded(caSecret(settings), "ca-bundle.crt");
            assertThat(seen)
                    .as("every instance uses the CA that was stored")
                    .allMatch(stored::equals);
            assertThat(Pem.readCertificates(stored)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneInstanceServesConcurrentReconcilers() throws Exception {
        OperatorSettings settings = settings("ca-concurrent");
        OperatorCa ca = new OperatorCa(client, settings, Clock.systemUTC());
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<IssuedCertificate>> issued = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                List<String> names = List.of("realm-" + i + ".apps.svc");
                issued.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    return ca.certificateFor(
                                            names, Optional.empty(), Instant.now());
                                }));
            }
            start.countDown();
            List<IssuedCertificate> certificates = new ArrayList<>();
            for (Future<IssuedCertificate> f : issued) {
                certificates.add(f.get(60, TimeUnit.SECONDS));
            }
            String bundle = decoded(caSecret(settings), "ca-bundle.crt");
            for (IssuedCertificate certificate : certificates) {
                assertThat(certificate.caBundlePem()).isEqualTo(bundle);
                validate(certificate.certificatePem(), bundle, Instant.now());
            }
            // One CA, written once.
            assertThat(caSecret(settings).getMetadata().getManagedFields()).hasSize(1);
            assertThat(Pem.readCertificates(bundle)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rotationKeepsOldAndNewCaInTheBundleUntilTheOldOneExpires() throws Exception {
        OperatorSettings settings =
                settings(
                        "ca-rotation",
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(6),
                        Duration.ofMinutes(5));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MovableClock clock = new MovableClock(t0);
        OperatorCa operator = new OperatorCa(client, settings, clock);
        X509Certificate firstCa = Pem.readCertificate(operator.caBundle());
        IssuedCertificate oldLeaf = operator.certificateFor(NAMES, Optional.empty(), t0);

        // 4.5 minutes left on the CA, less than renewBefore: a new CA, the old one stays in the
        // bundle.
        clock.advance(Duration.ofSeconds(330));
        Instant rotation = clock.instant();
        String bundle = operator.caBundle();
        Secret rotated = caSecret(settings);
        X509Certificate secondCa = Pem.readCertificate(decoded(rotated, "tls.crt"));
        assertThat(secondCa).isNotEqualTo(firstCa);
        assertThat(Pem.readCertificates(bundle)).containsExactly(secondCa, firstCa);
        assertThat(decoded(rotated, "ca-bundle.crt")).isEqualTo(bundle);
        assertThat(operator.caNotAfter()).isEqualTo(rotation.plus(Duration.ofMinutes(10)));

        // The server still on the old CA is trusted by the new bundle; its replacement comes from
        // the new CA.
        validate(oldLeaf.certificatePem(), bundle, rotation);
        IssuedCertificate newLeaf = operator.certificateFor(NAMES, Optional.of(oldLeaf), rotation);
        assertThat(newLeaf.certificatePem()).isNotEqualTo(oldLeaf.certificatePem());
        assertThat(Pem.readCertificate(newLeaf.certificatePem()).getIssuerX500Principal())
                .isEqualTo(secondCa.getSubjectX500Principal());
        validate(newLeaf.certificatePem(), bundle, rotation);
        assertThat(newLeaf.caBundlePem()).isEqualTo(bundle);

        // Another instance reading now sees the same rotated CA and writes nothing.
        OperatorCa other = new OperatorCa(client, settings, new MovableClock(rotation));
        assertThat(other.caBundle()).isEqualTo(bundle);
        assertThat(caSecret(settings).getMetadata().getResourceVersion())
                .isEqualTo(rotated.getMetadata().getResourceVersion());

        // Past the old CA's expiry (and the cache's re-read time), the bundle is the new CA alone.
        clock.advance(Duration.ofMinutes(5));
        assertThat(Pem.readCertificates(operator.caBundle())).containsExactly(secondCa);
        assertThat(Pem.readCertificates(decoded(caSecret(settings), "ca-bundle.crt")))
                .containsExactly(secondCa);
        assertThat(Pem.readCertificate(decoded(caSecret(settings), "tls.crt"))).isEqualTo(secondCa);
        validate(newLeaf.certificatePem(), operator.caBundle(), clock.instant());
    }

    @Test
    void anAnnotatedSecretStartsATwoStepRotation() throws Exception {
        OperatorSettings settings = settings("ca-rotate-request").withCaRotationOverlap(OVERLAP);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MovableClock clock = new MovableClock(t0);
        OperatorCa operator = new OperatorCa(client, settings, clock);
        X509Certificate firstCa = Pem.readCertificate(operator.caBundle());
        IssuedCertificate oldLeaf = operator.certificateFor(NAMES, Optional.empty(), t0);

        // Someone asks for a rotation; the operator sees it when it reads the Secret again.
        client.secrets()
                .inNamespace(settings.operatorNamespace())
                .withName(settings.caSecretName())
                .edit(
                        s -> {
                            s.getMetadata()
                                    .setAnnotations(
                                            java.util.Map.of("realmgate.io/rotate-ca", "now"));
                            return s;
                        });
        clock.advance(Duration.ofSeconds(61));
        Instant staged = clock.instant();
        String stepOneBundle = operator.caBundle();
        Secret secret = caSecret(settings);
        assertThat(secret.getMetadata().getAnnotations())
                .as("the request is consumed")
                .doesNotContainKey("realmgate.io/rotate-ca");
        assertThat(secret.getData())
                .containsOnlyKeys("tls.crt", "tls.key", "next.crt", "next.key", "ca-bundle.crt");
        X509Certificate nextCa = Pem.readCertificate(decoded(secret, "next.crt"));
        assertThat(Pem.readCertificate(decoded(secret, "tls.crt"))).isEqualTo(firstCa);
        assertThat(Pem.readCertificates(stepOneBundle)).containsExactly(firstCa, nextCa);
        // The old CA still signs: the certificate is kept.
        IssuedCertificate kept = operator.certificateFor(NAMES, Optional.of(oldLeaf), staged);
        assertThat(kept.certificatePem()).isEqualTo(oldLeaf.certificatePem());
        assertThat(kept.caBundlePem()).isEqualTo(stepOneBundle);
        assertThat(operator.nextRenewal(kept)).isEqualTo(staged.plus(OVERLAP));

        // After the overlap the next CA signs; the certificate is reissued by it, and the client
        // holding the bundle of step one trusts it.
        clock.advance(OVERLAP);
        Instant promoted = clock.instant();
        IssuedCertificate reissued = operator.certificateFor(NAMES, Optional.of(kept), promoted);
        assertThat(Pem.readCertificate(reissued.certificatePem()).getIssuerX500Principal())
                .isEqualTo(nextCa.getSubjectX500Principal());
        validate(reissued.certificatePem(), stepOneBundle, promoted);
        validate(oldLeaf.certificatePem(), reissued.caBundlePem(), promoted);
        assertThat(Pem.readCertificates(reissued.caBundlePem())).containsExactly(nextCa, firstCa);
        Secret after = caSecret(settings);
        assertThat(Pem.readCertificate(decoded(after, "tls.crt"))).isEqualTo(nextCa);
        assertThat(after.getData()).doesNotContainKeys("next.crt", "next.key");
        // The old CA stays trusted until the last certificate it signed has expired
        // (certificateValidity after step 2); until then, what comes next is the renewal.
        clock.advance(settings.certificateValidity().minus(Duration.ofMinutes(1)));
        assertThat(Pem.readCertificates(operator.caBundle())).containsExactly(nextCa, firstCa);
        clock.advance(Duration.ofMinutes(1));
        assertThat(Pem.readCertificates(operator.caBundle())).containsExactly(nextCa);
    }

    @Test
    void twoStaleInstancesRotatingAtOnceLeaveOneNewCa() throws Exception {
        OperatorSettings settings =
                settings(
                        "ca-rotation-race",
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(6),
                        Duration.ofMinutes(5));
        MovableClock clock = new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        OperatorCa a = new OperatorCa(client, settings, clock);
        OperatorCa b = new OperatorCa(client, settings, clock);
        X509Certificate firstCa = Pem.readCertificate(a.caBundle());
        assertThat(Pem.readCertificate(b.caBundle())).isEqualTo(firstCa);

        clock.advance(Duration.ofSeconds(330));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<String> fromA =
                    pool.submit(
                            () -> {
                                start.await();
                                return a.caBundle();
                            });
            Future<String> fromB =
                    pool.submit(
                            () -> {
                                start.await();
                                return b.caBundle();
                            });
            start.countDown();
            String bundleA = fromA.get(60, TimeUnit.SECONDS);
            String bundleB = fromB.get(60, TimeUnit.SECONDS);
            // One rotation won; the loser re-read it instead of rotating on top of it (that would
            // leave 3 CAs).
            assertThat(bundleA).isEqualTo(bundleB);
            List<X509Certificate> cas = Pem.readCertificates(bundleA);
            assertThat(cas).hasSize(2);
            assertThat(cas.get(1)).isEqualTo(firstCa);
            assertThat(decoded(caSecret(settings), "ca-bundle.crt")).isEqualTo(bundleA);
        } finally {
            pool.shutdownNow();
        }
    }
}
