package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.realmgate.operator.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The proxy's NetworkPolicy: the network layer saying what the proxy's own policy says. Ingress
 * only from the declared clients (default: pods of the same namespace) to the proxy and transparent
 * ports, and from the metrics scrapers (operator flags) to the admin port; egress only to DNS and
 * to the allowed targets on their ports.
 *
 * <p>A NetworkPolicy cannot name a host: egress to a DNS-name target is allowed to any address on
 * that target's ports, and the proxy's host rule is what restricts it to the name. Realm targets go
 * to the realm's pods (its container ports are its Service ports); address targets to their block.
 */
final class ProxyNetworkPolicyModel {
    static final String METADATA_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final int DNS_PORT = 53;

    /**
     * The cluster DNS pods' own port where they listen on 5353 behind the DNS Service's 53
     * (OpenShift's dns-default, some CoreDNS set-ups): a NetworkPolicy sees the pod's port after
     * the Service's translation.
     */
    private static final int DNS_POD_PORT = 5353;

    /**
     * NodeLocal DNSCache's link-local address on every node: not a pod, so only an ipBlock admits
     * it.
     */
    static final String NODE_LOCAL_DNS = "169.254.20.10/32";

    private ProxyNetworkPolicyModel() {}

    static NetworkPolicy networkPolicy(ProxyModel model) {
        List<NetworkPolicyPort> clientPorts = new ArrayList<>();
        clientPorts.add(tcp(model.port()));
        model.transparentPort().ifPresent(p -> clientPorts.add(tcp(p)));
        List<NetworkPolicyIngressRule> ingress = new ArrayList<>();
        ingress.add(
                new NetworkPolicyIngressRuleBuilder()
                        .withFrom(ProxyClients.peers(model.spec().clients))
                        .withPorts(clientPorts)
                        .build());
        model.settings()
                .metricsScrapers()
                .ifPresent(
                        scrapers ->
                                ingress.add(
                                        new NetworkPolicyIngressRuleBuilder()
                                                .withFrom(scrapers.networkPolicyPeer())
                                                .withPorts(tcp(ProxyConfigFile.ADMIN_PORT))
                                                .build()));
        return new NetworkPolicyBuilder()
                .withMetadata(model.metadata(Names.proxy(model.proxy())))
                .withNewSpec()
                .withPodSelector(new LabelSelector(null, model.selector()))
                .withPolicyTypes("Ingress", "Egress")
                .withIngress(ingress)
                .withEgress(egress(model))
                .endSpec()
                .build();
    }

    private static List<NetworkPolicyEgressRule> egress(ProxyModel model) {
        List<NetworkPolicyEgressRule> rules = new ArrayList<>();
        // DNS: the cluster's resolver runs in some namespace; any namespace's pods on 53, or 5353
        // where the DNS
        // pods listen there behind the Service's 53.
        rules.add(
                new NetworkPolicyEgressRuleBuilder()
                        .addToTo(
                                new NetworkPolicyPeerBuilder()
                                        .withNamespaceSelector(new LabelSelector())
                                        .build())
                        .addToPorts(
                                port("UDP", DNS_PORT),
                                port("TCP", DNS_PORT),
                                port("UDP", DNS_POD_PORT),
                                port("TCP", DNS_POD_PORT))
                        .build());
        // NodeLocal DNSCache answers on a link-local address of the node.
        rules.add(
                new NetworkPolicyEgressRuleBuilder()
                        .addToTo(ipBlock(NODE_LOCAL_DNS))
                        .addToPorts(port("UDP", DNS_PORT), port("TCP", DNS_PORT))
                        .build());
        for (TargetResolution.ResolvedTarget target : model.resolution().targets()) {
            rules.add(
                    new NetworkPolicyEgressRuleBuilder()
                            .withTo(peers(model, target))
                            .withPorts(
                                    target.ports().stream()
                                            .map(ProxyNetworkPolicyModel::tcp)
                                            .toList())
                            .build());
        }
        return rules;
    }

    private static List<NetworkPolicyPeer> peers(
            ProxyModel model, TargetResolution.ResolvedTarget target) {
        switch (target.kind()) {
            case REALM:
                {
                    Map<String, String> namespace =
                            new TreeMap<>(Map.of(METADATA_NAME_LABEL, model.namespace()));
                    return List.of(
                            new NetworkPolicyPeerBuilder()
                                    .withNamespaceSelector(new LabelSelector(null, namespace))
                                    .withPodSelector(
                                            new LabelSelector(
                                                    null,
                                                    new TreeMap<>(
                                                            Names.realmSelector(target.name()))))
                                    .build());
                }
            case ADDRESS:
                return List.of(ipBlock(target.name()));
            case HOST_NAME:
            default:
                // NetworkPolicy cannot name hosts: any address on these ports; the proxy's host
                // rule narrows it.
                return List.of(ipBlock("0.0.0.0/0"), ipBlock("::/0"));
        }
    }

    private static NetworkPolicyPeer ipBlock(String cidr) {
        return new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr).endIpBlock().build();
    }

    private static NetworkPolicyPort tcp(int port) {
        return port("TCP", port);
    }

    private static NetworkPolicyPort port(String protocol, int port) {
        return new NetworkPolicyPortBuilder()
                .withProtocol(protocol)
                .withPort(new IntOrString(port))
                .build();
    }
}
