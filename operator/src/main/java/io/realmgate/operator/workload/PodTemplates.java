package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.PodTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a resource's {@code spec.template} ({@link PodTemplate}) to the pod template the operator
 * built for it, the same way for a Realm and a ForwardProxy. Pure: equal inputs give equal
 * Deployments, and an absent template leaves the Deployment as it was, so pods roll only when the
 * template changes.
 *
 * <ul>
 *   <li>labels and annotations are added, except the keys the operator reserves ({@link
 *       #OPERATOR_LABELS}, {@link #OPERATOR_ANNOTATIONS}), which are dropped: the API server
 *       refuses them already, and this keeps a resource stored before the rule, or written past it,
 *       from taking the pods away from their selectors;
 *   <li>nodeSelector, tolerations, affinity and priorityClassName are set as given;
 *   <li>topologySpreadConstraints, when given (even empty), replace the operator's own;
 *   <li>image replaces the operator's default image of the pod's containers;
 *   <li>imagePullSecrets are added after the operator's, each name once;
 *   <li>sysctls replace the operator's of the same name and are added after the others.
 * </ul>
 */
public final class PodTemplates {
    /**
     * Pod labels only the operator sets: its selectors (Services, NetworkPolicies, budgets, the
     * scale subresource) and the informers find the pods and children by them.
     */
    public static final Set<String> OPERATOR_LABELS =
            Set.of(
                    Names.LABEL_NAME,
                    Names.LABEL_INSTANCE,
                    Names.LABEL_COMPONENT,
                    Names.LABEL_MANAGED_BY,
                    Names.LABEL_PART_OF);

    /** Pod annotations only the operator sets: the hash that rolls pods. */
    public static final Set<String> OPERATOR_ANNOTATIONS = Set.of(Names.RESTART_HASH_ANNOTATION);

    private PodTemplates() {}

    /** {@code deployment} with {@code template} applied to its pod template; null: unchanged. */
    public static Deployment apply(Deployment deployment, PodTemplate template) {
        if (template == null) {
            return deployment;
        }
        return new DeploymentBuilder(deployment)
                .editSpec()
                .withTemplate(apply(deployment.getSpec().getTemplate(), template))
                .endSpec()
                .build();
    }

    static PodTemplateSpec apply(PodTemplateSpec pod, PodTemplate template) {
        ObjectMeta metadata = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
        PodSpecBuilder spec = new PodSpecBuilder(pod.getSpec());
        if (template.nodeSelector != null) {
            spec.withNodeSelector(new TreeMap<>(template.nodeSelector));
        }
        if (template.tolerations != null) {
            spec.withTolerations(template.tolerations);
        }
        if (template.affinity != null) {
            spec.withAffinity(template.affinity);
        }
        if (template.topologySpreadConstraints != null) {
            spec.withTopologySpreadConstraints(template.topologySpreadConstraints);
        }
        if (template.priorityClassName != null) {
            spec.withPriorityClassName(template.priorityClassName);
        }
        if (template.imagePullSecrets != null) {
            spec.withImagePullSecrets(
                    pullSecrets(pod.getSpec().getImagePullSecrets(), template.imagePullSecrets));
        }
        if (template.sysctls != null) {
            PodSecurityContext context =
                    Objects.requireNonNullElseGet(
                            pod.getSpec().getSecurityContext(), PodSecurityContext::new);
            spec.withSecurityContext(
                    new PodSecurityContextBuilder(context)
                            .withSysctls(sysctls(context.getSysctls(), template.sysctls))
                            .build());
        }
        if (template.image != null) {
            spec.withContainers(withImage(pod.getSpec().getContainers(), template.image));
        }
        PodSpec built = spec.build();
        return new PodTemplateSpecBuilder(pod)
                .withMetadata(
                        new ObjectMetaBuilder(metadata)
                                .withLabels(
                                        under(
                                                template.labels,
                                                OPERATOR_LABELS,
                                                metadata.getLabels()))
                                .withAnnotations(
                                        under(
                                                template.annotations,
                                                OPERATOR_ANNOTATIONS,
                                                metadata.getAnnotations()))
                                .build())
                .withSpec(built)
                .build();
    }

    /**
     * The user's entries, without the keys the operator reserves, with the operator's over them,
     * sorted; null when both are empty (so a template with no labels leaves a pod template without
     * any as it was).
     */
    static Map<String, String> under(
            Map<String, String> users, Set<String> reserved, Map<String, String> operators) {
        Map<String, String> merged = new TreeMap<>();
        if (users != null) {
            users.forEach(
                    (k, v) -> {
                        if (k != null && !reserved.contains(k)) {
                            merged.put(k, v == null ? "" : v);
                        }
                    });
        }
        if (operators != null) {
            merged.putAll(operators);
        }
        return merged.isEmpty() && operators == null ? null : merged;
    }

    /** The operator's pull Secrets, then the user's, each name once, in that order. */
    static List<LocalObjectReference> pullSecrets(
            List<LocalObjectReference> operators, List<LocalObjectReference> users) {
        Set<String> names = new LinkedHashSet<>();
        List<LocalObjectReference> all = new ArrayList<>();
        for (List<LocalObjectReference> list : List.of(nonNull(operators), nonNull(users))) {
            for (LocalObjectReference ref : list) {
                if (ref != null && ref.getName() != null && names.add(ref.getName())) {
                    all.add(ref);
                }
            }
        }
        return all;
    }

    /**
     * The operator's sysctls with the user's value where the user names the same sysctl (the user
     * knows the workload; the operator's are defaults), then the user's others, in their order.
     */
    static List<Sysctl> sysctls(List<Sysctl> operators, List<Sysctl> users) {
        Map<String, Sysctl> byName = new LinkedHashMap<>();
        for (Sysctl sysctl : nonNull(operators)) {
            byName.put(sysctl.getName(), sysctl);
        }
        for (Sysctl sysctl : nonNull(users)) {
            if (sysctl != null && sysctl.getName() != null) {
                byName.put(sysctl.getName(), sysctl);
            }
        }
        return new ArrayList<>(byName.values());
    }

    private static List<Container> withImage(List<Container> containers, String image) {
        return containers.stream()
                .map(c -> new ContainerBuilder(c).withImage(image).build())
                .toList();
    }

    private static <T> List<T> nonNull(List<T> list) {
        return Objects.requireNonNullElse(list, List.of());
    }
}
