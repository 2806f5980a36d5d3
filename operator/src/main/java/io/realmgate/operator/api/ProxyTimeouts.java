package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * {@code spec.timeouts} of a ForwardProxy: the proxy's {@code timeouts} keys
 * (docs/proxy-config.md). A duration is a whole number and one unit, ms, s, m or h: a form both the
 * proxy's grammar and CEL's {@code duration()} read, so the drain rule can compare it.
 */
@ValidationRule(
        value =
                "!has(self.drain) || !self.drain.matches('"
                        + ProxyTimeouts.DURATION
                        + "') || duration(self.drain) <= duration('1h')",
        fieldPath = ".drain",
        message =
                "timeouts.drain must be at most 1h: the pods' termination grace period follows it")
public class ProxyTimeouts {
    /** Whole milliseconds, seconds, minutes or hours, without a leading zero. */
    public static final String DURATION = "^[1-9][0-9]{0,6}(ms|s|m|h)$";

    @JsonPropertyDescription(
            "Time to connect to a target (504 after it), such as 500ms, 10s or 1m. Absent: 10s.")
    @Pattern(DURATION)
    public String connect;

    @JsonPropertyDescription(
            "Time a client has to send a complete request head (408 after it). Absent: 10s.")
    @Pattern(DURATION)
    public String header;

    @JsonPropertyDescription(
            "A connection or tunnel with no byte either way for this long is closed. Absent: 10m.")
    @Pattern(DURATION)
    public String idle;

    @JsonPropertyDescription(
            "On shutdown, how long open tunnels may go on before they are cut, at most 1h; the pods'"
                    + " termination grace period follows it. Absent: 30s.")
    @Pattern(DURATION)
    public String drain;
}
