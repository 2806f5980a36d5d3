package io.realmgate.operator;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The pods that scrape metrics (Prometheus and the like): the NetworkPolicies of realms and proxies
 * admit them to the admin port, where {@code /metrics} is, and to nothing else. One NetworkPolicy
 * peer: pods whose labels match {@code podLabels} in namespaces whose labels match {@code
 * namespaceLabels} (both matchLabels; empty matches everything).
 *
 * @param namespaceLabels labels of the scrapers' namespaces; empty: every namespace
 * @param podLabels labels of the scraper pods; empty: every pod of those namespaces
 */
public record MetricsScrapers(
        SortedMap<String, String> namespaceLabels, SortedMap<String, String> podLabels) {
    /** Any namespace's pods labelled {@code app.kubernetes.io/name=prometheus}. */
    public static final MetricsScrapers DEFAULT =
            of(Map.of(), Map.of(Names.LABEL_NAME, "prometheus"));

    public MetricsScrapers {
        namespaceLabels = Collections.unmodifiableSortedMap(new TreeMap<>(namespaceLabels));
        podLabels = Collections.unmodifiableSortedMap(new TreeMap<>(podLabels));
    }

    /**
     * The NetworkPolicy peer: both selectors always written, as an empty selector matches
     * everything.
     */
    public NetworkPolicyPeer networkPolicyPeer() {
        return new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelector(null, new TreeMap<>(namespaceLabels)))
                .withPodSelector(new LabelSelector(null, new TreeMap<>(podLabels)))
                .build();
    }

    public static MetricsScrapers of(
            Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        return new MetricsScrapers(new TreeMap<>(namespaceLabels), new TreeMap<>(podLabels));
    }
}
