package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.status.WarningEvents;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Warning Events on a Realm when something goes wrong that a user must fix or should know about (a missing or
 * broken Secret, a failed reconcile), once per new failure rather than on every retry. A Deployment still rolling
 * out is normal and raises none.
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

    /** Records a Warning Event (one per realm and reason; see WarningEvents). */
    static void warn(KubernetesClient client, Realm realm, String reason, String message, Instant now) {
        WarningEvents.record(client, realm, reason, message, now);
    }
}
