package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warning Events on a ForwardProxy ({@code kubectl describe fwp} shows them), recorded when its Ready
 * condition turns False for a new reason, so a failure is announced once, not on every retry.
 */
final class ProxyEvents {
    private static final Logger log = LoggerFactory.getLogger(ProxyEvents.class);
    /** The API server limits an Event's message; keep well below it. */
    private static final int MAX_MESSAGE = 1024;

    private ProxyEvents() {
    }

    static void warning(KubernetesClient client, ForwardProxy proxy, String reason, String message, Instant now) {
        String namespace = proxy.getMetadata().getNamespace();
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        Event event = new EventBuilder()
                .withNewMetadata().withGenerateName(proxy.getMetadata().getName() + ".").withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(proxy.getApiVersion())
                        .withKind(proxy.getKind())
                        .withName(proxy.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(proxy.getMetadata().getUid())
                        .withResourceVersion(proxy.getMetadata().getResourceVersion())
                        .build())
                .withType("Warning")
                .withReason(reason)
                .withMessage(message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...")
                .withNewSource().withComponent(Names.MANAGED_BY).endSource()
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy; failing to record one must not fail the reconcile.
            log.warn("Cannot record Event {} on ForwardProxy {}/{}: {}", reason, namespace,
                    proxy.getMetadata().getName(), e.getMessage());
        }
    }
}
