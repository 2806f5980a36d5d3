package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warning Events on a Realm when something goes wrong that a user must fix or should know about (a missing or
 * broken Secret, a failed reconcile), once per new failure rather than on every retry. A Deployment still rolling
 * out is normal and raises none.
 */
final class RealmEvents {
    private static final Logger log = LoggerFactory.getLogger(RealmEvents.class);

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

    /** Records a Warning Event; a failure to record it is logged, never thrown (it must not fail the reconcile). */
    static void warn(KubernetesClient client, Realm realm, String reason, String message, Instant now) {
        String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        Event event = new EventBuilder()
                .withNewMetadata()
                    .withGenerateName(realm.getMetadata().getName() + ".")
                    .withNamespace(realm.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(realm.getApiVersion())
                        .withKind(realm.getKind())
                        .withNamespace(realm.getMetadata().getNamespace())
                        .withName(realm.getMetadata().getName())
                        .withUid(realm.getMetadata().getUid())
                        .build())
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(timestamp)
                .withLastTimestamp(timestamp)
                .withCount(1)
                .withNewSource().withComponent(Names.MANAGED_BY).endSource()
                .withReportingComponent(Names.MANAGED_BY)
                .build();
        try {
            client.v1().events().inNamespace(realm.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            log.warn("Cannot record event {} on Realm {}/{}: {}", reason, realm.getMetadata().getNamespace(),
                    realm.getMetadata().getName(), e.getMessage());
        }
    }
}
