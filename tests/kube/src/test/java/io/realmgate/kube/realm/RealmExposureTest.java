package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.assertOwnedBy;
import static io.realmgate.kube.realm.RealmCluster.certificates;
import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.decode;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.Realm;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * spec.expose against a real API server: the external Service it allocates a node port for, the
 * status endpoints built from that port (and from a load balancer's address the test reports as a
 * load balancer controller would), the names in the issued certificate, the NetworkPolicy rule, and
 * a TLSRoute asked for where the API server serves no Gateway API (the control plane here has
 * none).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealmExposureTest {
    private static final String NS = "realm-exposure";
    private static final String EXTERNAL = "-realm-external";

    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    private static Service external(String realm) {
        return cluster.client().services().inNamespace(NS).withName(realm + EXTERNAL).get();
    }

    @Test
    void aNodePortRealmGetsItsServiceTheAllocatedPortInItsStatusAndItsNamesInTheCertificate() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: outside}
        spec:
          expose:
            type: NodePort
            hostnames: [realm.test, 10.244.0.1]
            annotations: {example.com/owner: trading}
        """);
        Realm realm =
                cluster.awaitRealm(
                        "outside",
                        "Exposed with external endpoints",
                        r ->
                                is(r, "Exposed", "True", "NodePortAllocated")
                                        && r.getStatus().externalEndpoints != null);

        Service service = external("outside");
        assertOwnedBy(service, realm);
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getMetadata().getAnnotations())
                .containsEntry("example.com/owner", "trading");
        assertThat(service.getSpec().getPorts()).hasSize(1);
        ServicePort wss = service.getSpec().getPorts().get(0);
        assertThat(wss.getName()).isEqualTo("wss");
        assertThat(wss.getPort()).isEqualTo(9443);
        int nodePort = wss.getNodePort();
        assertThat(nodePort).as("allocated by the API server").isBetween(30000, 32767);
        assertThat(realm.getStatus().externalEndpoints)
                .containsExactly(
                        "wss://realm.test:" + nodePort + "/realm",
                        "wss://10.244.0.1:" + nodePort + "/realm");
        assertThat(condition(realm, "Exposed").getMessage()).contains(String.valueOf(nodePort));
        assertThat(cluster.service("outside").getSpec().getType())
                .as("the in-cluster Service stays")
                .isEqualTo("ClusterIP");

        X509Certificate leaf = certificates(decode(cluster.tlsSecret("outside"), "tls.crt")).get(0);
        assertThat(RealmCluster.dnsNames(leaf)).contains("realm.test", "outside-realm");
        assertThat(ipAddresses(leaf)).containsExactly("10.244.0.1");

        List<NetworkPolicyIngressRule> ingress =
                cluster.networkPolicy("outside").getSpec().getIngress();
        assertThat(ingress)
                .anySatisfy(
                        rule -> {
                            assertThat(rule.getPorts())
                                    .extracting(p -> p.getPort().getIntVal())
                                    .containsExactly(9443);
                            assertThat(rule.getFrom()).as("every source").isNullOrEmpty();
                        });
    }

    @Test
    void aFixedNodePortIsKeptAndTheExposureGoesWithItsService() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: fixed}
        spec:
          expose: {type: NodePort, nodePort: 31443, hostnames: [fixed.test]}
        """);
        Realm realm =
                cluster.awaitRealm(
                        "fixed",
                        "endpoint on the fixed node port",
                        r ->
                                r.getStatus().externalEndpoints != null
                                        && r.getStatus()
                                                .externalEndpoints
                                                .equals(List.of("wss://fixed.test:31443/realm")));
        assertThat(external("fixed").getSpec().getPorts().get(0).getNodePort()).isEqualTo(31443);

        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: fixed}
        spec: {}
        """);
        Realm unexposed =
                cluster.awaitRealm(
                        "fixed",
                        "no exposure left",
                        r ->
                                r.getMetadata().getGeneration()
                                                > realm.getMetadata().getGeneration()
                                        && Objects.equals(
                                                r.getStatus().observedGeneration,
                                                r.getMetadata().getGeneration())
                                        && condition(r, "Exposed") == null
                                        && r.getStatus().externalEndpoints == null);
        assertThat(unexposed.getStatus().conditions).isNotEmpty();
        await("Service fixed-realm-external deleted")
                .atMost(RealmCluster.WAIT)
                .until(() -> external("fixed") == null);
        await("the certificate without fixed.test")
                .atMost(RealmCluster.WAIT)
                .until(
                        () ->
                                !RealmCluster.dnsNames(
                                                certificates(
                                                                decode(
                                                                        cluster.tlsSecret("fixed"),
                                                                        "tls.crt"))
                                                        .get(0))
                                        .contains("fixed.test"));
    }

    @Test
    void aLoadBalancerRealmListsTheAddressItsLoadBalancerReports() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: balanced}
        spec:
          secureWebSocket: {port: 8443}
          expose:
            type: LoadBalancer
            loadBalancerClass: example.com/test-lb
            from: [198.51.100.0/24]
        """);
        cluster.awaitRealm(
                "balanced",
                "waiting for the load balancer",
                r -> is(r, "Exposed", "False", "LoadBalancerPending"));
        Service service = external("balanced");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getLoadBalancerClass()).isEqualTo("example.com/test-lb");
        assertThat(cluster.networkPolicy("balanced").getSpec().getIngress())
                .anySatisfy(
                        rule ->
                                assertThat(rule.getFrom())
                                        .extracting(
                                                p ->
                                                        p.getIpBlock() == null
                                                                ? null
                                                                : p.getIpBlock().getCidr())
                                        .containsExactly("198.51.100.0/24"));

        // What the load balancer controller of example.com/test-lb would report.
        cluster.client()
                .services()
                .inNamespace(NS)
                .withName("balanced" + EXTERNAL)
                .editStatus(
                        s -> {
                            s.getStatus()
                                    .getLoadBalancer()
                                    .setIngress(
                                            List.of(
                                                    new LoadBalancerIngressBuilder()
                                                            .withIp("203.0.113.9")
                                                            .build()));
                            return s;
                        });
        Realm realm =
                cluster.awaitRealm(
                        "balanced",
                        "the load balancer's address in the status",
                        r -> is(r, "Exposed", "True", "LoadBalancerReady"));
        assertThat(realm.getStatus().externalEndpoints)
                .containsExactly("wss://203.0.113.9:8443/realm");
    }

    @Test
    void aTlsRouteWhereTheGatewayApiIsNotServedIsReportedAndTheRealmStillServes() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: routed}
        spec:
          expose:
            type: TLSRoute
            hostnames: [routed.test]
            parentRefs: [{name: edge, namespace: gateways}]
        """);
        Realm realm =
                cluster.awaitRealm(
                        "routed",
                        "TLSRoute not served",
                        r ->
                                is(r, "Exposed", "False", "TLSRouteNotServed")
                                        && is(r, "CertificateReady", "True", "Issued"));
        assertThat(condition(realm, "Exposed").getMessage())
                .contains("serves no TLSRoute", "gateway.networking.k8s.io");
        assertThat(realm.getStatus().externalEndpoints).isNull();
        assertThat(external("routed")).isNull();
        assertThat(cluster.deployment("routed")).isNotNull();
        assertThat(
                        RealmCluster.dnsNames(
                                certificates(decode(cluster.tlsSecret("routed"), "tls.crt"))
                                        .get(0)))
                .contains("routed.test");
    }

    private static List<String> ipAddresses(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames().stream()
                    .filter(san -> Integer.valueOf(7).equals(san.get(0)))
                    .map(san -> (String) san.get(1))
                    .toList();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }
}
