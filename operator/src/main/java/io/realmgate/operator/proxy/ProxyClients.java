package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.realmgate.operator.api.Clients;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Who may use a proxy, said twice from one declaration ({@code spec.clients}): as NetworkPolicy
 * ingress peers (which pods and address blocks reach the proxy port at all) and as the proxy's own
 * {@code allowClients} (the address check behind it). Nothing declared: the pods of the proxy's
 * namespace.
 */
final class ProxyClients {
    private ProxyClients() {}

    /**
     * True when pods are admitted: nothing is declared (default: this namespace's pods), or a
     * namespace or pod selector is. Only address blocks declared: pods are not admitted by label,
     * only by those blocks.
     */
    static boolean admitsPods(Clients clients) {
        return clients == null
                || clients.namespaceSelector != null
                || clients.podSelector != null
                || ipBlocks(clients).isEmpty();
    }

    static List<String> ipBlocks(Clients clients) {
        return clients == null || clients.ipBlocks == null ? List.of() : clients.ipBlocks;
    }

    /**
     * The proxy's {@code allowClients}: the declared blocks, plus the pod networks when pods are
     * admitted. Pod addresses are not known in advance, so for pods the NetworkPolicy decides and
     * the proxy's check only keeps out what is not a pod at all.
     */
    static List<String> allowClients(Clients clients, List<String> podNetworks) {
        LinkedHashSet<String> blocks = new LinkedHashSet<>(ipBlocks(clients));
        if (admitsPods(clients)) {
            blocks.addAll(podNetworks);
        }
        return List.copyOf(blocks);
    }

    /**
     * NetworkPolicy ingress peers, in a fixed order: the pod peer first, then one per address
     * block.
     */
    static List<NetworkPolicyPeer> peers(Clients clients) {
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        if (admitsPods(clients)) {
            NetworkPolicyPeerBuilder pods = new NetworkPolicyPeerBuilder();
            LabelSelector namespaces = clients == null ? null : clients.namespaceSelector;
            LabelSelector podSelector = clients == null ? null : clients.podSelector;
            if (namespaces != null) {
                pods.withNamespaceSelector(copy(namespaces));
            }
            // A peer with neither selector means "every pod of this namespace" only when written as
            // an empty
            // podSelector; an empty peer would be rejected.
            if (podSelector != null || namespaces == null) {
                pods.withPodSelector(podSelector == null ? new LabelSelector() : copy(podSelector));
            }
            peers.add(pods.build());
        }
        for (String block : ipBlocks(clients)) {
            peers.add(
                    new NetworkPolicyPeerBuilder()
                            .withNewIpBlock()
                            .withCidr(block)
                            .endIpBlock()
                            .build());
        }
        return peers;
    }

    private static LabelSelector copy(LabelSelector selector) {
        return new LabelSelectorBuilder(selector).build();
    }
}
