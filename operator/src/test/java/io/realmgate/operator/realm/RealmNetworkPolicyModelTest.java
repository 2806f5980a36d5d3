package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.realmgate.operator.MetricsScrapers;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.Clients;
import io.realmgate.operator.api.Realm;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RealmNetworkPolicyModelTest {

    @Test
    void selectsTheRealmPodsAndRestrictsIngressOnly() {
        NetworkPolicy policy = model(prices(), "1").networkPolicy();

        assertThat(policy.getMetadata().getName()).isEqualTo("prices-realm");
        assertThat(policy.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(
                        Map.of(
                                "app.kubernetes.io/name",
                                "realmgate-realm",
                                "app.kubernetes.io/instance",
                                "prices"));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getEgress()).isNullOrEmpty();
    }

    @Test
    void withoutDeclaredClientsThePodsOfTheSameNamespaceMayConnectToBothPorts() {
        NetworkPolicy policy = model(prices(), "1").networkPolicy();

        assertThat(policy.getSpec().getIngress()).hasSize(2); // clients, metrics scrapers
        NetworkPolicyIngressRule clients = policy.getSpec().getIngress().get(0);
        assertThat(clients.getFrom()).hasSize(1);
        NetworkPolicyPeer sameNamespace = clients.getFrom().get(0);
        assertThat(sameNamespace.getPodSelector()).isEqualTo(new LabelSelector());
        assertThat(sameNamespace.getNamespaceSelector()).isNull();
        assertThat(sameNamespace.getIpBlock()).isNull();
        assertThat(ports(clients)).containsExactly("TCP/9000", "TCP/9443");
    }

    @Test
    void declaredSelectorsFormOnePeerAndEveryIpBlockItsOwn() {
        Realm realm = prices();
        realm.getSpec().clients = new Clients();
        realm.getSpec().clients.namespaceSelector = selector("team", "trading");
        realm.getSpec().clients.podSelector = selector("role", "client");
        realm.getSpec().clients.ipBlocks = List.of("10.1.0.0/16", "192.168.5.0/24", "10.1.0.0/16");

        List<NetworkPolicyPeer> peers =
                model(realm, "1").networkPolicy().getSpec().getIngress().get(0).getFrom();

        assertThat(peers).hasSize(3);
        assertThat(peers.get(0).getNamespaceSelector()).isEqualTo(selector("team", "trading"));
        assertThat(peers.get(0).getPodSelector()).isEqualTo(selector("role", "client"));
        assertThat(peers.get(0).getNamespaceSelector())
                .isNotSameAs(realm.getSpec().clients.namespaceSelector);
        assertThat(peers.subList(1, 3))
                .extracting(p -> p.getIpBlock().getCidr())
                .containsExactly("10.1.0.0/16", "192.168.5.0/24");
    }

    @Test
    void onlyIpBlocksDeclaredMeansOnlyThoseAddresses() {
        Realm realm = prices();
        realm.getSpec().clients = new Clients();
        realm.getSpec().clients.ipBlocks = List.of("203.0.113.0/24");

        List<NetworkPolicyPeer> peers =
                model(realm, "1").networkPolicy().getSpec().getIngress().get(0).getFrom();

        assertThat(peers)
                .extracting(p -> p.getIpBlock().getCidr())
                .containsExactly("203.0.113.0/24");
        assertThat(peers.get(0).getPodSelector()).isNull();
    }

    @Test
    void referencingProxiesGetARuleOfTheirOwnByTheirPodLabels() {
        NetworkPolicy policy = model(prices(), "1", "egress", "backup").networkPolicy();

        assertThat(policy.getSpec().getIngress()).hasSize(3); // clients, proxies, metrics scrapers
        NetworkPolicyIngressRule proxies = policy.getSpec().getIngress().get(1);
        assertThat(proxies.getFrom()).hasSize(1);
        LabelSelector pods = proxies.getFrom().get(0).getPodSelector();
        assertThat(proxies.getFrom().get(0).getNamespaceSelector()).as("same namespace").isNull();
        assertThat(pods.getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "realmgate-proxy"));
        assertThat(pods.getMatchExpressions()).hasSize(1);
        assertThat(pods.getMatchExpressions().get(0).getKey())
                .isEqualTo("app.kubernetes.io/instance");
        assertThat(pods.getMatchExpressions().get(0).getOperator()).isEqualTo("In");
        assertThat(pods.getMatchExpressions().get(0).getValues())
                .containsExactly("backup", "egress");
        assertThat(ports(proxies)).containsExactly("TCP/9000", "TCP/9443");
    }

    @Test
    void portsFollowTheEnabledListeners() {
        Realm realm = prices();
        realm.getSpec().webSocket.enabled = false;
        realm.getSpec().secureWebSocket.port = 10443;

        NetworkPolicy policy = model(realm, "1", "egress").networkPolicy();

        assertThat(policy.getSpec().getIngress().subList(0, 2))
                .allSatisfy(rule -> assertThat(ports(rule)).containsExactly("TCP/10443"));
    }

    @Test
    void metricsScrapersReachTheAdminPortAndNothingElse() {
        List<NetworkPolicyIngressRule> rules =
                model(prices(), "1", "egress").networkPolicy().getSpec().getIngress();
        NetworkPolicyIngressRule scrapers = rules.get(rules.size() - 1);
        assertThat(scrapers.getFrom())
                .singleElement()
                .satisfies(
                        peer -> {
                            assertThat(peer.getNamespaceSelector())
                                    .as("every namespace")
                                    .isEqualTo(new LabelSelector(null, Map.of()));
                            assertThat(peer.getPodSelector())
                                    .isEqualTo(matchLabels("app.kubernetes.io/name", "prometheus"));
                        });
        assertThat(ports(scrapers)).containsExactly("TCP/8080");
        assertThat(rules.subList(0, rules.size() - 1))
                .allSatisfy(
                        rule ->
                                assertThat(ports(rule))
                                        .as("clients and proxies never get the admin port")
                                        .doesNotContain("TCP/8080"));

        Realm onAdminPort = prices();
        onAdminPort.getSpec().webSocket.port = 8080;
        List<NetworkPolicyIngressRule> moved =
                model(onAdminPort, "1").networkPolicy().getSpec().getIngress();
        assertThat(ports(moved.get(0))).containsExactly("TCP/8080", "TCP/9443");
        assertThat(ports(moved.get(1)))
                .as("the admin listener moved aside")
                .containsExactly("TCP/8081");

        OperatorSettings monitoring =
                RealmFixtures.SETTINGS.withMetricsScrapers(
                        Optional.of(
                                MetricsScrapers.of(
                                        Map.of("kubernetes.io/metadata.name", "monitoring"),
                                        Map.of("app", "vmagent"))));
        NetworkPolicyPeer custom =
                new RealmModel(
                                prices(),
                                monitoring,
                                RealmFixtures.issuedCertificate(prices(), "1"),
                                List.of())
                        .networkPolicy()
                        .getSpec()
                        .getIngress()
                        .get(1)
                        .getFrom()
                        .get(0);
        assertThat(custom.getNamespaceSelector())
                .isEqualTo(matchLabels("kubernetes.io/metadata.name", "monitoring"));
        assertThat(custom.getPodSelector()).isEqualTo(matchLabels("app", "vmagent"));

        OperatorSettings none = RealmFixtures.SETTINGS.withMetricsScrapers(Optional.empty());
        assertThat(
                        new RealmModel(
                                        prices(),
                                        none,
                                        RealmFixtures.issuedCertificate(prices(), "1"),
                                        List.of())
                                .networkPolicy()
                                .getSpec()
                                .getIngress())
                .as("--metrics-pod-selector none")
                .hasSize(1);
    }

    @Test
    void admittedProxiesReadsBackWhatThePolicyAdmits() {
        assertThat(
                        RealmNetworkPolicyModel.admittedProxies(
                                model(prices(), "1", "egress", "backup").networkPolicy()))
                .containsExactly("backup", "egress");
        assertThat(RealmNetworkPolicyModel.admittedProxies(model(prices(), "1").networkPolicy()))
                .isEmpty();
        assertThat(RealmNetworkPolicyModel.admittedProxies(new NetworkPolicy())).isEmpty();
    }

    private static List<String> ports(NetworkPolicyIngressRule rule) {
        return rule.getPorts().stream().map(RealmNetworkPolicyModelTest::port).toList();
    }

    private static String port(NetworkPolicyPort port) {
        return port.getProtocol() + "/" + port.getPort().getIntVal();
    }

    private static LabelSelector matchLabels(String key, String value) {
        return new LabelSelector(null, Map.of(key, value));
    }

    private static LabelSelector selector(String key, String value) {
        return new LabelSelectorBuilder().addToMatchLabels(key, value).build();
    }
}
