package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.realmgate.operator.Names;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metadata of a custom resource's child: its name, the owner's namespace, the labels and the
 * owner.
 */
public final class ChildMetadata {
    private ChildMetadata() {}

    /**
     * The child's metadata with the owner as its controller ({@link Names#controller}). An owner
     * without a uid (one built in memory, never read from the API server) gets no owner reference:
     * a reference without a uid would be refused by the API server, and there is nothing yet to be
     * garbage collected with.
     */
    public static ObjectMeta of(HasMetadata owner, String childName, Map<String, String> labels) {
        ObjectMetaBuilder meta =
                new ObjectMetaBuilder()
                        .withName(childName)
                        .withNamespace(owner.getMetadata().getNamespace())
                        .withLabels(new TreeMap<>(labels));
        if (owner.getMetadata().getUid() != null) {
            meta.withOwnerReferences(Names.controller(owner));
        }
        return meta.build();
    }
}
