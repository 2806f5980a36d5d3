package io.realmgate.operator;

import java.util.Set;

/**
 * What the operator process was told on its command line (see {@link OperatorCommandLine}).
 *
 * @param settings the operator's settings (images, domain, CA, lifetimes)
 * @param namespaces namespaces to watch; empty: all
 * @param adminHost address of the admin endpoint (/healthz, /readyz, /metrics)
 * @param adminPort its port; 0 picks a free one (logged)
 * @param leaderElection whether to hold a Lease before reconciling
 * @param leaderElectionNamespace namespace of the Lease
 */
public record OperatorOptions(
        OperatorSettings settings,
        Set<String> namespaces,
        String adminHost,
        int adminPort,
        boolean leaderElection,
        String leaderElectionNamespace) {

    /** Name of the Lease the operator instances compete for. */
    public static final String LEASE_NAME = "realmgate-operator";

    public OperatorOptions {
        namespaces = Set.copyOf(namespaces);
    }
}
