package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.realmgate.operator.JvmMemory;
import io.realmgate.operator.api.ProxyLimits;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.config.ProxyConfig;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How many client connections one proxy pod's memory carries, and the connection caps rendered from
 * that (docs/decisions.md, "Operator: a ForwardProxy's limits, sized for its memory").
 *
 * <p>A client connection costs at most its state, {@value #CONNECTION_STATE_BYTES} bytes (a
 * measured idle tunnel holds about 6 KiB, docs/benchmarks.md; rounded up for the second socket's
 * buffers and the JVM's bookkeeping), plus a request head of up to {@code limits.maxHeaderBytes}
 * while it is being read: every client may send its head slowly at once, within {@code
 * timeouts.header}. Connections get half of what the JVM may use for heap and direct buffers
 * together ({@link JvmMemory}); the other half is for the event loops' relay buffers, the bytes a
 * slow destination has not taken yet, the target rules, TLS and the rest. So
 *
 * <pre>maxConnections = (heap + direct) / 2 / (10 KiB + maxHeaderBytes), at most 20000</pre>
 *
 * for the memory limit, else the memory request; without either, the proxy's own default. With the
 * default 256Mi limit and 16 KiB heads that is 3268.
 *
 * @param memoryBytes the pod's memory limit, else its request; empty: neither
 * @param limits the ForwardProxy's spec.limits (never null)
 */
record ProxyCapacity(OptionalLong memoryBytes, ProxyLimits limits) {
    /** Status condition: whether the connection caps fit the pod's memory. */
    static final String CONDITION = "ConnectionLimitsFitMemory";

    static final String SIZED_FOR_MEMORY = "SizedForMemory";
    static final String WITHIN_MEMORY = "WithinMemory";
    static final String NO_MEMORY_SIZE = "NoMemorySize";
    static final String ABOVE_MEMORY = "AboveMemoryCapacity";

    static final long KIB = 1024;
    static final long CONNECTION_STATE_BYTES = 10 * KIB;

    /** The proxy's own defaults, and the most the sizing gives. */
    static final int DEFAULT_MAX_CONNECTIONS = ProxyConfig.Limits.DEFAULTS.maxConnections();

    static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT =
            ProxyConfig.Limits.DEFAULTS.maxConnectionsPerClient();
    static final int DEFAULT_MAX_HEADER_BYTES = ProxyConfig.Limits.DEFAULTS.maxHeaderBytes();

    static ProxyCapacity of(ResourceRequirements resources, ProxyLimits limits) {
        OptionalLong limit = JvmMemory.of(resources).limitBytes();
        return new ProxyCapacity(
                limit.isPresent() ? limit : JvmMemory.requestBytes(resources),
                limits == null ? new ProxyLimits() : limits);
    }

    /** The head size the proxy enforces: the spec's, or the proxy's default. */
    int maxHeaderBytes() {
        return limits.maxHeaderBytes == null ? DEFAULT_MAX_HEADER_BYTES : limits.maxHeaderBytes;
    }

    /** The connections the memory carries; empty when the pod has no memory limit or request. */
    OptionalInt carried() {
        if (memoryBytes.isEmpty()) {
            return OptionalInt.empty();
        }
        long memory = memoryBytes.getAsLong();
        long forConnections = (JvmMemory.heapFor(memory) + JvmMemory.directFor(memory)) / 2;
        long each = CONNECTION_STATE_BYTES + maxHeaderBytes();
        return OptionalInt.of(
                (int) Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, forConnections / each)));
    }

    /** limits.maxConnections rendered: the spec's as written, else what the memory carries. */
    int maxConnections() {
        if (limits.maxConnections != null) {
            return limits.maxConnections;
        }
        return carried().orElse(DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * limits.maxConnectionsPerClient rendered: the spec's as written, else 4096 at most the total.
     */
    int maxConnectionsPerClient() {
        if (limits.maxConnectionsPerClient != null) {
            return limits.maxConnectionsPerClient;
        }
        return Math.min(DEFAULT_MAX_CONNECTIONS_PER_CLIENT, maxConnections());
    }

    /** Whether the user's maxConnections is above what the memory carries. */
    boolean aboveMemory() {
        return limits.maxConnections != null
                && carried().isPresent()
                && limits.maxConnections > carried().getAsInt();
    }

    /** The conditions with {@value #CONDITION} set. */
    List<Condition> condition(List<Condition> conditions, long generation, Instant now) {
        if (carried().isEmpty()) {
            return Conditions.with(
                    conditions,
                    CONDITION,
                    true,
                    NO_MEMORY_SIZE,
                    "the pods have no memory limit or request to size the connection caps for;"
                            + " limits.maxConnections is "
                            + maxConnections(),
                    generation,
                    now);
        }
        int carried = carried().getAsInt();
        if (aboveMemory()) {
            return Conditions.with(
                    conditions,
                    CONDITION,
                    false,
                    ABOVE_MEMORY,
                    "spec.limits.maxConnections ("
                            + limits.maxConnections
                            + ") is above "
                            + carried
                            + ", what "
                            + mebibytes(memoryBytes.getAsLong())
                            + " of pod memory carries with "
                            + maxHeaderBytes()
                            + "-byte request heads: clients that all connect at once could exhaust"
                            + " the pod; raise resources.limits.memory or remove the field to have it sized",
                    generation,
                    now);
        }
        boolean sized = limits.maxConnections == null;
        return Conditions.with(
                conditions,
                CONDITION,
                true,
                sized ? SIZED_FOR_MEMORY : WITHIN_MEMORY,
                (sized ? "limits.maxConnections is " : "spec.limits.maxConnections (")
                        + maxConnections()
                        + (sized ? ", " : ") is within ")
                        + "what "
                        + mebibytes(memoryBytes.getAsLong())
                        + " of pod memory carries ("
                        + carried
                        + ")",
                generation,
                now);
    }

    private static String mebibytes(long bytes) {
        return bytes % (KIB * KIB) == 0 ? bytes / (KIB * KIB) + "Mi" : bytes + " bytes";
    }
}
