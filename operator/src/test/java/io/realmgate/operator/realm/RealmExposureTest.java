package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmExpose;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.WarningEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RealmExposureTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static Realm exposed(RealmExpose.Type type, String... hostnames) {
        Realm realm = prices();
        realm.getSpec().expose = new RealmExpose();
        realm.getSpec().expose.type = type;
        realm.getSpec().expose.hostnames = hostnames.length == 0 ? null : List.of(hostnames);
        return realm;
    }

    @Test
    void anUnexposedRealmHasNoExternalServiceNoRouteAndNoExternalEndpoints() {
        RealmModel model = model(prices(), "1");

        assertThat(model.hasExternalService()).isFalse();
        assertThat(model.wantsTlsRoute()).isFalse();
        RealmStatus status = RealmStatusModel.next(model, null, NOW);
        assertThat(status.externalEndpoints).isNull();
        assertThat(Conditions.find(status.conditions, RealmExposure.CONDITION)).isNull();
        assertThat(model.service().getSpec().getType()).isEqualTo("ClusterIP");
    }

    @Test
    void nodePortExposureIsAServiceOfItsOwnWithTheWssPortOnlyAndTheAskedNodePort() {
        Realm realm = exposed(RealmExpose.Type.NODE_PORT, "realm.test");
        realm.getSpec().expose.nodePort = 30443;
        realm.getSpec().expose.annotations = Map.of("example.com/team", "trading");
        RealmModel model = model(realm, "1");

        assertThat(model.hasExternalService()).isTrue();
        Service service = model.externalService();
        assertThat(service.getMetadata().getName()).isEqualTo("prices-realm-external");
        assertThat(service.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(service.getMetadata().getAnnotations())
                .isEqualTo(Map.of("example.com/team", "trading"));
        assertThat(service.getMetadata().getOwnerReferences()).hasSize(1);
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getLoadBalancerClass()).isNull();
        assertThat(service.getSpec().getSelector()).isEqualTo(model.selector());
        assertThat(service.getSpec().getPorts()).hasSize(1);
        ServicePort wss = service.getSpec().getPorts().get(0);
        assertThat(wss.getName()).isEqualTo("wss");
        assertThat(wss.getPort()).isEqualTo(9443);
        assertThat(wss.getNodePort()).isEqualTo(30443);
        // The in-cluster Service stays as it was.
        assertThat(model.service().getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(model.service().getSpec().getPorts()).hasSize(2);
    }

    @Test
    void loadBalancerExposureCarriesItsClassAndLeavesTheNodePortToKubernetes() {
        Realm realm = exposed(RealmExpose.Type.LOAD_BALANCER);
        realm.getSpec().expose.loadBalancerClass = "example.com/lb";
        Service service = model(realm, "1").externalService();

        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getLoadBalancerClass()).isEqualTo("example.com/lb");
        assertThat(service.getSpec().getPorts().get(0).getNodePort()).isNull();
        assertThat(service.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void theCertificateCarriesTheHostnamesWithAddressesInJavasForm() {
        Realm realm = exposed(RealmExpose.Type.NODE_PORT, "realm.test", "10.244.0.1", "::1");

        assertThat(RealmModel.dnsNames(realm, RealmFixtures.SETTINGS))
                .contains("realm.test", "10.244.0.1", "0:0:0:0:0:0:0:1")
                .contains("prices-realm", "prices-realm.apps.svc.cluster.local")
                .doesNotContain("::1");
        assertThat(RealmModel.dnsNames(prices(), RealmFixtures.SETTINGS))
                .doesNotContain("realm.test");
    }

    @Test
    void theNetworkPolicyAdmitsAnySourceToWssOnlyByDefault() {
        RealmModel model = model(exposed(RealmExpose.Type.NODE_PORT), "1");
        List<NetworkPolicyIngressRule> ingress = model.networkPolicy().getSpec().getIngress();

        NetworkPolicyIngressRule external = ingress.get(1);
        assertThat(external.getPorts()).hasSize(1);
        assertThat(external.getPorts().get(0).getPort().getIntVal()).isEqualTo(9443);
        assertThat(external.getFrom()).as("no peers: every source").isNullOrEmpty();
        // Unexposed: no such rule (clients, metrics scrapers only).
        assertThat(model(prices(), "1").networkPolicy().getSpec().getIngress()).hasSize(2);
    }

    @Test
    void theNetworkPolicyAdmitsOnlyTheDeclaredSourcesAndForATlsRouteEveryPod() {
        Realm realm = exposed(RealmExpose.Type.TLS_ROUTE, "realm.test");
        realm.getSpec().expose.from = List.of("203.0.113.0/24", "203.0.113.0/24");
        List<NetworkPolicyPeer> peers =
                model(realm, "1").networkPolicy().getSpec().getIngress().get(1).getFrom();

        assertThat(peers).hasSize(2);
        assertThat(peers.get(0).getIpBlock().getCidr()).isEqualTo("203.0.113.0/24");
        assertThat(peers.get(1).getNamespaceSelector()).isNotNull();
        assertThat(peers.get(1).getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(peers.get(1).getIpBlock()).isNull();
    }

    @Test
    void aNodePortRealmListsItsHostnamesWithTheAllocatedPort() {
        RealmModel model = model(exposed(RealmExpose.Type.NODE_PORT, "realm.test", "::1"), "1");
        Service live = allocated(model.externalService(), 31001);

        RealmStatus status =
                RealmStatusModel.next(model, null, live, RealmTlsRoute.State.notServed(), NOW);

        assertThat(status.externalEndpoints)
                .containsExactly(
                        "wss://realm.test:31001/realm", "wss://[0:0:0:0:0:0:0:1]:31001/realm");
        Condition exposed = Conditions.find(status.conditions, RealmExposure.CONDITION);
        assertThat(exposed.getStatus()).isEqualTo("True");
        assertThat(exposed.getReason()).isEqualTo(RealmExposure.NODE_PORT_ALLOCATED);
        assertThat(exposed.getMessage()).contains("31001");
    }

    @Test
    void aNodePortRealmWithoutItsServiceOrHostnamesSaysWhat() {
        RealmModel model = model(exposed(RealmExpose.Type.NODE_PORT), "1");

        RealmStatus pending =
                RealmStatusModel.next(model, null, null, RealmTlsRoute.State.notServed(), NOW);
        assertThat(pending.externalEndpoints).isNull();
        Condition condition = Conditions.find(pending.conditions, RealmExposure.CONDITION);
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo(RealmExposure.SERVICE_PENDING);

        RealmStatus noNames =
                RealmStatusModel.next(
                        model,
                        null,
                        allocated(model.externalService(), 30100),
                        RealmTlsRoute.State.notServed(),
                        NOW);
        assertThat(noNames.externalEndpoints).isNull();
        assertThat(Conditions.find(noNames.conditions, RealmExposure.CONDITION).getMessage())
                .contains("30100", "spec.expose.hostnames");
    }

    @Test
    void aLoadBalancerRealmWaitsForItsIngressThenListsItAfterTheHostnames() {
        RealmModel model = model(exposed(RealmExpose.Type.LOAD_BALANCER, "realm.test"), "1");
        Service service = allocated(model.externalService(), 30200);

        RealmStatus pending =
                RealmStatusModel.next(model, null, service, RealmTlsRoute.State.notServed(), NOW);
        assertThat(pending.externalEndpoints).isNull();
        assertThat(Conditions.find(pending.conditions, RealmExposure.CONDITION).getReason())
                .isEqualTo(RealmExposure.LOAD_BALANCER_PENDING);

        Service ready =
                new ServiceBuilder(service)
                        .withNewStatus()
                        .withNewLoadBalancer()
                        .withIngress(
                                new LoadBalancerIngressBuilder().withIp("198.51.100.7").build(),
                                new LoadBalancerIngressBuilder()
                                        .withHostname("lb.example.net")
                                        .build())
                        .endLoadBalancer()
                        .endStatus()
                        .build();
        RealmStatus status =
                RealmStatusModel.next(model, null, ready, RealmTlsRoute.State.notServed(), NOW);
        assertThat(status.externalEndpoints)
                .containsExactly(
                        "wss://realm.test:9443/realm",
                        "wss://198.51.100.7:9443/realm",
                        "wss://lb.example.net:9443/realm");
        assertThat(Conditions.find(status.conditions, RealmExposure.CONDITION).getReason())
                .isEqualTo(RealmExposure.LOAD_BALANCER_READY);
    }

    @Test
    void aTlsRouteRealmSaysSoWhenTheKindIsNotServedAndListsItsHostnamesWhenItIs() {
        Realm realm =
                exposed(RealmExpose.Type.TLS_ROUTE, "realm.test", "*.realms.test", "10.0.0.1");
        RealmExpose.GatewayParentRef gateway = new RealmExpose.GatewayParentRef();
        gateway.name = "edge";
        gateway.namespace = "gateways";
        gateway.sectionName = "tls";
        realm.getSpec().expose.parentRefs = List.of(gateway);
        RealmModel model = model(realm, "1");

        assertThat(model.hasExternalService()).isFalse();
        RealmStatus notServed =
                RealmStatusModel.next(model, null, null, RealmTlsRoute.State.notServed(), NOW);
        Condition condition = Conditions.find(notServed.conditions, RealmExposure.CONDITION);
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo(RealmExposure.TLS_ROUTE_NOT_SERVED);
        assertThat(notServed.externalEndpoints).isNull();

        String version = "gateway.networking.k8s.io/v1alpha2";
        RealmStatus served =
                RealmStatusModel.next(model, null, null, RealmTlsRoute.State.served(version), NOW);
        assertThat(served.externalEndpoints).containsExactly("wss://realm.test/realm");
        assertThat(Conditions.find(served.conditions, RealmExposure.CONDITION).getReason())
                .isEqualTo(RealmExposure.TLS_ROUTE_APPLIED);

        RealmStatus refused =
                RealmStatusModel.next(
                        model,
                        null,
                        null,
                        RealmTlsRoute.State.failed("Forbidden: tlsroutes is forbidden"),
                        NOW);
        Condition failed = Conditions.find(refused.conditions, RealmExposure.CONDITION);
        assertThat(failed.getStatus()).isEqualTo("False");
        assertThat(failed.getReason()).isEqualTo(RealmExposure.TLS_ROUTE_FAILED);
        assertThat(failed.getMessage())
                .isEqualTo("TLSRoute prices-realm: Forbidden: tlsroutes is forbidden");
        assertThat(Conditions.find(refused.conditions, Conditions.READY).getReason())
                .as("the realm's readiness is its pods'")
                .isNotEqualTo(RealmExposure.TLS_ROUTE_FAILED);

        GenericKubernetesResource route = model.tlsRoute(version);
        assertThat(route.getApiVersion()).isEqualTo(version);
        assertThat(route.getKind()).isEqualTo("TLSRoute");
        assertThat(route.getMetadata().getName()).isEqualTo("prices-realm");
        assertThat(route.getMetadata().getOwnerReferences()).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) route.getAdditionalProperties().get("spec");
        assertThat(spec.get("hostnames")).isEqualTo(List.of("realm.test", "*.realms.test"));
        assertThat(spec.get("parentRefs"))
                .isEqualTo(
                        List.of(
                                Map.of(
                                        "group", "gateway.networking.k8s.io",
                                        "kind", "Gateway",
                                        "name", "edge",
                                        "namespace", "gateways",
                                        "sectionName", "tls")));
        assertThat(spec.get("rules"))
                .isEqualTo(
                        List.of(
                                Map.of(
                                        "backendRefs",
                                        List.of(Map.of("name", "prices-realm", "port", 9443)))));
    }

    @Test
    void theExposedConditionGoesWhenTheRealmIsNoLongerExposed() {
        RealmModel exposedModel = model(exposed(RealmExpose.Type.NODE_PORT), "1");
        RealmStatus before =
                RealmStatusModel.next(
                        exposedModel, null, null, RealmTlsRoute.State.notServed(), NOW);
        Realm unexposed = prices();
        unexposed.setStatus(before);

        RealmStatus after = RealmStatusModel.next(model(unexposed, "1"), null, NOW);

        assertThat(Conditions.find(after.conditions, RealmExposure.CONDITION)).isNull();
        assertThat(Conditions.find(after.conditions, Conditions.READY)).isNotNull();
    }

    @Test
    void waitingForAServiceOrALoadBalancerRaisesNoWarningButAnUnservedTlsRouteDoes() {
        RealmStatus pending =
                RealmStatusModel.next(
                        model(exposed(RealmExpose.Type.LOAD_BALANCER), "1"),
                        null,
                        null,
                        RealmTlsRoute.State.notServed(),
                        NOW);
        assertThat(WarningEvents.newFailures(List.of(), pending.conditions))
                .doesNotContainKeys(
                        RealmExposure.LOAD_BALANCER_PENDING, RealmExposure.SERVICE_PENDING);

        Realm routed = exposed(RealmExpose.Type.TLS_ROUTE, "realm.test");
        RealmExpose.GatewayParentRef gateway = new RealmExpose.GatewayParentRef();
        gateway.name = "edge";
        routed.getSpec().expose.parentRefs = List.of(gateway);
        RealmStatus notServed =
                RealmStatusModel.next(
                        model(routed, "1"), null, null, RealmTlsRoute.State.notServed(), NOW);
        assertThat(WarningEvents.newFailures(List.of(), notServed.conditions))
                .containsKey(RealmExposure.TLS_ROUTE_NOT_SERVED);
    }

    private static Service allocated(Service desired, int nodePort) {
        Service live = new ServiceBuilder(desired).build();
        live.getSpec().getPorts().get(0).setNodePort(nodePort);
        return live;
    }
}
