package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.ProxyTls;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.tls.Certificates;
import io.realmgate.operator.tls.CertifiedKey;
import io.realmgate.operator.tls.OperatorCa;
import io.realmgate.operator.tls.Pem;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ProxyConfigDocument;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A ForwardProxy's TLS listener against a real API server and the operator's real CA: the issued Secret, its
 * certificate (names, signature, CA bundle), kept while good, reissued when lost, removed when TLS goes off; or
 * the user's own Secret instead.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardProxyTlsTest {
  private static final String NS = "proxy-tls";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static KubernetesClient client;
  private static OperatorHarness operator;

  @BeforeAll
  static void start(KubeApi api) {
    client = api.client();
    OperatorHarness.ensureNamespace(client, NS);
    operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
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

    Secret tls = awaitChild(Secret.class, "secure-proxy-tls");
    assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(tls.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    assertThat(tls.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ForwardProxy");
      assertThat(o.getController()).isTrue();
    });
    X509Certificate leaf = Pem.readCertificate(decode(tls, "tls.crt"));
    assertThat(Certificates.dnsNames(leaf)).containsExactly("secure-proxy", "secure-proxy." + NS,
        "secure-proxy." + NS + ".svc", "secure-proxy." + NS + ".svc.cluster.local");
    String bundle = new OperatorCa(client, operator.settings(), Clock.systemUTC()).caBundle();
    assertThat(decode(tls, "ca.crt")).isEqualTo(bundle);
    assertThat(Pem.readCertificates(bundle)).anySatisfy(ca -> assertThat(Certificates.signedBy(leaf, ca)).isTrue());
    Pem.readPrivateKey(decode(tls, "tls.key"));

    ForwardProxy proxy = awaitStatus("secure", p -> certificateReady(p) != null);
    assertThat(certificateReady(proxy).getStatus()).isEqualTo("True");
    assertThat(certificateReady(proxy).getReason()).isEqualTo("Issued");
    assertThat(certificateReady(proxy).getMessage()).contains(leaf.getNotAfter().toInstant().toString());
    assertThat(proxy.getStatus().endpoint).isEqualTo("https://secure-proxy." + NS + ".svc:3128");

    Deployment d = awaitChild(Deployment.class, "secure-proxy");
    Volume volume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("secure-proxy-tls");
    assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
    ProxyConfigDocument config = ConfigFiles.parse(awaitChild(io.fabric8.kubernetes.api.model.ConfigMap.class,
        "secure-proxy-config").getData().get("proxy.yaml"), "proxy.yaml");
    assertThat(config.tls.certificate).isEqualTo("/etc/realmgate/tls/tls.crt");
    assertThat(config.tls.privateKey).isEqualTo("/etc/realmgate/tls/tls.key");

    // Reconciles that find the certificate good keep it: no new Secret version, no roll.
    simulateRollout("secure-proxy", 2);
    awaitStatus("secure", p -> "True".equals(ready(p).getStatus()));
    simulateRollout("secure-proxy", 1);
    awaitStatus("secure", p -> "False".equals(ready(p).getStatus()));
    assertThat(child(Secret.class, "secure-proxy-tls").getMetadata().getResourceVersion())
        .isEqualTo(tls.getMetadata().getResourceVersion());
    assertThat(generation("secure-proxy")).isEqualTo(d.getMetadata().getGeneration());

    // The Secret is lost: a new certificate; the running proxy reloads it from the Secret volume, no pod rolls.
    client.secrets().inNamespace(NS).withName("secure-proxy-tls").delete();
    await().atMost(WAIT).untilAsserted(() -> {
      Secret again = child(Secret.class, "secure-proxy-tls");
      assertThat(again).isNotNull();
      assertThat(Pem.readCertificate(decode(again, "tls.crt")).getSerialNumber()).isNotEqualTo(leaf.getSerialNumber());
    });
    await("no roll for a new certificate").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> generation("secure-proxy"), g -> g.equals(d.getMetadata().getGeneration()));
    assertThat(child(Deployment.class, "secure-proxy").getSpec().getTemplate()).isEqualTo(d.getSpec().getTemplate());

    // TLS goes off: the issued Secret goes, the listener is plain, CertificateReady is gone.
    client.resources(ForwardProxy.class).inNamespace(NS).withName("secure").edit(p -> {
      p.getSpec().tls.enabled = false;
      return p;
    });
    await().atMost(WAIT).until(() -> child(Secret.class, "secure-proxy-tls") == null);
    ForwardProxy plain = awaitStatus("secure", p -> p.getStatus().endpoint.startsWith("http://"));
    assertThat(certificateReady(plain)).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(child(Deployment.class, "secure-proxy").getSpec().getTemplate()
        .getSpec().getVolumes()).extracting(Volume::getName).doesNotContain("tls"));
  }

  @Test
  void ownSecretReplacesIssuanceAndMustExist() {
    createProxy("own", "own-cert");
    ForwardProxy missing = awaitStatus("own", p -> certificateReady(p) != null);
    assertThat(certificateReady(missing).getStatus()).isEqualTo("False");
    assertThat(certificateReady(missing).getReason()).isEqualTo("TlsSecretNotFound");
    assertThat(ready(missing).getReason()).isEqualTo("TlsSecretNotFound");
    assertThat(ready(missing).getMessage()).contains("own-cert");

    Instant now = Instant.now();
    CertifiedKey ca = Certificates.createCa(now, Duration.ofDays(2));
    CertifiedKey server = Certificates.issueServer(ca, List.of("proxy.example"), now, Duration.ofDays(1));
    client.secrets().inNamespace(NS).resource(new SecretBuilder()
        .withNewMetadata().withName("own-cert").withNamespace(NS).endMetadata()
        .withType("kubernetes.io/tls")
        .withData(Map.of("tls.crt", base64(Pem.certificate(server.certificate())),
            "tls.key", base64(Pem.privateKey(server.privateKey()))))
        .build()).create();

    ForwardProxy provided = awaitStatus("own", p -> "Provided".equals(certificateReady(p).getReason()));
    assertThat(certificateReady(provided).getStatus()).isEqualTo("True");
    assertThat(ready(provided).getReason()).isEqualTo("DeploymentNotAvailable");
    Deployment d = awaitChild(Deployment.class, "own-proxy");
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("tls"))
        .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("own-cert"));
    assertThat(child(Secret.class, "own-proxy-tls")).isNull();
  }

  // ---- helpers ----

  private static void createProxy(String name, String secretName) {
    ForwardProxy proxy = new ForwardProxy();
    proxy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    ForwardProxySpec spec = new ForwardProxySpec();
    spec.tls = new ProxyTls();
    spec.tls.enabled = true;
    spec.tls.secretName = secretName;
    proxy.setSpec(spec);
    client.resources(ForwardProxy.class).inNamespace(NS).resource(proxy).create();
  }

  private static <T extends HasMetadata> T child(Class<T> type, String name) {
    return client.resources(type).inNamespace(NS).withName(name).get();
  }

  private static <T extends HasMetadata> T awaitChild(Class<T> type, String name) {
    return await().atMost(WAIT).until(() -> child(type, name), Objects::nonNull);
  }

  private static ForwardProxy awaitStatus(String name, Predicate<ForwardProxy> condition) {
    return await().atMost(WAIT).until(() -> child(ForwardProxy.class, name),
        p -> p != null && p.getStatus() != null && condition.test(p));
  }

  private static Condition ready(ForwardProxy p) {
    return Conditions.find(p.getStatus().conditions, Conditions.READY);
  }

  private static Condition certificateReady(ForwardProxy p) {
    return Conditions.find(p.getStatus().conditions, Conditions.CERTIFICATE_READY);
  }

  /** The Deployment's spec generation: it moves when the pod template changes, that is when pods would roll. */
  private static Long generation(String deployment) {
    return child(Deployment.class, deployment).getMetadata().getGeneration();
  }

  private static void simulateRollout(String deployment, int available) {
    Deployment d = awaitChild(Deployment.class, deployment);
    d.setStatus(new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(d.getSpec().getReplicas())
        .withUpdatedReplicas(d.getSpec().getReplicas())
        .withReadyReplicas(available)
        .withAvailableReplicas(available)
        .build());
    client.apps().deployments().inNamespace(NS).resource(d).updateStatus();
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
