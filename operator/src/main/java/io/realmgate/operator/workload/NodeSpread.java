package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import java.util.Map;

/**
 * Pods of one workload on different nodes where the scheduler can: one node going away then takes
 * only part of it with it. A preference (ScheduleAnyway), never a refusal, so a one-node cluster
 * still runs every replica. Present whatever the replica count: the pod template then does not
 * change when the workload is scaled, and scaling rolls no pod (docs/decisions.md, "Operator: proxy
 * pods spread over nodes at any replica count").
 */
public final class NodeSpread {
    /** The node label every node carries; spreading over it spreads over nodes. */
    public static final String HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname";

    private NodeSpread() {}

    /**
     * @param selector the labels that select the workload's pods
     */
    public static TopologySpreadConstraint preferDifferentNodes(Map<String, String> selector) {
        return new TopologySpreadConstraintBuilder()
                .withTopologyKey(HOSTNAME_TOPOLOGY_KEY)
                .withMaxSkew(1)
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector()
                .withMatchLabels(selector)
                .endLabelSelector()
                .build();
    }
}
