package io.realmgate.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.WithConditions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warning Events on a custom resource ({@code kubectl describe} shows them). One Event object per
 * resource and reason, named after both: a failure seen again (a retry that ran before the status
 * recording the first one reached the cache, or the same failure returning later) updates that
 * Event (message and time) instead of adding another object. Which failures deserve one: {@link
 * #newFailures}.
 */
public final class WarningEvents {
    private static final Logger log = LoggerFactory.getLogger(WarningEvents.class);

    private WarningEvents() {}

    /**
     * A Warning Event for each failure the next conditions report and the stored ones did not
     * ({@link #newFailures}).
     */
    public static void announceNewFailures(
            KubernetesClient client,
            HasMetadata resource,
            WithConditions stored,
            WithConditions next,
            Instant now) {
        newFailures(stored == null ? null : stored.conditions(), next.conditions())
                .forEach((reason, message) -> record(client, resource, reason, message, now));
    }

    /**
     * The failures (reason → message, in condition order) that deserve a Warning Event: a condition
     * False for a reason it was not False for before. Once per new failure rather than on every
     * retry; pods that are still starting ({@link Reasons#isFailure}) raise none, the Deployment
     * has Events of its own. Two conditions False for the same reason (Ready and CertificateReady
     * for a missing Secret) make one Event.
     */
    public static Map<String, String> newFailures(List<Condition> stored, List<Condition> next) {
        Map<String, String> failures = new LinkedHashMap<>();
        for (Condition now : next == null ? List.<Condition>of() : next) {
            if (!"False".equals(now.getStatus()) || !Reasons.isFailure(now.getReason())) {
                continue;
            }
            Condition before = Conditions.find(stored, now.getType());
            boolean known =
                    before != null
                            && "False".equals(before.getStatus())
                            && Objects.equals(before.getReason(), now.getReason());
            if (!known) {
                failures.putIfAbsent(now.getReason(), now.getMessage());
            }
        }
        return failures;
    }

    /**
     * Records the Event; a failure to record it is logged, never thrown: it must not fail the
     * reconcile.
     */
    public static void record(
            KubernetesClient client,
            HasMetadata resource,
            String reason,
            String message,
            Instant now) {
        String namespace = resource.getMetadata().getNamespace();
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String text = StatusMessages.bounded(message);
        String name = name(resource, reason);
        Event event =
                new EventBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withInvolvedObject(
                                new ObjectReferenceBuilder()
                                        .withApiVersion(resource.getApiVersion())
                                        .withKind(resource.getKind())
                                        .withName(resource.getMetadata().getName())
                                        .withNamespace(namespace)
                                        .withUid(resource.getMetadata().getUid())
                                        .build())
                        .withType("Warning")
                        .withReason(reason)
                        .withMessage(text)
                        .withNewSource()
                        .withComponent(Names.MANAGED_BY)
                        .endSource()
                        .withReportingComponent(Names.MANAGED_BY)
                        .withFirstTimestamp(time)
                        .withLastTimestamp(time)
                        .withCount(1)
                        .build();
        try {
            // Server-side apply: creates the Event, or updates the one already recorded for this
            // reason, in one
            // request and without reading it (the operator needs only create and patch on events).
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .resource(event)
                    .fieldManager(Names.MANAGED_BY)
                    .forceConflicts()
                    .serverSideApply();
        } catch (KubernetesClientException e) {
            log.warn(
                    "Cannot record Event {} on {} {}/{}: {}",
                    reason,
                    resource.getKind(),
                    namespace,
                    resource.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /** {@code <resource>.<reason>}, lower case, within the 253 characters of an object name. */
    static String name(HasMetadata resource, String reason) {
        String suffix = "." + reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String base = resource.getMetadata().getName();
        return base.substring(0, Math.min(base.length(), 253 - suffix.length())) + suffix;
    }
}
