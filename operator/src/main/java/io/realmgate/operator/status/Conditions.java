package io.realmgate.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Standard status conditions, as {@code kubectl wait --for=condition=Ready}, Argo CD and Flux's
 * kstatus read them: a positive polarity type, True/False, a CamelCase reason, a message, the
 * generation it was computed for, and a lastTransitionTime that changes only when the status flips.
 */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String CERTIFICATE_READY = "CertificateReady";

    private Conditions() {}

    /**
     * The condition list with {@code type} set; every other condition is kept as it was. When the
     * status does not change, the previous lastTransitionTime is kept, so writing the same facts
     * twice changes nothing.
     */
    public static List<Condition> with(
            List<Condition> current,
            String type,
            boolean status,
            String reason,
            String message,
            long observedGeneration,
            Instant now) {
        List<Condition> next = new ArrayList<>();
        Condition previous = null;
        for (Condition c : current == null ? List.<Condition>of() : current) {
            if (type.equals(c.getType())) {
                previous = c;
            } else {
                next.add(c);
            }
        }
        String statusText = status ? "True" : "False";
        String transition =
                previous != null
                                && statusText.equals(previous.getStatus())
                                && previous.getLastTransitionTime() != null
                        ? previous.getLastTransitionTime()
                        : now.truncatedTo(ChronoUnit.SECONDS).toString();
        next.add(
                new ConditionBuilder()
                        .withType(type)
                        .withStatus(statusText)
                        .withReason(reason)
                        .withMessage(message)
                        .withObservedGeneration(observedGeneration)
                        .withLastTransitionTime(transition)
                        .build());
        next.sort((a, b) -> order(a.getType()) - order(b.getType()));
        return next;
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream()
                .filter(c -> Objects.equals(type, c.getType()))
                .findFirst()
                .orElse(null);
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }

    private static int order(String type) {
        return READY.equals(type) ? 0 : CERTIFICATE_READY.equals(type) ? 1 : 2;
    }
}
