package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * {@code spec.retention}: what the realm keeps per channel for replay, its {@code retention} keys
 * ({@code --retain-events}, {@code --retain-bytes}, {@code --retain-age}; docs/realm.md). No schema
 * defaults: an absent field is sized by the operator for the pod's memory ({@code RealmRetention}),
 * a field set here is rendered as written. The rules that involve {@code spec.limits} or {@code
 * spec.engine} are on {@link RealmSpec}.
 */
public class RealmRetentionSpec {
    /**
     * A size as the realm reads it and the CEL rules can compute: whole bytes, KiB, MiB or GiB; at
     * most nine digits, so that the byte count stays within CEL's 64-bit integers.
     */
    public static final String SIZE_PATTERN = "^[1-9][0-9]{0,8}(B|KiB|MiB|GiB)?$";

    /** The realm's duration grammar (whole ms, s, m, h or d), at least one second. */
    public static final String AGE_PATTERN = "^([1-9][0-9]{0,8}(s|m|h|d)|[1-9][0-9]{3,11}ms)$";

    @JsonPropertyDescription(
            "Events kept per channel for replay (retention.events, --retain-events). Absent: 1000.")
    @Min(1)
    @Max(RealmLimits.MAX_COUNT)
    public Integer events;

    @JsonPropertyDescription(
            "Bytes of events kept per channel for replay (retention.bytes, --retain-bytes), such as"
                    + " 262144, 256KiB or 1MiB; at least twice limits.maxMessage. Absent: sized for the"
                    + " pod's memory (256KiB to 1MiB).")
    @Size(max = 16)
    @Pattern(SIZE_PATTERN)
    public String bytes;

    @JsonPropertyDescription(
            "How long events are kept for replay (retention.age, --retain-age), such as 90s, 10m,"
                    + " 12h or 7d; at least 1s; only with spec.engine.type redis. Absent: no age limit.")
    @Size(max = 16)
    @Pattern(AGE_PATTERN)
    public String age;
}
