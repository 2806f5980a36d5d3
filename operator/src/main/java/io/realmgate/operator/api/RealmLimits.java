package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
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
@ValidationRule(
        value =
                "!has(self.maxMessage) || !self.maxMessage.matches('"
                        + RealmRetentionSpec.SIZE_PATTERN
                        + "') || "
                        + "("
                        + RealmLimits.MAX_MESSAGE_BYTES
                        + " >= 256 && "
                        + RealmLimits.MAX_MESSAGE_BYTES
                        + " <= 1073741824)",
        fieldPath = ".maxMessage",
        message = "limits.maxMessage must be at least 256 bytes and at most 1GiB")
public class RealmLimits {
    /**
     * {@code self.maxMessage} in bytes, in CEL: the size grammar of {@link
     * RealmRetentionSpec#SIZE_PATTERN} (whole bytes, B, KiB, MiB or GiB).
     */
    static final String MAX_MESSAGE_BYTES =
            "(self.maxMessage.endsWith('GiB') ? int(self.maxMessage.substring(0, self.maxMessage.size() - 3)) * 1073741824"
                    + " : self.maxMessage.endsWith('MiB') ? int(self.maxMessage.substring(0, self.maxMessage.size() - 3)) * 1048576"
                    + " : self.maxMessage.endsWith('KiB') ? int(self.maxMessage.substring(0, self.maxMessage.size() - 3)) * 1024"
                    + " : self.maxMessage.endsWith('B') ? int(self.maxMessage.substring(0, self.maxMessage.size() - 1))"
                    + " : int(self.maxMessage))";

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
                    + "Absent: what the pod's memory carries beside the retention with every connection "
                    + "at its worst (384 at 512Mi), at most 10000. A value set here is used as written; "
                    + "above what fits, the condition ConnectionLimitsFitMemory is False.")
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

    @JsonPropertyDescription(
            "Largest client message (limits.maxMessage, --max-message), such as 65536, 64KiB or"
                    + " 1MiB; at least 256 bytes, at most 1GiB. Absent: 64KiB.")
    @Size(max = 16)
    @Pattern(RealmRetentionSpec.SIZE_PATTERN)
    public String maxMessage;

    @JsonPropertyDescription(
            "Channels the realm holds (limits.maxChannels, --max-channels); publishing to one more is"
                    + " refused. Absent: what the pod's memory carries with the retention and queues,"
                    + " at most 10000.")
    @Min(1)
    @Max(MAX_COUNT)
    public Integer maxChannels;

    @JsonPropertyDescription(
            "Frames that may wait for one connection before it is closed as a slow consumer"
                    + " (queues.events, --queue-events); more than retention.events, so that a full replay"
                    + " fits. Absent: twice retention.events.")
    @Min(2)
    @Max(MAX_COUNT)
    public Integer queueEvents;

    @JsonPropertyDescription(
            "Bytes that may wait for one connection before it is closed as a slow consumer"
                    + " (queues.bytes, --queue-bytes), such as 512KiB or 2MiB; more than retention.bytes,"
                    + " so that a full replay fits. Absent: twice retention.bytes.")
    @Size(max = 16)
    @Pattern(RealmRetentionSpec.SIZE_PATTERN)
    public String queueBytes;
}
