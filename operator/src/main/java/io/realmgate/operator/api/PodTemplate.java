package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/**
 * {@code spec.template}: what a user may add to the pods the operator runs for a Realm or a
 * ForwardProxy (where they run, what they carry, which image), the same for both kinds and applied
 * by one helper ({@code operator/workload/PodTemplates}). The Kubernetes structures are Fabric8's
 * own model types, so the CRD's schema for them is the Pod API's (docs/decisions.md, "Operator:
 * spec.template on both kinds").
 *
 * <p>The labels and the annotation the operator itself puts on the pods are refused here, by the
 * API server (CEL), naming the field: its Services, NetworkPolicies, budgets and scale subresource
 * find the pods by those labels, and the restart hash decides when pods roll.
 */
@ValidationRule(
        value =
                "!has(self.labels) || ['app.kubernetes.io/name', 'app.kubernetes.io/instance',"
                        + " 'app.kubernetes.io/component', 'app.kubernetes.io/managed-by',"
                        + " 'app.kubernetes.io/part-of'].all(k, !(k in self.labels))",
        fieldPath = ".labels",
        message =
                "template.labels must not set app.kubernetes.io/name, instance, component,"
                        + " managed-by or part-of: the operator sets them and selects its pods by them")
@ValidationRule(
        value =
                "!has(self.annotations) || !('"
                        + PodTemplate.RESTART_HASH
                        + "' in self.annotations)",
        fieldPath = ".annotations",
        message =
                "template.annotations must not set "
                        + PodTemplate.RESTART_HASH
                        + ": the operator sets it to roll pods when their start-up settings change")
public class PodTemplate {
    /**
     * {@code Names.RESTART_HASH_ANNOTATION}, repeated for the CEL rule (a test checks they agree).
     */
    public static final String RESTART_HASH = "realmgate.io/restart-hash";

    @JsonPropertyDescription(
            "Labels added to the pods. The operator's own (app.kubernetes.io/name, instance, component,"
                    + " managed-by, part-of) are refused.")
    @Size(max = 64)
    public Map<String, String> labels;

    @JsonPropertyDescription(
            "Annotations added to the pods (for instance for a service mesh or a log collector)."
                    + " realmgate.io/restart-hash is the operator's and refused.")
    @Size(max = 64)
    public Map<String, String> annotations;

    @JsonPropertyDescription(
            "The pods run only on nodes with these labels (the pod's nodeSelector).")
    @Size(max = 64)
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription("Taints the pods tolerate (the pod's tolerations).")
    @Size(max = 64)
    public List<Toleration> tolerations;

    @JsonPropertyDescription("Node and pod (anti-)affinity of the pods (the pod's affinity).")
    public Affinity affinity;

    @JsonPropertyDescription(
            "How the pods spread over topology domains. Set, these replace the operator's own spread"
                    + " (a ForwardProxy's pods over nodes, as a preference); an empty list removes it.")
    @Size(max = 16)
    public List<TopologySpreadConstraint> topologySpreadConstraints;

    @JsonPropertyDescription("The pods' PriorityClass.")
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    public String priorityClassName;

    @JsonPropertyDescription(
            "The container image of these pods, instead of the operator's default for the kind"
                    + " (its --realm-image or --proxy-image), such as"
                    + " registry.example.com/realmgate-proxy:0.1.0.")
    @Size(max = 512)
    @Pattern("^[^\\s]+$")
    public String image;

    @JsonPropertyDescription(
            "Secrets to pull the image with, besides the operator's --image-pull-secrets.")
    @Size(max = 16)
    public List<LocalObjectReference> imagePullSecrets;

    @JsonPropertyDescription(
            "Namespaced sysctls of the pods (the pod's securityContext.sysctls). One with the name of a"
                    + " sysctl the operator sets replaces the operator's value (a ForwardProxy's"
                    + " net.ipv4.ip_local_port_range and net.ipv4.ip_local_reserved_ports); the others"
                    + " are added. The kubelet runs a pod only with sysctls it allows (the safe set by"
                    + " default).")
    @Size(max = 16)
    public List<Sysctl> sysctls;
}
