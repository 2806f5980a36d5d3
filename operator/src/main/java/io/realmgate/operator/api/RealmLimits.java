package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * {@code spec.limits}: the realm's connection, header, replay, stream and poll limits (its {@code
 * --max-…}, {@code --header-timeout} and {@code --replay-rate} flags, docs/realm.md). Every field
 * is optional and has no schema default on purpose: an absent field is the realm's own default, and
 * the operator can tell a value the user chose (which it never overrides) from one it may size for
 * the ForwardProxies in front of the realm.
 */
@ValidationRule(
        value =
                "!has(self.maxConnectionsPerClient) || self.maxConnectionsPerClient <= "
                        + "(has(self.maxConnections) ? self.maxConnections : 10000)",
        message =
                "limits.maxConnectionsPerClient must not exceed limits.maxConnections (default 10000)")
@ValidationRule(
        value =
                "!has(self.maxStreamsPerClient) || self.maxStreamsPerClient <= "
                        + "(has(self.maxStreams) ? self.maxStreams : 5000)",
        message = "limits.maxStreamsPerClient must not exceed limits.maxStreams (default 5000)")
@ValidationRule(
        value =
                "!has(self.maxPollsPerClient) || self.maxPollsPerClient <= "
                        + "(has(self.maxPolls) ? self.maxPolls : 5000)",
        message = "limits.maxPollsPerClient must not exceed limits.maxPolls (default 5000)")
public class RealmLimits {
    /**
     * The realm's defaults (realm-image {@code RealmConfig.Builder}); the CEL rules above repeat
     * three of them.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 1000;
    public static final String DEFAULT_HEADER_TIMEOUT = "10s";
    public static final int DEFAULT_REPLAY_RATE = 10_000;
    public static final int DEFAULT_MAX_STREAMS = 5000;
    public static final int DEFAULT_MAX_STREAMS_PER_CLIENT = 500;
    public static final int DEFAULT_MAX_POLLS = 5000;
    public static final int DEFAULT_MAX_POLLS_PER_CLIENT = 500;

    /**
     * The largest count accepted for a cap or a rate: far above what one pod's descriptors allow.
     */
    public static final int MAX_COUNT = 1_000_000;

    @JsonPropertyDescription(
            "Client connections the realm holds, both listeners together (--max-connections). "
                    + "Absent: 10000.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxConnections;

    @JsonPropertyDescription(
            "Client connections from one address (--max-connections-per-client). Absent: 1000; "
                    + "while ForwardProxies reference the realm, what one proxy pod can carry (all its clients share its "
                    + "address), at most maxConnections. A value set here is used as written.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxConnectionsPerClient;

    @JsonPropertyDescription(
            "Time a request's whole header may take to arrive (--header-timeout), such as "
                    + "500ms, 10s or 2m; at least 10ms. Absent: 10s.")
    // The realm's own duration syntax (whole milliseconds, seconds or minutes) and its 10 ms
    // minimum.
    @Pattern("^([1-9][0-9]{1,6}ms|[1-9][0-9]{0,4}s|[1-9][0-9]{0,3}m)$")
    public String headerTimeout;

    @JsonPropertyDescription(
            "Events one WebSocket, or one address's event streams and long-polls together, may "
                    + "have replayed (subscribe from) per second (--replay-rate). Absent: 10000.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer replayRate;

    @JsonPropertyDescription(
            "Concurrent event streams (SSE), both listeners together (--max-streams). Absent: 5000.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxStreams;

    @JsonPropertyDescription(
            "Concurrent event streams from one address (--max-streams-per-client). Absent: 500; "
                    + "while ForwardProxies reference the realm, what one proxy pod can carry, at most maxStreams. "
                    + "A value set here is used as written.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxStreamsPerClient;

    @JsonPropertyDescription(
            "Concurrent long-polls, both listeners together (--max-polls). Absent: 5000.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxPolls;

    @JsonPropertyDescription(
            "Concurrent long-polls from one address (--max-polls-per-client). Absent: 500; "
                    + "while ForwardProxies reference the realm, what one proxy pod can carry, at most maxPolls. "
                    + "A value set here is used as written.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxPollsPerClient;
}
