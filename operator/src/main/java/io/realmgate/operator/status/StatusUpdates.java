package io.realmgate.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.function.Supplier;

/**
 * How a reconciler writes the status it computed: only when it differs, and as a patch of the
 * status alone.
 */
public final class StatusUpdates {
    private StatusUpdates() {}

    /**
     * Whether the next status says something the stored one does not. Compared as JSON, as the API
     * server stores it, so a status read back from the server equals the same status computed
     * again.
     */
    public static boolean changed(KubernetesSerialization json, Object stored, Object next) {
        if (stored == null) {
            return true;
        }
        return !json.convertValue(stored, JsonNode.class)
                .equals(json.convertValue(next, JsonNode.class));
    }

    /**
     * The status patch: name, namespace and status only. Server-side apply of the status
     * subresource owns nothing else, and the cached resource is left as the informer has it.
     */
    public static <S, P extends CustomResource<?, S>> P patch(
            P resource, S status, Supplier<P> blank) {
        P patch = blank.get();
        patch.setMetadata(
                new ObjectMetaBuilder()
                        .withName(resource.getMetadata().getName())
                        .withNamespace(resource.getMetadata().getNamespace())
                        .build());
        patch.setStatus(status);
        return patch;
    }
}
