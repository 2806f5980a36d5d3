package io.realmgate.operator;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.LocalObjectReferenceBuilder;
import java.util.List;

/**
 * What the realm and proxy pods have in common, in one place: how their image is pulled. Pure, like the models
 * that call it.
 */
public final class Pods {
    /**
     * The images are pulled once per node and kept: a tag the project builds and loads itself ({@code localhost/})
     * may exist on the nodes only, and a pinned tag never changes.
     */
    public static final String IMAGE_PULL_POLICY = "IfNotPresent";

    private Pods() {
    }

    /** The operator's {@code --image-pull-secrets}, as the pod spec names them. */
    public static List<LocalObjectReference> imagePullSecrets(OperatorSettings settings) {
        return settings.imagePullSecrets().stream()
                .map(name -> new LocalObjectReferenceBuilder().withName(name).build())
                .toList();
    }
}
