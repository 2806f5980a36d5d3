package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmRetentionSpec;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.realm.config.ConfigException;
import io.realmgate.realm.config.RealmConfigDocument;
import io.realmgate.realm.config.Units;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The realm's retention, message size, channel count and slow-consumer queues: {@code
 * spec.retention} and those fields of {@code spec.limits} as written, the rest sized for the heap,
 * so that a full realm fits in it (docs/operator.md, "Realm memory"; docs/decisions.md, "Operator:
 * a realm's retention and queues, sized for its memory").
 *
 * <p>The realm keeps, per channel, up to {@code --retain-events} events and {@code --retain-bytes}
 * bytes for replay, for up to {@code --max-channels} channels. A connection's queue holds at most
 * {@code --queue-bytes}; a queued frame is the channel's own frame, shared by every subscriber and
 * by retention, and a queue is first in, first out, so the frames of one channel still queued
 * anywhere after retention let go of them are at most one queue's worth. An event that went out on
 * an event stream also holds its SSE form, as large again (docs/decisions.md, "one SSE encoding per
 * event"). So a full realm holds at most, on the heap,
 *
 * <pre>channels × (2 × (retain-bytes + queue-bytes) + retain-events × 64 B) ≤ heap / 2</pre>
 *
 * (64 bytes per retained event for the objects that hold it, beside its encoded bytes); the other
 * half is for connections, codecs and the rest. Sized: {@code --retain-bytes} 256 KiB (four of the
 * largest messages), doubled up to the realm's 1 MiB while 10,000 channels still fit; {@code
 * --queue-bytes} and {@code --queue-events} twice the retention (a full replay and as much again);
 * {@code --max-channels} what fits, at most 10,000. A value the user set is never changed: the
 * values sized around it follow it (at least twice the largest message, below the queue), and when
 * the set values do not fit, the condition {@value #CONDITION} is False.
 *
 * @param retainEvents {@code --retain-events}
 * @param retainBytes {@code --retain-bytes}
 * @param retainAge {@code --retain-age} as written, or null
 * @param maxMessage {@code --max-message}
 * @param queueEvents {@code --queue-events}
 * @param queueBytes {@code --queue-bytes}
 * @param maxChannels {@code --max-channels}
 * @param maxSubscriptions {@code --max-subscriptions}
 * @param heapBytes the heap this was sized for
 * @param chosen the spec's fields (such as {@code spec.limits.maxChannels}) the user set
 */
public record RealmRetention(
        int retainEvents,
        long retainBytes,
        String retainAge,
        long maxMessage,
        int queueEvents,
        long queueBytes,
        int maxChannels,
        int maxSubscriptions,
        long heapBytes,
        List<String> chosen) {
    /** Status condition: whether a full realm's retention and queues fit the heap. */
    public static final String CONDITION = "RetentionFitsMemory";

    static final String SIZED_FOR_MEMORY = "SizedForMemory";
    static final String WITHIN_MEMORY = "WithinMemory";
    static final String ABOVE_MEMORY = "AboveMemoryCapacity";

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    /** The realm's defaults for what is not sized here. */
    static final int RETAIN_EVENTS = 1000;

    static final long MAX_MESSAGE = 64 * KIB;
    static final int MAX_SUBSCRIPTIONS = 1000;

    /** The realm's default channel count, and the most this sizing gives. */
    static final int MAX_CHANNELS = 10_000;

    static final long MIN_RETAIN_BYTES = 256 * KIB;
    static final long MAX_RETAIN_BYTES = MIB;

    /**
     * Heap bytes a retained event costs beside its encoded bytes (the frame object, the array
     * header, the slot).
     */
    static final long EVENT_OVERHEAD = 64;

    static final int QUEUE_FACTOR = 2;

    /** Copies of an event's bytes a channel may hold: its JSON, and its SSE form once streamed. */
    static final int ENCODINGS = 2;

    public RealmRetention {
        chosen = List.copyOf(chosen);
    }

    /** For a heap (the JVM's {@code -Xmx}) of {@code heapBytes} and nothing set in the spec. */
    public static RealmRetention forHeap(long heapBytes) {
        return forHeap(heapBytes, null);
    }

    /**
     * For a heap of {@code heapBytes} and the spec's retention and limits (null: nothing set).
     *
     * @throws IllegalArgumentException for a size the CRD schema should have refused, naming the
     *     field
     */
    public static RealmRetention forHeap(long heapBytes, RealmSpec spec) {
        RealmRetentionSpec set =
                spec == null || spec.retention == null ? new RealmRetentionSpec() : spec.retention;
        RealmLimits limits = spec == null || spec.limits == null ? new RealmLimits() : spec.limits;
        List<String> chosen = new ArrayList<>();
        long budget = heapBytes / 2;

        long maxMessage = MAX_MESSAGE;
        if (limits.maxMessage != null) {
            maxMessage = bytes("spec.limits.maxMessage", limits.maxMessage, chosen);
        }
        int retainEvents = RETAIN_EVENTS;
        if (set.events != null) {
            retainEvents = set.events;
            chosen.add("spec.retention.events");
        }
        Long queueSet =
                limits.queueBytes == null
                        ? null
                        : bytes("spec.limits.queueBytes", limits.queueBytes, chosen);
        long retainBytes;
        if (set.bytes != null) {
            retainBytes = bytes("spec.retention.bytes", set.bytes, chosen);
        } else {
            retainBytes = MIN_RETAIN_BYTES;
            while (retainBytes * 2 <= MAX_RETAIN_BYTES
                    && budget
                                    / perChannel(
                                            retainBytes * 2,
                                            retainEvents,
                                            QUEUE_FACTOR * retainBytes * 2)
                            >= MAX_CHANNELS) {
                retainBytes *= 2;
            }
            if (queueSet != null) {
                // Below the queue the user chose, so that a full replay fits in it.
                retainBytes = Math.min(retainBytes, queueSet / QUEUE_FACTOR);
            }
            // The realm's rule: the newest event always fits.
            retainBytes = Math.max(retainBytes, 2 * maxMessage);
        }
        long queueBytes = queueSet != null ? queueSet : QUEUE_FACTOR * retainBytes;
        int queueEvents;
        if (limits.queueEvents != null) {
            queueEvents = limits.queueEvents;
            chosen.add("spec.limits.queueEvents");
        } else {
            queueEvents = (int) Math.min(Integer.MAX_VALUE, (long) QUEUE_FACTOR * retainEvents);
        }
        int maxChannels;
        if (limits.maxChannels != null) {
            maxChannels = limits.maxChannels;
            chosen.add("spec.limits.maxChannels");
        } else {
            long fit = budget / perChannel(retainBytes, retainEvents, queueBytes);
            maxChannels = (int) Math.min(MAX_CHANNELS, Math.max(1, fit));
        }
        return new RealmRetention(
                retainEvents,
                retainBytes,
                set.age,
                maxMessage,
                queueEvents,
                queueBytes,
                maxChannels,
                MAX_SUBSCRIPTIONS,
                heapBytes,
                chosen);
    }

    private static long bytes(String field, String value, List<String> chosen) {
        try {
            long bytes = Units.bytes(field, value);
            if (bytes <= 0) {
                throw new IllegalArgumentException(field + ": '" + value + "' is not a size");
            }
            chosen.add(field);
            return bytes;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Heap one full channel costs: its retention and the tail of it still queued, each event in
     * both encodings, and the objects of its retained events.
     */
    static long perChannel(long retainBytes, int retainEvents, long queueBytes) {
        return ENCODINGS * (retainBytes + queueBytes) + retainEvents * EVENT_OVERHEAD;
    }

    /** Heap the retained events of a full realm take at most. */
    public long retainedBytesAtMost() {
        return maxChannels * (retainBytes + retainEvents * EVENT_OVERHEAD);
    }

    /**
     * Heap a full realm's channels take at most: retention and what is still queued of them after
     * retention let go.
     */
    public long channelBytesAtMost() {
        long each = perChannel(retainBytes, retainEvents, queueBytes);
        // Saturated: sizes the schema admits can multiply past a long; such a realm fits nowhere.
        return each > Long.MAX_VALUE / maxChannels ? Long.MAX_VALUE : maxChannels * each;
    }

    /** Whether a full realm's channels fit in half the heap. */
    public boolean fitsMemory() {
        return channelBytesAtMost() <= heapBytes / 2;
    }

    /**
     * Sets the config file's {@code retention} (events, bytes, age), {@code queues} and the {@code
     * limits} sized here (maxMessage, maxChannels, maxSubscriptions).
     */
    public void writeTo(RealmConfigDocument doc) {
        doc.retention = doc.retention == null ? new RealmConfigDocument.Retention() : doc.retention;
        doc.retention.events = retainEvents;
        doc.retention.bytes = size(retainBytes);
        doc.retention.age = retainAge;
        doc.queues = new RealmConfigDocument.Queues();
        doc.queues.events = queueEvents;
        doc.queues.bytes = size(queueBytes);
        doc.limits = doc.limits == null ? new RealmConfigDocument.Limits() : doc.limits;
        doc.limits.maxMessage = size(maxMessage);
        doc.limits.maxChannels = maxChannels;
        doc.limits.maxSubscriptions = maxSubscriptions;
    }

    /**
     * The conditions with {@value #CONDITION} set: True when everything was sized or what the user
     * set fits; False, naming the fields set, when a full realm would need more than half the heap.
     */
    public List<Condition> condition(List<Condition> conditions, long generation, Instant now) {
        String sums =
                maxChannels
                        + " channels × ("
                        + ENCODINGS
                        + " × ("
                        + size(retainBytes)
                        + " retained + "
                        + size(queueBytes)
                        + " queued) + "
                        + retainEvents
                        + " events × "
                        + EVENT_OVERHEAD
                        + " B) = "
                        + mebibytes(channelBytesAtMost())
                        + " of half the heap, "
                        + mebibytes(heapBytes / 2);
        if (!fitsMemory()) {
            return Conditions.with(
                    conditions,
                    CONDITION,
                    false,
                    ABOVE_MEMORY,
                    String.join(", ", chosen)
                            + " as set need more than the pod's memory carries: "
                            + sums
                            + "; a full realm could exhaust the pod. Raise"
                            + " spec.resources.limits.memory, lower them, or remove them to have them sized",
                    generation,
                    now);
        }
        return Conditions.with(
                conditions,
                CONDITION,
                true,
                chosen.isEmpty() ? SIZED_FOR_MEMORY : WITHIN_MEMORY,
                (chosen.isEmpty() ? "sized for the heap: " : String.join(", ", chosen) + " fit: ")
                        + sums,
                generation,
                now);
    }

    /** A size as the realm reads it: {@code 1MiB}, {@code 256KiB}, else bytes. */
    static String size(long bytes) {
        if (bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        return bytes % KIB == 0 ? bytes / KIB + "KiB" : Long.toString(bytes);
    }

    private static String mebibytes(long bytes) {
        return bytes / MIB + " MiB";
    }
}
