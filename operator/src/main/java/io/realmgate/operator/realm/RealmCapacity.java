package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.realmgate.operator.JvmMemory;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.status.Conditions;
import io.realmgate.realm.config.RealmConfig;
import java.time.Instant;
import java.util.List;

/**
 * How many client connections one realm pod's memory carries, beside the retention and queues
 * {@link RealmRetention} already gave half the heap, and the {@code limits.maxConnections} rendered
 * from that (docs/decisions.md, "Operator: a realm's connection cap, sized for its memory").
 *
 * <p>What a connection holds alone, in the worst case of every client stalling at once:
 *
 * <ul>
 *   <li>on the heap, its state, {@value #CONNECTION_STATE_BYTES} bytes (measured: a subscribed wss
 *       connection holds 13.2 KiB, ws, event streams and long-polls 3 to 4 KiB; realm-image
 *       ConnectionCostTest), and the output its socket has not taken: up to the realm's high-water
 *       mark ({@link RealmConfig#OUTBOUND_HIGH_WATER_BYTES}, 256 KiB, TLS records the JDK engine
 *       writes on the heap) before frames wait in its queue, where they are the channel's shared
 *       frames that {@link RealmRetention} counts; with the redis engine a replay's frames are read
 *       fresh for each subscriber, so one retention more. Never more than {@code queues.bytes},
 *       past which the realm closes the connection as slow;
 *   <li>in direct memory, a message being received, up to {@code limits.maxMessage}.
 * </ul>
 *
 * Connections get the half of the heap that retention leaves, and half of the direct memory (the
 * other half is the event loops' pooled read buffers), each as {@link JvmMemory} sizes them:
 *
 * <pre>
 * maxConnections = min(heap / 2 / (16 KiB + min(queueBytes, 256 KiB [+ retainBytes with redis])),
 *                      direct / 2 / maxMessage), at most 10000
 * </pre>
 *
 * With the default 512Mi and the sized retention that is 384. A value the user set is rendered as
 * written; above what fits, the condition {@value #CONDITION} is False, as for a ForwardProxy.
 *
 * @param memoryBytes the memory the pod is sized for (its limit, else its request, else the
 *     operator's default)
 * @param retention the retention, message size and queues rendered with it
 * @param redis whether the engine is redis (replays read per subscriber)
 * @param set spec.limits.maxConnections, or null
 */
public record RealmCapacity(
        long memoryBytes, RealmRetention retention, boolean redis, Integer set) {
    /** Status condition: whether the connection cap fits the pod's memory (the proxy's name). */
    public static final String CONDITION = "ConnectionLimitsFitMemory";

    static final String SIZED_FOR_MEMORY = "SizedForMemory";
    static final String WITHIN_MEMORY = "WithinMemory";
    static final String ABOVE_MEMORY = "AboveMemoryCapacity";

    static final long KIB = 1024;

    /** A connection's own heap, measured (13.2 KiB for wss) and rounded up. */
    static final long CONNECTION_STATE_BYTES = 16 * KIB;

    /** The realm's default, and the most this sizing gives. */
    static final int MAX_CONNECTIONS = RealmLimits.DEFAULT_MAX_CONNECTIONS;

    long heapBytes() {
        return JvmMemory.heapFor(memoryBytes);
    }

    long directBytes() {
        return JvmMemory.directFor(memoryBytes);
    }

    /**
     * Output one stalled connection holds alone: the socket's unsent bytes up to the high-water
     * mark, and with redis a replay read for it, at most its queue.
     */
    long unsentBytes() {
        long alone = RealmConfig.OUTBOUND_HIGH_WATER_BYTES + (redis ? retention.retainBytes() : 0);
        return Math.min(retention.queueBytes(), alone);
    }

    /** Heap one connection holds at most: its state and its unsent output. */
    long heapPerConnection() {
        return CONNECTION_STATE_BYTES + unsentBytes();
    }

    /** Direct memory one connection holds at most: a message being received. */
    long directPerConnection() {
        return retention.maxMessage();
    }

    /** The connections the memory carries, at least 1 and at most the realm's 10000. */
    int carried() {
        long byHeap = heapBytes() / 2 / heapPerConnection();
        long byDirect = directBytes() / 2 / directPerConnection();
        return (int) Math.max(1, Math.min(MAX_CONNECTIONS, Math.min(byHeap, byDirect)));
    }

    /** limits.maxConnections rendered: the spec's as written, else what the memory carries. */
    public int maxConnections() {
        return set != null ? set : carried();
    }

    /** Whether the user's maxConnections is above what the memory carries. */
    boolean aboveMemory() {
        return set != null && set > carried();
    }

    /** The conditions with {@value #CONDITION} set. */
    public List<Condition> condition(List<Condition> conditions, long generation, Instant now) {
        String carries =
                "what "
                        + mebibytes(memoryBytes)
                        + " of pod memory carries ("
                        + carried()
                        + ") with "
                        + RealmRetention.size(heapPerConnection())
                        + " of heap per connection ("
                        + RealmRetention.size(CONNECTION_STATE_BYTES)
                        + " of state and "
                        + RealmRetention.size(unsentBytes())
                        + " of unsent output) and "
                        + RealmRetention.size(directPerConnection())
                        + " messages";
        if (aboveMemory()) {
            return Conditions.with(
                    conditions,
                    CONDITION,
                    false,
                    ABOVE_MEMORY,
                    "spec.limits.maxConnections ("
                            + set
                            + ") is above "
                            + carries
                            + ": clients that all stall or send at once could exhaust the pod;"
                            + " raise spec.resources.limits.memory or remove the field to have it"
                            + " sized",
                    generation,
                    now);
        }
        boolean sized = set == null;
        return Conditions.with(
                conditions,
                CONDITION,
                true,
                sized ? SIZED_FOR_MEMORY : WITHIN_MEMORY,
                (sized
                                ? "limits.maxConnections is " + maxConnections() + ", "
                                : "spec.limits.maxConnections (" + set + ") is within ")
                        + carries,
                generation,
                now);
    }

    private static String mebibytes(long bytes) {
        return bytes % (KIB * KIB) == 0 ? bytes / (KIB * KIB) + "Mi" : bytes + " bytes";
    }
}
