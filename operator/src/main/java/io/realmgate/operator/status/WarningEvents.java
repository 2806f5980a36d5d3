package io.realmgate.operator.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.Names;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warning Events on a custom resource ({@code kubectl describe} shows them). One Event object per resource and
 * reason, named after both: a failure seen again (a retry that ran before the status recording the first one
 * reached the cache, or the same failure returning later) updates that Event (message and time) instead of
 * adding another object.
 */
public final class WarningEvents {
    private static final Logger log = LoggerFactory.getLogger(WarningEvents.class);
    /** The API server limits an Event's message; keep well below it. */
    private static final int MAX_MESSAGE = 1024;

    private WarningEvents() {
    }

    /** Records the Event; a failure to record it is logged, never thrown: it must not fail the reconcile. */
    public static void record(KubernetesClient client, HasMetadata resource, String reason, String message,
            Instant now) {
        String namespace = resource.getMetadata().getNamespace();
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String text = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
        String name = name(resource, reason);
        Event event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(resource.getApiVersion())
                        .withKind(resource.getKind())
                        .withName(resource.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(resource.getMetadata().getUid())
                        .build())
                .withType("Warning")
                .withReason(reason)
                .withMessage(text)
                .withNewSource().withComponent(Names.MANAGED_BY).endSource()
                .withReportingComponent(Names.MANAGED_BY)
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .build();
        try {
            // Server-side apply: creates the Event, or updates the one already recorded for this reason, in one
            // request and without reading it (the operator needs only create and patch on events).
            client.v1().events().inNamespace(namespace).resource(event)
                    .fieldManager(Names.MANAGED_BY).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            log.warn("Cannot record Event {} on {} {}/{}: {}", reason, resource.getKind(), namespace,
                    resource.getMetadata().getName(), e.getMessage());
        }
    }

    /** {@code <resource>.<reason>}, lower case, within the 253 characters of an object name. */
    static String name(HasMetadata resource, String reason) {
        String suffix = "." + reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String base = resource.getMetadata().getName();
        return base.substring(0, Math.min(base.length(), 253 - suffix.length())) + suffix;
    }
}
