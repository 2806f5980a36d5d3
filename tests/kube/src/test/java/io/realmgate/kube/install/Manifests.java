package io.realmgate.kube.install;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** A multi-document YAML stream (helm template, kubectl kustomize) as objects. */
final class Manifests {
    static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private final List<GenericKubernetesResource> objects;

    private Manifests(List<GenericKubernetesResource> objects) {
        this.objects = List.copyOf(objects);
    }

    static Manifests parse(String yaml) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            boolean onlyComments =
                    document.lines()
                            .map(String::strip)
                            .allMatch(l -> l.isEmpty() || l.startsWith("#"));
            if (!onlyComments) {
                objects.add(JSON.unmarshal(document, GenericKubernetesResource.class));
            }
        }
        return new Manifests(objects);
    }

    List<GenericKubernetesResource> all() {
        return objects;
    }

    /** "Kind namespace/name" (or "Kind name" when cluster-scoped) of every object, sorted. */
    List<String> ids() {
        return objects.stream().map(Manifests::id).sorted().toList();
    }

    static String id(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
    }

    List<GenericKubernetesResource> ofKind(String kind) {
        return objects.stream()
                .filter(o -> kind.equals(o.getKind()))
                .sorted(Comparator.comparing(Manifests::id))
                .toList();
    }

    Optional<GenericKubernetesResource> find(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
                .findFirst();
    }

    <T> T get(String kind, String name, Class<T> type) {
        GenericKubernetesResource o =
                find(kind, name)
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no " + kind + " " + name + " in " + ids()));
        return JSON.convertValue(o, type);
    }

    /**
     * The object as a plain JSON tree, without the labels and annotations that {@code drop} names,
     * numbers as their value (crds/ says {@code maximum: 65535.0}, Helm's toYaml {@code 65535}: the
     * same JSON number).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> comparable(GenericKubernetesResource o, List<String> drop) {
        Map<String, Object> tree =
                (Map<String, Object>) numbersByValue(JSON.convertValue(o, Map.class));
        Map<String, Object> metadata = new TreeMap<>((Map<String, Object>) tree.get("metadata"));
        for (String field : List.of("labels", "annotations")) {
            Object value = metadata.get(field);
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> kept = new TreeMap<>((Map<String, Object>) map);
                kept.keySet().removeAll(drop);
                if (kept.isEmpty()) {
                    metadata.remove(field);
                } else {
                    metadata.put(field, kept);
                }
            }
        }
        tree.put("metadata", metadata);
        return tree;
    }

    /** Where two JSON trees differ, as "path: left | right" lines (empty: equal). */
    static List<String> differences(Object left, Object right) {
        List<String> out = new ArrayList<>();
        differences("", left, right, out);
        return out;
    }

    private static void differences(String path, Object left, Object right, List<String> out) {
        if (left instanceof Map<?, ?> l && right instanceof Map<?, ?> r) {
            Set<Object> keys = new TreeSet<>();
            keys.addAll(l.keySet());
            keys.addAll(r.keySet());
            for (Object k : keys) {
                differences(path + "/" + k, l.get(k), r.get(k), out);
            }
        } else if (left instanceof List<?> l
                && right instanceof List<?> r
                && l.size() == r.size()) {
            for (int i = 0; i < l.size(); i++) {
                differences(path + "/" + i, l.get(i), r.get(i), out);
            }
        } else if (!Objects.equals(left, right)) {
            out.add(path + ": " + left + " | " + right);
        }
    }

    private static Object numbersByValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put((String) k, numbersByValue(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Manifests::numbersByValue).toList();
        }
        if (value instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros();
        }
        return value;
    }

    @Override
    public String toString() {
        return Objects.toString(ids());
    }
}
