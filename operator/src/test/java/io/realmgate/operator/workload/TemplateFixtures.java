package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.SysctlBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.realmgate.operator.api.PodTemplate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A spec.template that sets every field, for the model tests of both kinds. */
public final class TemplateFixtures {
    public static final String IMAGE = "registry.example.com/realmgate/custom:1.2.3";

    public static final Toleration EDGE_TOLERATION =
            new TolerationBuilder()
                    .withKey("dedicated")
                    .withOperator("Equal")
                    .withValue("edge")
                    .withEffect("NoSchedule")
                    .build();

    public static final Affinity ZONE_AFFINITY =
            new AffinityBuilder()
                    .withNewNodeAffinity()
                    .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .addNewNodeSelectorTerm()
                    .addNewMatchExpression()
                    .withKey("topology.kubernetes.io/zone")
                    .withOperator("In")
                    .withValues("eu-west-1a", "eu-west-1b")
                    .endMatchExpression()
                    .endNodeSelectorTerm()
                    .endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endNodeAffinity()
                    .build();

    public static final TopologySpreadConstraint ZONE_SPREAD =
            new TopologySpreadConstraintBuilder()
                    .withTopologyKey("topology.kubernetes.io/zone")
                    .withMaxSkew(1)
                    .withWhenUnsatisfiable("DoNotSchedule")
                    .withNewLabelSelector()
                    .addToMatchLabels("app.kubernetes.io/instance", "x")
                    .endLabelSelector()
                    .build();

    /** A safe sysctl the operator never sets: the user's own, added. */
    public static final Sysctl KEEPALIVE =
            new SysctlBuilder().withName("net.ipv4.tcp_keepalive_time").withValue("600").build();

    private TemplateFixtures() {}

    /** Every field set; labels and annotations also try the operator's own keys. */
    public static PodTemplate everything() {
        PodTemplate t = new PodTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "payments");
        labels.put("app.kubernetes.io/instance", "hijacked");
        t.labels = labels;
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("sidecar.istio.io/inject", "false");
        annotations.put("realmgate.io/restart-hash", "0000");
        t.annotations = annotations;
        t.nodeSelector = Map.of("node-role.example.com/edge", "true");
        t.tolerations = List.of(EDGE_TOLERATION);
        t.affinity = ZONE_AFFINITY;
        t.topologySpreadConstraints = List.of(ZONE_SPREAD);
        t.priorityClassName = "edge-critical";
        t.image = IMAGE;
        t.imagePullSecrets =
                List.of(new LocalObjectReference("team-registry"), new LocalObjectReference("dup"));
        t.sysctls = List.of(KEEPALIVE);
        return t;
    }
}
