package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.certificates;
import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.decode;
import static io.realmgate.kube.realm.RealmCluster.generation;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.Realm;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Certificates that live 20 seconds and are renewed 10 seconds before they expire: the reconciler
 * comes back on its own when the renewal falls due (no event needed), writes the new certificate,
 * and the pods roll to it. The CA of this operator lives in a namespace of its own, so its short
 * settings touch no other test's CA.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RealmCertificateRenewalTest {
    private static final String NS = "realm-renewal";

    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        OperatorSettings defaults = OperatorHarness.testSettings();
        OperatorSettings shortLived =
                new OperatorSettings(
                        defaults.realmImage(),
                        defaults.proxyImage(),
                        defaults.clusterDomain(),
                        "realm-renewal-system",
                        defaults.caSecretName(),
                        Duration.ofHours(1),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(10),
                        defaults.podNetworks());
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, shortLived, Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void aCertificateDueForRenewalIsReplacedAndThePodsDoNotRoll() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: brief}
        spec: {}
        """);
        Realm first =
                cluster.awaitRealm(
                        "brief",
                        "CertificateReady",
                        r -> is(r, "CertificateReady", "True", "Issued"));
        Secret issued =
                await("TLS Secret")
                        .atMost(RealmCluster.WAIT)
                        .until(() -> cluster.tlsSecret("brief"), s -> s != null);
        X509Certificate before = certificates(decode(issued, "tls.crt")).get(0);
        long generationBefore =
                generation(
                        await("Deployment")
                                .atMost(RealmCluster.WAIT)
                                .until(() -> cluster.deployment("brief"), d -> d != null));

        Secret renewed =
                await("renewed TLS Secret")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(
                                () -> cluster.tlsSecret("brief"),
                                s ->
                                        s != null
                                                && !decode(s, "tls.crt")
                                                        .equals(decode(issued, "tls.crt")));
        X509Certificate after = certificates(decode(renewed, "tls.crt")).get(0);
        assertThat(after.getNotAfter()).isAfter(before.getNotAfter());
        assertThat(RealmCluster.dnsNames(after)).isEqualTo(RealmCluster.dnsNames(before));

        // The realm reloads the certificate from its Secret volume: a renewal must not restart it
        // (that would drop
        // every WebSocket and the retained events).
        cluster.assertNoRoll(
                "brief", generationBefore, "the pods keep running through the renewal");
        Realm later =
                cluster.awaitRealm(
                        "brief",
                        "status names the new expiry",
                        r ->
                                condition(r, "CertificateReady")
                                        .getMessage()
                                        .contains(
                                                "valid until " + after.getNotAfter().toInstant()));
        assertThat(condition(later, "CertificateReady").getLastTransitionTime())
                .as("True all along")
                .isEqualTo(condition(first, "CertificateReady").getLastTransitionTime());
    }
}
