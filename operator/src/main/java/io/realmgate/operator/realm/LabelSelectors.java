package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Whether a Kubernetes label selector matches a set of labels, by the API server's rules
 * (matchLabels and matchExpressions ANDed; In, NotIn, Exists, DoesNotExist). Pure. The operator
 * resolves the namespace selectors of {@code spec.clients} with it, also where it may only read
 * namespaces by name.
 */
final class LabelSelectors {
    private LabelSelectors() {}

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(have.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement, have)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(
            LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            // The API server refuses any other operator; a selector it let through matches
            // nothing here rather than everything.
            default -> false;
        };
    }
}
