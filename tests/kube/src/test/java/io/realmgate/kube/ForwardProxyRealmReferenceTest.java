package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.proxy.TargetResolution;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.access.TargetRule;
import io.realmgate.proxy.config.ConfigFiles;
import java.time.Duration;
import java.util.List;
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
 * {@code allowConnect[].realm} against a real API server: the proxies that name a Realm follow its ports, lose
 * the rule when it goes and get it back when it returns; a Realm that never existed is a status, not an
 * exception loop. Realms are plain custom resources here (the proxy reads only their spec).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardProxyRealmReferenceTest {
  private static final String NS = "proxy-realm-refs";
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
  void proxiesFollowTheirRealmsPortsRemovalAndReturn() {
    createRealm("rates", 9000, 9443);
    createProxy("follower", target("rates"));               // default: the realm's wss port
    createProxy("pinned", target("rates", 9000, 9443));     // explicit ports
    awaitRules("follower", rules("rates", 9443));
    awaitRules("pinned", rules("rates", 9000, 9443));
    assertThat(egressPorts("follower")).containsExactly(List.of(9443));
    // The proxy reloads its rules from the ConfigMap: what follows (a realm's port moving, the realm going and
    // coming back) must not roll its pods, each roll would cut every tunnel.
    long followerGeneration = awaitChild(Deployment.class, "follower-proxy").getMetadata().getGeneration();

    // The realm's wss port moves: the default follows it, an explicit port it no longer serves is dropped.
    client.resources(Realm.class).inNamespace(NS).withName("rates").edit(r -> {
      r.getSpec().secureWebSocket.port = 9444;
      return r;
    });
    awaitRules("follower", rules("rates", 9444));
    await().atMost(WAIT).untilAsserted(() -> assertThat(egressPorts("follower")).containsExactly(List.of(9444)));
    awaitRules("pinned", rules("rates", 9000));
    ForwardProxy pinned = awaitStatus("pinned", p -> "RealmPortNotFound".equals(reason(p)));
    assertThat(ready(pinned).getStatus()).isEqualTo("False");
    assertThat(ready(pinned).getMessage()).contains("'rates'").contains("9443").contains("wss 9444");
    assertThat(pinned.getStatus().targets).containsExactlyElementsOf(rules("rates", 9000));

    // The realm goes: nothing of it stays allowed, at the proxy or the network layer.
    client.resources(Realm.class).inNamespace(NS).withName("rates").delete();
    ForwardProxy gone = awaitStatus("follower", p -> "RealmNotFound".equals(reason(p)));
    assertThat(ready(gone).getStatus()).isEqualTo("False");
    assertThat(ready(gone).getMessage()).contains("Realm 'rates' not found in namespace " + NS);
    assertThat(gone.getStatus().targets).isEmpty();
    awaitRules("follower", List.of());
    await().atMost(WAIT).untilAsserted(() -> assertThat(egressPorts("follower")).isEmpty()); // DNS only
    await().atMost(WAIT).untilAsserted(() -> assertThat(warnings("follower"))
        .extracting(Event::getReason).contains("RealmNotFound"));

    // It comes back: the rule returns without anyone touching the ForwardProxy.
    createRealm("rates", 9000, 9443);
    awaitRules("follower", rules("rates", 9443));
    awaitStatus("follower", p -> "DeploymentNotAvailable".equals(reason(p)));
    assertThat(awaitChild(Deployment.class, "follower-proxy").getMetadata().getGeneration())
        .as("the proxy's pods never rolled").isEqualTo(followerGeneration);
  }

  @Test
  void realmThatDoesNotExistIsAStableStatusNotAnExceptionLoop() throws Exception {
    ForwardProxy created = createProxy("orphan", target("nowhere", 9443));
    ForwardProxy proxy = awaitStatus("orphan", p -> "RealmNotFound".equals(reason(p)));
    assertThat(ready(proxy).getStatus()).isEqualTo("False");
    assertThat(ready(proxy).getMessage()).isEqualTo("allowConnect[0]: Realm 'nowhere' not found in namespace " + NS);
    assertThat(ready(proxy).getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
    assertThat(proxy.getStatus().observedGeneration).isEqualTo(created.getMetadata().getGeneration());
    // The rest is in place, allowing nothing.
    ConfigMap cm = awaitChild(ConfigMap.class, "orphan-proxy-config");
    assertThat(ConfigFiles.parse(cm.getData().get("proxy.yaml"), "proxy.yaml").toConfig().allowConnect()).isEmpty();
    awaitChild(NetworkPolicy.class, "orphan-proxy");
    await().atMost(WAIT).until(() -> warnings("orphan").size(), n -> n >= 1);

    // Settled: for a while, no status write, no child write, no second Event. (A retry is scheduled after
    // 30 s; nothing is retried in a loop.)
    String proxyVersion = proxyCr("orphan").getMetadata().getResourceVersion();
    String configVersion = awaitChild(ConfigMap.class, "orphan-proxy-config").getMetadata().getResourceVersion();
    Thread.sleep(5000);
    assertThat(proxyCr("orphan").getMetadata().getResourceVersion()).isEqualTo(proxyVersion);
    assertThat(awaitChild(ConfigMap.class, "orphan-proxy-config").getMetadata().getResourceVersion())
        .isEqualTo(configVersion);
    assertThat(warnings("orphan")).singleElement().satisfies(e -> {
      assertThat(e.getReason()).isEqualTo("RealmNotFound");
      assertThat(e.getMessage()).contains("'nowhere'");
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("ForwardProxy");
      assertThat(e.getInvolvedObject().getUid()).isEqualTo(created.getMetadata().getUid());
    });

    // The realm is created: the proxy picks it up from the watch, not from the 30 s retry.
    long before = System.nanoTime();
    createRealm("nowhere", 9000, 9443);
    awaitRules("orphan", rules("nowhere", 9443));
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(20));
  }

  // ---- helpers ----

  /** The proxy rules a realm target becomes: every name of the realm's Service, per port. */
  private static List<String> rules(String realm, int... ports) {
    List<String> rules = new java.util.ArrayList<>();
    for (int port : ports) {
      TargetResolution.realmHosts(realm, NS, OperatorSettings.defaults().clusterDomain())
          .forEach(host -> rules.add(host + ":" + port));
    }
    return rules;
  }

  private static TargetSpec target(String realm, Integer... ports) {
    TargetSpec t = new TargetSpec();
    t.realm = realm;
    t.ports = ports.length == 0 ? null : List.of(ports);
    return t;
  }

  private static void createRealm(String name, int ws, int wss) {
    Realm realm = new Realm();
    realm.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    RealmSpec spec = new RealmSpec();
    spec.webSocket.port = ws;
    spec.secureWebSocket.port = wss;
    realm.setSpec(spec);
    client.resources(Realm.class).inNamespace(NS).resource(realm).create();
  }

  private static ForwardProxy createProxy(String name, TargetSpec... targets) {
    ForwardProxy proxy = new ForwardProxy();
    proxy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    ForwardProxySpec spec = new ForwardProxySpec();
    spec.allowConnect = List.of(targets);
    proxy.setSpec(spec);
    return client.resources(ForwardProxy.class).inNamespace(NS).resource(proxy).create();
  }

  private static ForwardProxy proxyCr(String name) {
    return client.resources(ForwardProxy.class).inNamespace(NS).withName(name).get();
  }

  private static Condition ready(ForwardProxy p) {
    return p == null || p.getStatus() == null ? null : Conditions.find(p.getStatus().conditions, Conditions.READY);
  }

  private static String reason(ForwardProxy p) {
    Condition c = ready(p);
    return c == null ? null : c.getReason();
  }

  private static ForwardProxy awaitStatus(String name, Predicate<ForwardProxy> condition) {
    return await().atMost(WAIT).until(() -> proxyCr(name), p -> p != null && p.getStatus() != null && condition.test(p));
  }

  private static <T extends HasMetadata> T awaitChild(Class<T> type, String name) {
    return await().atMost(WAIT).until(() -> client.resources(type).inNamespace(NS).withName(name).get(),
        Objects::nonNull);
  }

  /** Waits until the proxy's ConfigMap, read by the proxy's parser, holds exactly these rules. */
  private static void awaitRules(String proxy, List<String> rules) {
    List<TargetRule> expected = rules.stream().map(TargetRule::parse).toList();
    await().atMost(WAIT).untilAsserted(() -> {
      ConfigMap cm = client.configMaps().inNamespace(NS).withName(proxy + "-proxy-config").get();
      assertThat(cm).isNotNull();
      assertThat(ConfigFiles.parse(cm.getData().get("proxy.yaml"), "proxy.yaml").toConfig().allowConnect())
          .containsExactlyElementsOf(expected);
    });
  }

  /** Ports of the NetworkPolicy's egress rules after DNS (cluster DNS, NodeLocal DNSCache), one list per target. */
  private static List<List<Integer>> egressPorts(String proxy) {
    NetworkPolicy np = awaitChild(NetworkPolicy.class, proxy + "-proxy");
    List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
    assertThat(egress.get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(53, 53, 5353, 5353);
    assertThat(egress.get(1).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(53, 53);
    return egress.subList(2, egress.size()).stream().peek(rule -> {
      assertThat(rule.getTo()).singleElement().satisfies(peer ->
          assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Names.realmSelector("rates")));
    }).map(rule -> rule.getPorts().stream().map(p -> p.getPort().getIntVal()).toList()).toList();
  }

  private static List<Event> warnings(String proxy) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> proxy.equals(e.getInvolvedObject().getName())
            && "ForwardProxy".equals(e.getInvolvedObject().getKind()) && "Warning".equals(e.getType()))
        .toList();
  }
}
