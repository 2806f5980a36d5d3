package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.realmgate.kube.CertManagerCrds;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.Certificates;
import io.realmgate.operator.tls.CertifiedKey;
import io.realmgate.operator.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Realm whose certificate comes from cert-manager ({@code spec.tls.issuerRef}), against cert-
 * manager's real Certificate CRD ({@link CertManagerCrds}; cert-manager's controller does not run
 * here, so the test writes the Secret it would write): without the CRD the realm says so
 * (CertManagerNotInstalled); once the CRD is served the operator writes the Certificate (the
 * realm's DNS names, the issuer, the Secret) and waits for its Secret (CertificatePending); the
 * Secret written, the realm mounts it, is Ready, and publishes the Secret's ca.crt as its bundle.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealmCertManagerTest {
    private static final String NS = "realm-cert-manager";
    private static final ResourceDefinitionContext CERTIFICATES =
            new ResourceDefinitionContext.Builder()
                    .withGroup("cert-manager.io")
                    .withVersion("v1")
                    .withKind("Certificate")
                    .withPlural("certificates")
                    .withNamespaced(true)
                    .build();

    private static KubernetesClient client;
    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        client = api.client();
        OperatorHarness.ensureNamespace(client, NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new RealmCluster(client, NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName("certificates.cert-manager.io")
                    .delete();
        }
    }

    @Test
    void aRealmTakesItsCertificateFromCertManagerOnceItIsInstalled() throws Exception {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: managed}
        spec:
          tls:
            issuerRef: {name: internal-ca, kind: ClusterIssuer}
        """);
        Realm notInstalled =
                cluster.awaitRealm(
                        "managed",
                        "CertManagerNotInstalled",
                        r -> is(r, "CertificateReady", "False", "CertManagerNotInstalled"));
        assertThat(condition(notInstalled, "CertificateReady").getMessage())
                .contains("cert-manager.io/v1");
        assertThat(cluster.tlsSecret("managed")).as("the operator issues nothing").isNull();

        // cert-manager installed: the operator looks again (a realm whose certificate is unusable
        // is looked at every minute) and asks for the certificate.
        CertManagerCrds.installCertificateCrd(client);
        GenericKubernetesResource certificate =
                await("the Certificate")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(
                                () ->
                                        client.genericKubernetesResources(CERTIFICATES)
                                                .inNamespace(NS)
                                                .withName("managed-realm")
                                                .get(),
                                c -> c != null);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) certificate.getAdditionalProperties().get("spec");
        assertThat(spec)
                .containsEntry("secretName", "managed-realm-cert-manager-tls")
                .containsEntry(
                        "issuerRef",
                        Map.of(
                                "name",
                                "internal-ca",
                                "kind",
                                "ClusterIssuer",
                                "group",
                                "cert-manager.io"));
        @SuppressWarnings("unchecked")
        List<String> dnsNames = (List<String>) spec.get("dnsNames");
        assertThat(dnsNames).contains("managed-realm.realm-cert-manager.svc");
        assertThat(certificate.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("managed"));
        cluster.awaitRealm(
                "managed",
                "CertificatePending",
                r -> is(r, "CertificateReady", "False", "CertificatePending"));
        String resourceVersion = certificate.getMetadata().getResourceVersion();

        // What cert-manager would do: issue the certificate into the Secret, with its CA.
        Instant now = Instant.now();
        CertifiedKey ca = Certificates.createCa(now, Duration.ofDays(30));
        CertifiedKey leaf = Certificates.issueServer(ca, dnsNames, now, Duration.ofDays(10));
        client.secrets()
                .inNamespace(NS)
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("managed-realm-cert-manager-tls")
                                .withNamespace(NS)
                                .endMetadata()
                                .withType("kubernetes.io/tls")
                                .withData(
                                        Map.of(
                                                "tls.crt",
                                                base64(Pem.certificate(leaf.certificate())),
                                                "tls.key",
                                                base64(Pem.privateKey(leaf.privateKey())),
                                                "ca.crt",
                                                base64(Pem.certificate(ca.certificate()))))
                                .build())
                .create();
        cluster.awaitRealm(
                "managed",
                "CertificateReady from cert-manager's Secret",
                r -> is(r, "CertificateReady", "True", "SecretProvided"));
        assertThat(RealmCluster.tlsVolumeSecret(cluster.deployment("managed")))
                .isEqualTo("managed-realm-cert-manager-tls");
        assertThat(cluster.caBundle("managed").getData().get("ca.crt"))
                .isEqualTo(Pem.certificate(ca.certificate()));
        assertThat(cluster.tlsSecret("managed")).as("still nothing issued").isNull();
        // A resync writes nothing to the Certificate.
        assertThat(
                        client.genericKubernetesResources(CERTIFICATES)
                                .inNamespace(NS)
                                .withName("managed-realm")
                                .get()
                                .getMetadata()
                                .getResourceVersion())
                .isEqualTo(resourceVersion);
    }

    @Test
    void secretNameAndIssuerRefExcludeEachOther() {
        assertThatThrownBy(
                        () ->
                                cluster.apply(
                                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: both}
        spec:
          tls:
            secretName: mine
            issuerRef: {name: internal-ca}
        """))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("secretName and issuerRef exclude each other");
        assertThatThrownBy(
                        () ->
                                cluster.apply(
                                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: wrong-kind}
        spec:
          tls:
            issuerRef: {name: internal-ca, kind: Vault}
        """))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.tls.issuerRef.kind");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
