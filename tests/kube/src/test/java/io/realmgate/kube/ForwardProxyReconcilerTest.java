package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.proxy.TargetResolution;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.ProxyAuth;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.SecretKeyRef;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.access.Cidr;
import io.realmgate.proxy.access.TargetRule;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ListenAddress;
import io.realmgate.proxy.config.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
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
 * The ForwardProxy reconciler against a real API server: the reference scenario's children as the server
 * stores them, status, self-healing, and a reconcile that writes nothing when nothing changed.
 *
 * <p>This control plane has no kubelet and no Deployment controller: pods never start, so tests write the
 * Deployment's status themselves to say "rolled out". Deleting a CR deletes its children through the garbage
 * collector following the owner references checked here ({@code OwnerDeletionTest} watches it happen).
 * Realms are created as plain custom resources; the proxy needs only their spec.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardProxyReconcilerTest {
  private static final String NS = "proxy-reconcile";
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
  void referenceScenarioChildrenAsTheApiServerStoresThem() throws Exception {
    createRealm("prices", 9000, 9443);
    ForwardProxy proxy = createProxy("egress", spec -> spec.allowConnect = List.of(realmTarget("prices", 9000, 9443)));
    String uid = proxy.getMetadata().getUid();

    // ConfigMap: the proxy's own parser reads the stored proxy.yaml as the proxy would.
    ConfigMap cm = awaitChild(ConfigMap.class, "egress-proxy-config");
    ProxyConfig config = ConfigFiles.parse(cm.getData().get("proxy.yaml"), "proxy.yaml").toConfig();
    assertThat(config.allowConnect()).containsExactlyElementsOf(realmRules("prices", 9000, 9443).stream()
        .map(TargetRule::parse).toList());
    assertThat(config.listen()).isEqualTo(new ListenAddress("0.0.0.0", 3128));
    assertThat(config.name()).isEqualTo("egress");
    assertThat(config.via()).isTrue();
    assertThat(config.admin()).contains(new ListenAddress("0.0.0.0", 9090));
    assertThat(config.allowClients()).containsExactlyElementsOf(
        operator.settings().podNetworks().stream().map(Cidr::parse).toList());

    // Deployment.
    Deployment d = awaitChild(Deployment.class, "egress-proxy");
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(Names.proxySelector("egress"));
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).containsOnlyKeys(Names.RESTART_HASH_ANNOTATION);
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.RESTART_HASH_ANNOTATION))
        .matches("[0-9a-f]{64}");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(operator.settings().proxyImage());
    assertThat(c.getArgs()).containsExactly("--config", "/etc/realmgate/config/proxy.yaml");
    assertThat(c.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort() + "/" + p.getProtocol())
        .containsExactly("proxy=3128/TCP", "admin=9090/TCP");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(9090));
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).as("stored by the API server").isEqualTo(5L);
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(50L);
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).containsExactly(
        "JAVA_TOOL_OPTIONS=-Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactly("config", "tmp");
    assertThat(pod.getVolumes().get(0).getConfigMap().getName()).isEqualTo("egress-proxy-config");

    // Service.
    Service s = awaitChild(Service.class, "egress-proxy");
    assertThat(s.getSpec().getSelector()).isEqualTo(Names.proxySelector("egress"));
    assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort, ServicePort::getTargetPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("proxy", 3128, new IntOrString(3128)));

    // NetworkPolicy: ingress from this namespace's pods to 3128 and from metrics scrapers to 9090; egress to DNS
    // and to the realm's pods.
    NetworkPolicy np = awaitChild(NetworkPolicy.class, "egress-proxy");
    assertThat(np.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Names.proxySelector("egress"));
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(np.getSpec().getIngress()).hasSize(2);
    assertThat(np.getSpec().getIngress().get(0)).satisfies(in -> {
      assertThat(in.getFrom()).singleElement().satisfies(peer -> {
        assertThat(peer.getNamespaceSelector()).isNull();
        assertThat(peer.getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(peer.getPodSelector().getMatchExpressions()).isNullOrEmpty();
      });
      assertThat(in.getPorts()).extracting(ForwardProxyReconcilerTest::port).containsExactly("TCP/3128");
    });
    assertThat(np.getSpec().getIngress().get(1)).satisfies(in -> {
      assertThat(in.getFrom()).singleElement().satisfies(peer -> {
        assertThat(peer.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "prometheus"));
      });
      assertThat(in.getPorts()).extracting(ForwardProxyReconcilerTest::port).containsExactly("TCP/9090");
    });
    List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
    assertThat(egress).hasSize(3);
    assertThat(egress.get(0).getPorts()).extracting(ForwardProxyReconcilerTest::port)
        .containsExactly("UDP/53", "TCP/53", "UDP/5353", "TCP/5353");
    assertThat(egress.get(0).getTo()).singleElement()
        .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels()).isNullOrEmpty());
    assertThat(egress.get(1).getTo()).singleElement()
        .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("169.254.20.10/32"));
    assertThat(egress.get(1).getPorts()).extracting(ForwardProxyReconcilerTest::port).containsExactly("UDP/53", "TCP/53");
    NetworkPolicyPeer realmPeer = egress.get(2).getTo().get(0);
    assertThat(egress.get(2).getTo()).hasSize(1);
    assertThat(realmPeer.getNamespaceSelector().getMatchLabels()).isEqualTo(Map.of("kubernetes.io/metadata.name", NS));
    assertThat(realmPeer.getPodSelector().getMatchLabels()).isEqualTo(Names.realmSelector("prices"));
    assertThat(egress.get(2).getPorts()).extracting(ForwardProxyReconcilerTest::port).containsExactly("TCP/9000", "TCP/9443");

    // Every child is owned by the ForwardProxy: the garbage collector follows these when it is deleted.
    for (HasMetadata child : List.of(cm, d, s, np)) {
      assertThat(child.getMetadata().getOwnerReferences()).as(child.getKind()).singleElement().satisfies(o -> {
        assertThat(o.getKind()).isEqualTo("ForwardProxy");
        assertThat(o.getApiVersion()).isEqualTo("realmgate.io/v1alpha1");
        assertThat(o.getName()).isEqualTo("egress");
        assertThat(o.getUid()).isEqualTo(uid);
        assertThat(o.getController()).isTrue();
      });
      assertThat(child.getMetadata().getLabels()).containsAllEntriesOf(Names.proxySelector("egress"))
          .containsEntry(Names.LABEL_MANAGED_BY, Names.MANAGED_BY);
    }

    // Status: not Ready while the pods are not there (no kubelet here); Ready once the Deployment says so.
    ForwardProxy notYet = awaitStatus("egress", p -> ready(p) != null);
    assertThat(ready(notYet).getStatus()).isEqualTo("False");
    assertThat(ready(notYet).getReason()).isEqualTo("DeploymentNotAvailable");
    assertThat(ready(notYet).getMessage()).isEqualTo("0/2 replicas available");
    assertThat(notYet.getStatus().endpoint).isEqualTo("http://egress-proxy." + NS + ".svc:3128");
    assertThat(notYet.getStatus().targets).containsExactlyElementsOf(realmRules("prices", 9000, 9443));
    assertThat(notYet.getStatus().observedGeneration).isEqualTo(notYet.getMetadata().getGeneration());
    assertThat(Conditions.find(notYet.getStatus().conditions, Conditions.CERTIFICATE_READY)).isNull();

    simulateRollout("egress-proxy", 2);
    ForwardProxy ready = awaitStatus("egress", p -> ready(p) != null && "True".equals(ready(p).getStatus()));
    assertThat(ready(ready).getReason()).isEqualTo("Available");
    assertThat(ready(ready).getMessage()).isEqualTo("2/2 replicas available");
    assertThat(ready(ready).getObservedGeneration()).isEqualTo(ready.getMetadata().getGeneration());
  }

  @Test
  void reconcilesThatFindEverythingInPlaceWriteNothing() throws Exception {
    createRealm("ticks", 9000, 9443);
    createUsersSecret("steady-users", "alice:$2y$05$abcdefghijklmnopqrstuuM3wqEy1CqYwQ1k0jS7bQpA2Z6m4o8y");
    createProxy("steady", spec -> {
      spec.allowConnect = List.of(realmTarget("ticks"));
      spec.auth = new ProxyAuth();
      spec.auth.basicSecretRef = new SecretKeyRef();
      spec.auth.basicSecretRef.name = "steady-users";
    });
    awaitChild(NetworkPolicy.class, "steady-proxy");
    simulateRollout("steady-proxy", 2);
    awaitStatus("steady", p -> ready(p) != null && "True".equals(ready(p).getStatus()));
    Map<String, String> before = versions("steady");
    long generation = deploymentGeneration("steady-proxy");

    // The Deployment loses a replica and gets it back: two reconciles that change the status only.
    simulateRollout("steady-proxy", 1);
    awaitStatus("steady", p -> "DeploymentNotAvailable".equals(ready(p).getReason()));
    simulateRollout("steady-proxy", 2);
    ForwardProxy again = awaitStatus("steady", p -> "True".equals(ready(p).getStatus()));
    Map<String, String> after = versions("steady");
    after.remove("Deployment"); // the test itself wrote its status
    before.remove("Deployment");
    assertThat(after).isEqualTo(before);
    // The test wrote the Deployment's status; its spec (generation) the operator left alone.
    assertThat(deploymentGeneration("steady-proxy")).isEqualTo(generation);

    // A referenced Secret changes in a way that does not matter (a label): reconciled, nothing written.
    String proxyVersion = again.getMetadata().getResourceVersion();
    Map<String, String> settled = versions("steady");
    client.secrets().inNamespace(NS).withName("steady-users").edit(sec -> {
      sec.getMetadata().getLabels().put("touched", "yes");
      return sec;
    });
    Thread.sleep(3000);
    assertThat(versions("steady")).isEqualTo(settled);
    assertThat(proxyCr("steady").getMetadata().getResourceVersion()).isEqualTo(proxyVersion);
  }

  @Test
  void deletedChildrenAreRestored() {
    createRealm("quotes", 9000, 9443);
    createProxy("healer", spec -> spec.allowConnect = List.of(realmTarget("quotes")));
    for (Class<? extends HasMetadata> type : List.of(ConfigMap.class, Deployment.class, Service.class,
        NetworkPolicy.class)) {
      String name = type == ConfigMap.class ? "healer-proxy-config" : "healer-proxy";
      String uid = awaitChild(type, name).getMetadata().getUid();
      client.resources(type).inNamespace(NS).withName(name).delete();
      await().atMost(WAIT).untilAsserted(() -> {
        HasMetadata restored = client.resources(type).inNamespace(NS).withName(name).get();
        assertThat(restored).as(type.getSimpleName() + " " + name + " restored").isNotNull();
        assertThat(restored.getMetadata().getUid()).isNotEqualTo(uid);
      });
    }
  }

  @Test
  void usersSecretMustExistAndItsContentRollsNoPod() {
    createRealm("books", 9000, 9443);
    createProxy("guarded", spec -> {
      spec.allowConnect = List.of(realmTarget("books"));
      spec.auth = new ProxyAuth();
      spec.auth.basicSecretRef = new SecretKeyRef();
      spec.auth.basicSecretRef.name = "guarded-users";
      spec.auth.basicSecretRef.key = "htpasswd";
    });
    ForwardProxy missing = awaitStatus("guarded", p -> ready(p) != null
        && "AuthSecretNotFound".equals(ready(p).getReason()));
    assertThat(ready(missing).getMessage()).contains("guarded-users");
    // Fail closed: the config still demands authentication, the pods wait for the Secret.
    ConfigMap cm = awaitChild(ConfigMap.class, "guarded-proxy-config");
    assertThat(cm.getData().get("proxy.yaml")).contains("usersFile: /etc/realmgate/auth/htpasswd");
    Deployment d = awaitChild(Deployment.class, "guarded-proxy");
    Volume auth = d.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("auth")).findFirst().orElseThrow();
    assertThat(auth.getSecret().getSecretName()).isEqualTo("guarded-users");
    assertThat(auth.getSecret().getItems()).singleElement()
        .satisfies(k -> assertThat(k.getKey()).isEqualTo("htpasswd"));

    createUsersSecret("guarded-users", Map.of("htpasswd", "alice:$2y$05$one"));
    awaitStatus("guarded", p -> "DeploymentNotAvailable".equals(ready(p).getReason()));
    long generation = deploymentGeneration("guarded-proxy");

    // A new password reaches the running proxy through the Secret volume (it reloads the users file): no roll,
    // which would cut every tunnel.
    client.secrets().inNamespace(NS).withName("guarded-users").edit(s -> {
      s.setData(Map.of("htpasswd", base64("alice:$2y$05$two")));
      return s;
    });
    await("no roll for a new password").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> deploymentGeneration("guarded-proxy"), g -> g == generation);
  }

  // ---- helpers ----

  /** The proxy rules a realm target becomes: every name of the realm's Service, per port. */
  static List<String> realmRules(String realm, int... ports) {
    List<String> rules = new java.util.ArrayList<>();
    for (int port : ports) {
      TargetResolution.realmHosts(realm, NS, OperatorSettings.defaults().clusterDomain())
          .forEach(host -> rules.add(host + ":" + port));
    }
    return rules;
  }

  static TargetSpec realmTarget(String realm, Integer... ports) {
    TargetSpec t = new TargetSpec();
    t.realm = realm;
    t.ports = ports.length == 0 ? null : List.of(ports);
    return t;
  }

  private static Realm createRealm(String name, int ws, int wss) {
    Realm realm = new Realm();
    realm.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    RealmSpec spec = new RealmSpec();
    spec.webSocket.port = ws;
    spec.secureWebSocket.port = wss;
    realm.setSpec(spec);
    return client.resources(Realm.class).inNamespace(NS).resource(realm).create();
  }

  private static ForwardProxy createProxy(String name, java.util.function.Consumer<ForwardProxySpec> spec) {
    ForwardProxy proxy = new ForwardProxy();
    proxy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    ForwardProxySpec s = new ForwardProxySpec();
    spec.accept(s);
    proxy.setSpec(s);
    return client.resources(ForwardProxy.class).inNamespace(NS).resource(proxy).create();
  }

  private static void createUsersSecret(String name, String line) {
    createUsersSecret(name, Map.of("users", line));
  }

  private static void createUsersSecret(String name, Map<String, String> plain) {
    Map<String, String> data = new LinkedHashMap<>();
    plain.forEach((k, v) -> data.put(k, base64(v)));
    Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS)
        .addToLabels("app", "users").endMetadata().withData(data).build();
    client.secrets().inNamespace(NS).resource(secret).create();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ForwardProxy proxyCr(String name) {
    return client.resources(ForwardProxy.class).inNamespace(NS).withName(name).get();
  }

  static Condition ready(ForwardProxy p) {
    return p == null || p.getStatus() == null ? null : Conditions.find(p.getStatus().conditions, Conditions.READY);
  }

  private static ForwardProxy awaitStatus(String name, java.util.function.Predicate<ForwardProxy> condition) {
    return await().atMost(WAIT).until(() -> proxyCr(name), p -> p != null && p.getStatus() != null && condition.test(p));
  }

  private static <T extends HasMetadata> T awaitChild(Class<T> type, String name) {
    return await().atMost(WAIT).until(() -> client.resources(type).inNamespace(NS).withName(name).get(),
        java.util.Objects::nonNull);
  }

  /** What a Deployment controller and kubelet would report once {@code available} pods run the current template. */
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

  /** resourceVersion of the proxy's children, by kind. */
  private static Map<String, String> versions(String proxy) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("ConfigMap", rv(ConfigMap.class, proxy + "-proxy-config"));
    versions.put("Deployment", rv(Deployment.class, proxy + "-proxy"));
    versions.put("Service", rv(Service.class, proxy + "-proxy"));
    versions.put("NetworkPolicy", rv(NetworkPolicy.class, proxy + "-proxy"));
    return versions;
  }

  private static String rv(Class<? extends HasMetadata> type, String name) {
    return client.resources(type).inNamespace(NS).withName(name).get().getMetadata().getResourceVersion();
  }

  private static long deploymentGeneration(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get().getMetadata().getGeneration();
  }

  private static String port(NetworkPolicyPort p) {
    return p.getProtocol() + "/" + p.getPort().getIntVal();
  }
}
