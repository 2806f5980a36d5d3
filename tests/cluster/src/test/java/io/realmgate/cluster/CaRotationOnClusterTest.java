package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust across a CA rotation on the cluster, with the reference scenario's realm {@code prices}
 * (apps) and its clients in {@code trading}, behind the proxy {@code egress}:
 *
 * <ol>
 *   <li>the operator keeps the realm's CA bundle in {@code trading} (the proxy's clients), nobody
 *       copies it;
 *   <li>a rotation is requested (the CA Secret's annotation) and the overlap set short (chart value
 *       {@code ca.rotationOverlap}, whose upgrade restarts the operator, which reconciles every
 *       realm at once): the new CA reaches the bundle in trading first; a subscriber in trading
 *       starts then, reads the mounted bundle once (the Java client builds its TLS context at
 *       start) and keeps reconnecting with it; once the new CA signs the realm's certificate, both
 *       proxy pods are deleted, so the subscriber makes a new TLS handshake with the realm, now on
 *       the new CA, with the bundle it read in step 1, and receives every event.
 * </ol>
 *
 * What the design guarantees, and this checks: the bundle of step 1 already holds the new CA, so a
 * client that never reads it again verifies the realm in every later step.
 */
@Order(6)
class CaRotationOnClusterTest extends ClusterSteps {
    @TempDir Path tmp;

    private static final String BUNDLE = "prices-realm-ca";
    private static final String OVERLAP = "150s";

    @Test
    @Order(1)
    void theOperatorKeepsTheBundleInTheClientNamespace() {
        ConfigMap own = client.configMaps().inNamespace("apps").withName(BUNDLE).require();
        ConfigMap copy =
                Awaitility.await("the bundle in trading")
                        .atMost(120, TimeUnit.SECONDS)
                        .pollInterval(1, TimeUnit.SECONDS)
                        .until(
                                () ->
                                        client.configMaps()
                                                .inNamespace("trading")
                                                .withName(BUNDLE)
                                                .get(),
                                Objects::nonNull);
        assertThat(copy.getData()).isEqualTo(own.getData());
        assertThat(copy.getMetadata().getLabels())
                .containsEntry("realmgate.io/realm", "prices")
                .containsEntry("realmgate.io/realm-namespace", "apps")
                .containsEntry("app.kubernetes.io/managed-by", "realmgate-operator");
    }

    @Test
    @Order(2)
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aClientThatReadTheBundleInTheFirstStepVerifiesTheRealmAfterTheNewCaSigns()
            throws Exception {
        List<X509Certificate> before = bundle("trading");
        assertThat(before).as("one CA before the rotation").hasSize(1);
        X509Certificate oldCa = before.get(0);

        // Ask for a rotation, then restart the operator with a short overlap: on start it reads
        // the CA Secret (sees the request, stages the new CA) and reconciles every realm.
        kubectl.run(
                        "-n",
                        ReferenceScenarioOnClusterTest.OPERATOR_NS,
                        "annotate",
                        "secret",
                        "realmgate-ca",
                        "realmgate.io/rotate-ca=cluster-test",
                        "--overwrite")
                .orFail();
        new Helm(cluster.repo.resolve("helm/realmgate"))
                .upgrade()
                .withName(ReferenceScenarioOnClusterTest.RELEASE)
                .withNamespace(ReferenceScenarioOnClusterTest.OPERATOR_NS)
                .reuseValues()
                .set("ca.rotationOverlap", OVERLAP)
                .withKubeConfig(cluster.kubeconfig)
                .withTimeout(120)
                .call();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        ReferenceScenarioOnClusterTest.OPERATOR_NS,
                        "rollout",
                        "status",
                        "deployment/realmgate-operator",
                        "--timeout=150s")
                .orFail();
        try {
            // Step 1: the new CA in the bundle of the client namespace; the old CA still signs.
            List<X509Certificate> stepOne =
                    Awaitility.await("the new CA in the bundle in trading")
                            .atMost(120, TimeUnit.SECONDS)
                            .pollInterval(1, TimeUnit.SECONDS)
                            .until(() -> bundle("trading"), b -> b.size() == 2);
            X509Certificate newCa =
                    stepOne.stream().filter(c -> !c.equals(oldCa)).findFirst().orElseThrow();
            assertThat(issuer(servedCertificate())).isEqualTo(oldCa.getSubjectX500Principal());

            // A subscriber that reads this bundle once (its pod mounts the ConfigMap now), and a
            // publisher paced to outlast the overlap.
            startSubscriber();
            startPublisher();

            // Step 2: after the overlap the realm serves a certificate of the new CA, which the
            // bundle of step 1 verifies.
            X509Certificate served =
                    Awaitility.await("a certificate of the new CA served")
                            .atMost(300, TimeUnit.SECONDS)
                            .pollInterval(3, TimeUnit.SECONDS)
                            .ignoreExceptions()
                            .until(
                                    this::servedCertificate,
                                    c -> issuer(c).equals(newCa.getSubjectX500Principal()));
            validate(served, stepOne);

            // The subscriber's tunnel drops with the proxy pods; its reconnect is a new handshake
            // with the realm, verified with the bundle it read in step 1.
            client.pods()
                    .inNamespace("apps")
                    .withLabel("app.kubernetes.io/instance", "egress")
                    .delete();
            ClientPods.Outcome subscriber =
                    pods.await("trading", "rotation-subscriber", Duration.ofMinutes(5));
            assertThat(subscriber.exit()).as(subscriber.log()).isZero();
            assertThat(subscriber.log())
                    .as("it reconnected after the new CA began to sign")
                    .contains("disconnected");
            assertThat(ReferenceScenarioOnClusterTest.eventIds(subscriber.log()))
                    .as("every event, through the reconnect")
                    .hasSize(EVENTS);
            assertThat(pods.await("apps", "rotation-publisher", Duration.ofMinutes(2)).exit())
                    .isZero();
            // The old CA stays in the bundle: certificates it signed may still be in use.
            assertThat(bundle("trading")).contains(oldCa, newCa);
        } finally {
            new Helm(cluster.repo.resolve("helm/realmgate"))
                    .upgrade()
                    .withName(ReferenceScenarioOnClusterTest.RELEASE)
                    .withNamespace(ReferenceScenarioOnClusterTest.OPERATOR_NS)
                    .reuseValues()
                    .set("ca.rotationOverlap", "")
                    .withKubeConfig(cluster.kubeconfig)
                    .withTimeout(120)
                    .call();
        }
    }

    private static final int EVENTS = 60;

    private void startSubscriber() {
        pods.start(
                "trading",
                "rotation-subscriber",
                ClientPods.REALM_IMAGE,
                ClientPods.javaCommand(
                        List.of(
                                "--url",
                                "wss://prices-realm.apps.svc:9443/realm",
                                "--proxy",
                                "egress-proxy.apps.svc:3128",
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                "ca-rotation",
                                "--expect",
                                String.valueOf(EVENTS),
                                "--timeout",
                                "480s",
                                "--reconnect",
                                "true")),
                ClientPods.mounts(BUNDLE),
                Map.of());
        Awaitility.await("subscribed")
                .atMost(90, TimeUnit.SECONDS)
                .pollInterval(500, TimeUnit.MILLISECONDS)
                .until(
                        () -> pods.log("trading", "rotation-subscriber"),
                        l -> l.contains("subscribed channel="));
    }

    private void startPublisher() {
        // 60 events, one every 5 s: five minutes, past the overlap and the proxies' restart.
        pods.start(
                "apps",
                "rotation-publisher",
                ClientPods.REALM_IMAGE,
                ClientPods.javaCommand(
                        List.of(
                                "--url",
                                "wss://prices-realm.apps.svc:9443/realm",
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                "ca-rotation",
                                "--subscribe",
                                "false",
                                "--publish",
                                String.valueOf(EVENTS),
                                "--interval",
                                "5s",
                                "--timeout",
                                "480s",
                                "--reconnect",
                                "true")),
                ClientPods.mounts(BUNDLE),
                Map.of());
    }

    private List<X509Certificate> bundle(String namespace) throws Exception {
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(BUNDLE).require();
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(
                        new ByteArrayInputStream(
                                map.getData().get("ca.crt").getBytes(StandardCharsets.US_ASCII)))
                .stream()
                .map(X509Certificate.class::cast)
                .toList();
    }

    private static javax.security.auth.x500.X500Principal issuer(X509Certificate certificate) {
        return certificate.getIssuerX500Principal();
    }

    private static void validate(X509Certificate leaf, List<X509Certificate> bundle)
            throws Exception {
        Set<TrustAnchor> anchors =
                bundle.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(new Date());
        CertPathValidator.getInstance("PKIX")
                .validate(
                        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)),
                        parameters);
    }

    /** The certificate the realm serves on 9443 now (read through a port-forward to its pod). */
    private X509Certificate servedCertificate() throws Exception {
        return ServedCertificates.read(
                client, kubectl, tmp, "apps", "prices", "prices-realm.apps.svc");
    }
}
