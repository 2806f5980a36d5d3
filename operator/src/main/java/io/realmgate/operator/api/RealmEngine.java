package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where a realm keeps its channels, their retained events and their numbering: {@code memory}, the
 * realm process itself, so one realm is one pod; or {@code redis}, a Redis that every pod of the
 * realm shares, so a realm may have several pods (docs/decisions.md).
 */
@ValidationRule(
        value = "self.type != 'redis' || has(self.redis)",
        message =
                "spec.engine.redis (with spec.engine.redis.url) is required with spec.engine.type redis")
@ValidationRule(
        value = "self.type != 'memory' || !has(self.redis)",
        fieldPath = ".redis",
        message =
                "spec.engine.redis is only for spec.engine.type redis: remove it, or set spec.engine.type"
                        + " to redis")
public class RealmEngine {
    /** The engine's name as the API server stores it. */
    public enum Type {
        @JsonProperty("memory")
        MEMORY,
        @JsonProperty("redis")
        REDIS
    }

    @JsonPropertyDescription(
            "memory: channels live in the realm process, so a realm is one pod (spec.replicas 0 or 1) and "
                    + "a rollout stops the old pod before the new one starts. redis: channels live in the Redis "
                    + "of spec.engine.redis, shared by every pod of the realm, so spec.replicas may be more than "
                    + "one and a rollout starts a new pod before it stops an old one.")
    @Default("memory")
    public Type type = Type.MEMORY;

    @JsonPropertyDescription("The Redis of the redis engine; only with type redis.")
    public RealmRedis redis;

    public Type type() {
        return type == null ? Type.MEMORY : type;
    }

    /** The name the status shows, as in the spec. */
    public String statusName() {
        return switch (type()) {
            case MEMORY -> "memory";
            case REDIS -> "redis";
        };
    }
}
