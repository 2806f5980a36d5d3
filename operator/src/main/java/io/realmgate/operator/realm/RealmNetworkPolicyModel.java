package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Clients;
import io.realmgate.operator.api.RealmSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The realm's NetworkPolicy: ingress to the realm pods' enabled ports only from the declared
 * clients (default: the pods of the realm's namespace) and from the pods of the ForwardProxies that
 * reference the realm, to the wss port from spec.expose's sources when the realm is exposed, and to
 * the admin port (metrics) only from the metrics scrapers the operator was told of. Everything else
 * is dropped by a CNI that enforces NetworkPolicy; egress is not restricted (the realm dials
 * nothing, but DNS and the like stay possible).
 */
final class RealmNetworkPolicyModel {
    static final String IN = "In";

    private RealmNetworkPolicyModel() {}

    static NetworkPolicy networkPolicy(
            RealmModel model,
            ObjectMeta metadata,
            Map<String, String> realmSelector,
            SortedSet<String> proxies) {
        List<NetworkPolicyPort> ports = ports(model);
        List<NetworkPolicyIngressRule> ingress = new ArrayList<>();
        ingress.add(
                new NetworkPolicyIngressRuleBuilder()
                        .withFrom(clientPeers(model))
                        .withPorts(ports)
                        .build());
        if (model.realm().getSpec() != null && model.realm().getSpec().expose != null) {
            // Clients outside the cluster, to wss only: the one listener that is exposed. No
            // peers (spec.expose.from absent): every source.
            List<NetworkPolicyPeer> external = RealmExposure.externalPeers(model.realm());
            ingress.add(
                    new NetworkPolicyIngressRuleBuilder()
                            .withFrom(external.isEmpty() ? null : external)
                            .withPorts(port(model.secureWebSocketPort()))
                            .build());
        }
        if (!proxies.isEmpty()) {
            ingress.add(
                    new NetworkPolicyIngressRuleBuilder()
                            .withFrom(
                                    new NetworkPolicyPeerBuilder()
                                            .withPodSelector(proxyPods(proxies))
                                            .build())
                            .withPorts(ports(model))
                            .build());
        }
        model.settings()
                .metricsScrapers()
                .ifPresent(
                        scrapers ->
                                ingress.add(
                                        new NetworkPolicyIngressRuleBuilder()
                                                .withFrom(scrapers.networkPolicyPeer())
                                                .withPorts(port(model.adminPort()))
                                                .build()));
        return new NetworkPolicyBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(new TreeMap<>(realmSelector))
                .endPodSelector()
                .withPolicyTypes("Ingress")
                .withIngress(ingress)
                .endSpec()
                .build();
    }

    private static List<NetworkPolicyPort> ports(RealmModel model) {
        List<NetworkPolicyPort> ports = new ArrayList<>();
        if (model.webSocketOn()) {
            ports.add(port(model.webSocketPort()));
        }
        if (model.secureWebSocketOn()) {
            ports.add(port(model.secureWebSocketPort()));
        }
        return ports;
    }

    /** Port numbers, not names: every CNI that enforces NetworkPolicy supports numbers. */
    private static NetworkPolicyPort port(int port) {
        return new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(port))
                .build();
    }

    /**
     * spec.clients as NetworkPolicy peers. The selectors form one peer (both given: pods matching
     * podSelector in namespaces matching namespaceSelector; podSelector alone: in the realm's
     * namespace); each ipBlock is a peer of its own. Nothing declared: every pod of the realm's
     * namespace.
     */
    static List<NetworkPolicyPeer> clientPeers(RealmModel model) {
        RealmSpec spec = model.realm().getSpec();
        Clients clients = spec == null ? null : spec.clients;
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        if (clients != null && (clients.namespaceSelector != null || clients.podSelector != null)) {
            NetworkPolicyPeerBuilder peer = new NetworkPolicyPeerBuilder();
            if (clients.namespaceSelector != null) {
                peer.withNamespaceSelector(copy(clients.namespaceSelector));
            }
            if (clients.podSelector != null) {
                peer.withPodSelector(copy(clients.podSelector));
            }
            peers.add(peer.build());
        }
        if (clients != null && clients.ipBlocks != null) {
            clients.ipBlocks.stream()
                    .distinct()
                    .forEach(
                            cidr ->
                                    peers.add(
                                            new NetworkPolicyPeerBuilder()
                                                    .withNewIpBlock()
                                                    .withCidr(cidr)
                                                    .endIpBlock()
                                                    .build()));
        }
        if (peers.isEmpty()) {
            peers.add(new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build());
        }
        return peers;
    }

    /**
     * The pods of the named ForwardProxies (their selector labels, Names.proxySelector), as one
     * selector.
     */
    static LabelSelector proxyPods(SortedSet<String> proxies) {
        return new LabelSelectorBuilder()
                .withMatchLabels(new TreeMap<>(Map.of(Names.LABEL_NAME, Names.PROXY_APP)))
                .addNewMatchExpression()
                .withKey(Names.LABEL_INSTANCE)
                .withOperator(IN)
                .withValues(new ArrayList<>(proxies))
                .endMatchExpression()
                .build();
    }

    /**
     * The ForwardProxies a realm NetworkPolicy (as written by {@link #networkPolicy}) admits: the
     * reverse of {@link #proxyPods}. The reconciler indexes policies by it, so a proxy that stops
     * naming a realm still leads back to the realm whose policy must drop it.
     */
    static SortedSet<String> admittedProxies(NetworkPolicy policy) {
        SortedSet<String> names = new TreeSet<>();
        if (policy.getSpec() == null || policy.getSpec().getIngress() == null) {
            return names;
        }
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            for (NetworkPolicyPeer peer :
                    rule.getFrom() == null ? List.<NetworkPolicyPeer>of() : rule.getFrom()) {
                LabelSelector pods = peer.getPodSelector();
                if (peer.getNamespaceSelector() != null
                        || pods == null
                        || pods.getMatchLabels() == null
                        || !Names.PROXY_APP.equals(pods.getMatchLabels().get(Names.LABEL_NAME))
                        || pods.getMatchExpressions() == null) {
                    continue;
                }
                for (LabelSelectorRequirement requirement : pods.getMatchExpressions()) {
                    if (Names.LABEL_INSTANCE.equals(requirement.getKey())
                            && IN.equals(requirement.getOperator())
                            && requirement.getValues() != null) {
                        names.addAll(requirement.getValues());
                    }
                }
            }
        }
        return names;
    }

    private static LabelSelector copy(LabelSelector selector) {
        return new LabelSelectorBuilder(selector).build();
    }
}
