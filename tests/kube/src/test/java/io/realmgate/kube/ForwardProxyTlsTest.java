package io.realmgate.kube;

import static io.realmgate.kube.ProxyCluster.base64;
import static io.realmgate.kube.ProxyCluster.certificateReady;
import static io.realmgate.kube.ProxyCluster.decode;
import static io.realmgate.kube.ProxyCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyTls;
import io.realmgate.operator.tls.Certificates;
import io.realmgate.operator.tls.CertifiedKey;
import io.realmgate.operator.tls.OperatorCa;
import io.realmgate.operator.tls.Pem;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ProxyConfigDocument;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * A ForwardProxy's TLS listener against a real API server and the operator's real CA: the issued
 * Secret, its certificate (names, signature, CA bundle), kept while good, reissued when lost,
 * removed when TLS goes off; or the user's own Secret instead.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardProxyTlsTest {
    private static final String NS = "proxy-tls";
    private static final Duration WAIT = ProxyCluster.WAIT;
    private static KubernetesClient client;
    private static OperatorHarness operator;
    private static ProxyCluster cluster;

    @BeforeAll
    static void start(KubeApi api) {
        client = api.client();
        OperatorHarness.ensureNamespace(client, NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new ProxyCluster(client, NS);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void issuedCertificateIsKeptWhileGoodReissuedWhenLostAndRemovedWithTls() throws Exception {
        createProxy("secure", null);

        Secret tls = cluster.awaitChild(Secret.class, "secure-proxy-tls");
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(tls.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(tls.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.getKind()).isEqualTo("ForwardProxy");
                            assertThat(o.getController()).isTrue();
                        });
        X509Certificate leaf = Pem.readCertificate(decode(tls, "tls.crt"));
        assertThat(Certificates.dnsNames(leaf))
                .containsExactly(
                        "secure-proxy",
                        "secure-proxy." + NS,
                        "secure-proxy." + NS + ".svc",
                        "secure-proxy." + NS + ".svc.cluster.local");
        String bundle = new OperatorCa(client, operator.settings(), Clock.systemUTC()).caBundle();
        assertThat(decode(tls, "ca.crt")).isEqualTo(bundle);
        assertThat(Pem.readCertificates(bundle))
                .anySatisfy(ca -> assertThat(Certificates.signedBy(leaf, ca)).isTrue());
        Pem.readPrivateKey(decode(tls, "tls.key"));

        ForwardProxy proxy = cluster.awaitStatus("secure", p -> certificateReady(p) != null);
        assertThat(certificateReady(proxy).getStatus()).isEqualTo("True");
        assertThat(certificateReady(proxy).getReason()).isEqualTo("Issued");
        assertThat(certificateReady(proxy).getMessage())
                .contains(leaf.getNotAfter().toInstant().toString());
        assertThat(proxy.getStatus().endpoint)
                .isEqualTo("https://secure-proxy." + NS + ".svc:3128");

        Deployment d = cluster.awaitChild(Deployment.class, "secure-proxy");
        Volume volume =
                d.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals("tls"))
                        .findFirst()
                        .orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isEqualTo("secure-proxy-tls");
        assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
        ProxyConfigDocument config =
                ConfigFiles.parse(
                        cluster.awaitChild(
                                        io.fabric8.kubernetes.api.model.ConfigMap.class,
                                        "secure-proxy-config")
                                .getData()
                                .get("proxy.yaml"),
                        "proxy.yaml");
        assertThat(config.tls.certificate).isEqualTo("/etc/realmgate/tls/tls.crt");
        assertThat(config.tls.privateKey).isEqualTo("/etc/realmgate/tls/tls.key");

        // Reconciles that find the certificate good keep it: no new Secret version, no roll.
        cluster.simulateRollout("secure-proxy", 2);
        cluster.awaitStatus("secure", p -> "True".equals(ready(p).getStatus()));
        cluster.simulateRollout("secure-proxy", 1);
        cluster.awaitStatus("secure", p -> "False".equals(ready(p).getStatus()));
        assertThat(
                        cluster.child(Secret.class, "secure-proxy-tls")
                                .getMetadata()
                                .getResourceVersion())
                .isEqualTo(tls.getMetadata().getResourceVersion());
        assertThat(cluster.deploymentGeneration("secure-proxy"))
                .isEqualTo(d.getMetadata().getGeneration());

        // The Secret is lost: a new certificate; the running proxy reloads it from the Secret
        // volume, no pod rolls.
        client.secrets().inNamespace(NS).withName("secure-proxy-tls").delete();
        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            Secret again = cluster.child(Secret.class, "secure-proxy-tls");
                            assertThat(again).isNotNull();
                            assertThat(
                                            Pem.readCertificate(decode(again, "tls.crt"))
                                                    .getSerialNumber())
                                    .isNotEqualTo(leaf.getSerialNumber());
                        });
        await("no roll for a new certificate")
                .during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .until(
                        () -> cluster.deploymentGeneration("secure-proxy"),
                        g -> g.equals(d.getMetadata().getGeneration()));
        assertThat(cluster.child(Deployment.class, "secure-proxy").getSpec().getTemplate())
                .isEqualTo(d.getSpec().getTemplate());

        // TLS goes off: the issued Secret goes, the listener is plain, CertificateReady is gone.
        client.resources(ForwardProxy.class)
                .inNamespace(NS)
                .withName("secure")
                .edit(
                        p -> {
                            p.getSpec().tls.enabled = false;
                            return p;
                        });
        await().atMost(WAIT).until(() -> cluster.child(Secret.class, "secure-proxy-tls") == null);
        ForwardProxy plain =
                cluster.awaitStatus("secure", p -> p.getStatus().endpoint.startsWith("http://"));
        assertThat(certificateReady(plain)).isNull();
        await().atMost(WAIT)
                .untilAsserted(
                        () ->
                                assertThat(
                                                cluster.child(Deployment.class, "secure-proxy")
                                                        .getSpec()
                                                        .getTemplate()
                                                        .getSpec()
                                                        .getVolumes())
                                        .extracting(Volume::getName)
                                        .doesNotContain("tls"));
    }

    @Test
    void ownSecretReplacesIssuanceAndMustExist() {
        createProxy("own", "own-cert");
        ForwardProxy missing = cluster.awaitStatus("own", p -> certificateReady(p) != null);
        assertThat(certificateReady(missing).getStatus()).isEqualTo("False");
        assertThat(certificateReady(missing).getReason()).isEqualTo("TlsSecretNotFound");
        assertThat(ready(missing).getReason()).isEqualTo("TlsSecretNotFound");
        assertThat(ready(missing).getMessage()).contains("own-cert");

        Instant now = Instant.now();
        CertifiedKey ca = Certificates.createCa(now, Duration.ofDays(2));
        CertifiedKey server =
                Certificates.issueServer(ca, List.of("proxy.example"), now, Duration.ofDays(1));
        client.secrets()
                .inNamespace(NS)
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("own-cert")
                                .withNamespace(NS)
                                .endMetadata()
                                .withType("kubernetes.io/tls")
                                .withData(
                                        Map.of(
                                                "tls.crt",
                                                base64(Pem.certificate(server.certificate())),
                                                "tls.key",
                                                base64(Pem.privateKey(server.privateKey()))))
                                .build())
                .create();

        ForwardProxy provided =
                cluster.awaitStatus("own", p -> "Provided".equals(certificateReady(p).getReason()));
        assertThat(certificateReady(provided).getStatus()).isEqualTo("True");
        assertThat(ready(provided).getReason()).isEqualTo("DeploymentNotAvailable");
        Deployment d = cluster.awaitChild(Deployment.class, "own-proxy");
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals("tls"))
                .singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("own-cert"));
        assertThat(cluster.child(Secret.class, "own-proxy-tls")).isNull();
    }

    // ---- helpers ----

    private static void createProxy(String name, String secretName) {
        cluster.createProxy(
                name,
                spec -> {
                    spec.tls = new ProxyTls();
                    spec.tls.enabled = true;
                    spec.tls.secretName = secretName;
                });
    }
}
