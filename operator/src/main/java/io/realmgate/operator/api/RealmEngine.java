package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * Where a realm keeps its channels, their retained events and their numbering. Only {@code memory}
 * exists: the realm process itself, so one realm is one pod (docs/decisions.md).
 */
public class RealmEngine {
    /** The engine's name as the API server stores it. */
    public enum Type {
        @JsonProperty("memory")
        MEMORY
    }

    @JsonPropertyDescription(
            "memory: channels live in the realm process, so a realm is one pod (spec.replicas 0 or 1) and "
                    + "a rollout stops the old pod before the new one starts. An engine shared by several "
                    + "replicas (redis) is planned.")
    @Default("memory")
    public Type type = Type.MEMORY;

    public Type type() {
        return type == null ? Type.MEMORY : type;
    }

    /** The name the status shows, as in the spec. */
    public String statusName() {
        return switch (type()) {
            case MEMORY -> "memory";
        };
    }
}
