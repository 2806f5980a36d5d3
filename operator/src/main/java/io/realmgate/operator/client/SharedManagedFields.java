package io.realmgate.operator.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.FieldsV1;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Reads the field sets of {@code metadata.managedFields} (FieldsV1) as shared, immutable trees:
 * every part of a tree that equals a part read before is that same instance (hash-consing).
 *
 * <p>Why: every object the API server returns after a server-side apply carries, per field manager,
 * the tree of fields that manager owns, and Jackson reads each tree into nested maps, tens of
 * entries for a Service, hundreds for a Deployment. The informer caches hold every child and custom
 * resource, and these trees were about half of the operator's heap per resource
 * (docs/benchmarks.md, "Operator scale"). Whole trees differ from child to child (the owner
 * reference is keyed by the owner's uid), but below that every realm's Deployment owns the same
 * fields as the next one's: shared parts leave a few small maps per object. JOSDK's server-side
 * apply matcher only reads the trees.
 *
 * <p>The canonical parts are held weakly: a part no cached object refers to any more is collected,
 * so the table holds only what the caches hold. The parts are unmodifiable: a caller that tried to
 * change one shared by other objects fails at once instead. Their order of keys is not kept (a set
 * of fields has none).
 */
public final class SharedManagedFields {
    private static final TypeReference<LinkedHashMap<String, Object>> TREE =
            new TypeReference<>() {};

    /** Canonical trees and parts of trees, each mapped to a weak reference to itself. */
    private static final Map<Object, WeakReference<Object>> CANONICAL = new WeakHashMap<>();

    private SharedManagedFields() {}

    /** The Jackson module that reads every FieldsV1 through {@link #canonical}. */
    public static SimpleModule module() {
        SimpleModule module = new SimpleModule("realmgate-shared-managed-fields");
        module.addDeserializer(FieldsV1.class, new Deserializer());
        return module;
    }

    /** The one instance of this field set, its parts shared with every other set read. */
    static FieldsV1 canonical(Map<String, Object> tree) {
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperties(sharedMap(tree));
        return intern(fields);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sharedMap(Map<String, Object> tree) {
        Map<String, Object> parts = new LinkedHashMap<>();
        boolean nulls = false;
        for (Map.Entry<String, Object> e : tree.entrySet()) {
            Object part =
                    e.getValue() instanceof Map<?, ?> map
                            ? sharedMap((Map<String, Object>) map)
                            : e.getValue() instanceof List<?> list
                                    ? sharedList(list)
                                    : e.getValue();
            nulls |= part == null;
            parts.put(e.getKey(), part);
        }
        // Map.copyOf is compact (no entry objects), and the empty one a single instance: most
        // leaves of a field set are {}.
        return intern(nulls ? Collections.unmodifiableMap(parts) : Map.copyOf(parts));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> sharedList(List<?> list) {
        List<Object> items = new ArrayList<>(list.size());
        for (Object item : list) {
            items.add(item instanceof Map<?, ?> map ? sharedMap((Map<String, Object>) map) : item);
        }
        return Collections.unmodifiableList(items);
    }

    @SuppressWarnings("unchecked")
    private static <T> T intern(T part) {
        synchronized (CANONICAL) {
            WeakReference<Object> known = CANONICAL.get(part);
            Object shared = known == null ? null : known.get();
            if (shared != null) {
                return (T) shared;
            }
            CANONICAL.put(part, new WeakReference<>(part));
            return part;
        }
    }

    private static final class Deserializer extends JsonDeserializer<FieldsV1> {
        @Override
        public FieldsV1 deserialize(JsonParser parser, DeserializationContext context)
                throws IOException {
            LinkedHashMap<String, Object> tree =
                    context.readValue(parser, context.getTypeFactory().constructType(TREE));
            return canonical(tree == null ? Map.of() : tree);
        }
    }
}
