package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which failures of a Realm deserve a Warning Event (recorded by WarningEvents): what a user must fix or should
 * know about (a missing or broken Secret, a failed reconcile), once per new failure rather than on every retry.
 * A Deployment still rolling out is normal and raises none.
 */
final class RealmEvents {

    private RealmEvents() {
    }

    /** Failures (reason → message) that {@code next} reports and {@code previous} did not, in condition order. */
    static Map<String, String> newFailures(RealmStatus previous, RealmStatus next) {
        Map<String, String> failures = new LinkedHashMap<>();
        for (Condition now : next.conditions) {
            if (!"False".equals(now.getStatus())
                    || RealmStatusModel.DEPLOYMENT_NOT_READY.equals(now.getReason())) {
                continue;
            }
            Condition before = Conditions.find(previous == null ? List.of() : previous.conditions, now.getType());
            boolean known = before != null && "False".equals(before.getStatus())
                    && Objects.equals(before.getReason(), now.getReason());
            if (!known) {
                failures.putIfAbsent(now.getReason(), now.getMessage());
            }
        }
        return failures;
    }
}
