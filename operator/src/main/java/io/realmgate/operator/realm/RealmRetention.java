package io.realmgate.operator.realm;

import io.realmgate.realm.config.RealmConfigDocument;

/**
 * The realm's retention and queue settings, sized for its heap so that a full realm fits in it
 * (docs/operator.md, "Realm memory"). The realm keeps, per channel, up to {@code --retain-events}
 * events and {@code --retain-bytes} bytes for replay, for up to {@code --max-channels} channels;
 * with its own defaults (10,000 channels of 1 MiB) that is 10 GiB, so a full realm would exhaust
 * any ordinary pod. Here:
 *
 * <ul>
 *   <li>Retention gets half the heap: {@code max-channels × (retain-bytes + retain-events × 64 B)}
 *       ≤ heap / 2 (64 bytes per retained event for the objects that hold it, beside its encoded
 *       bytes).
 *   <li>{@code --retain-bytes} is 256 KiB (four of the largest messages, 64 KiB), doubled up to the
 *       realm's default of 1 MiB only while 10,000 channels still fit; {@code --max-channels} is
 *       what fits, at most 10,000.
 *   <li>Queues get a quarter: a queued frame shares the bytes of the retained event, so a queue
 *       costs memory only for frames retention has let go of, at most {@code --queue-bytes} = 4 ×
 *       retain-bytes per connection; heap / 4 is room for heap / (16 × retain-bytes) connections
 *       whose whole queue is such frames (51 in a 512 MiB pod) before the slowest are closed as
 *       slow consumers anyway. {@code --queue-events} is 4 × retain-events.
 *   <li>The last quarter is for connections, codecs and everything else.
 * </ul>
 *
 * @param retainEvents {@code --retain-events}
 * @param retainBytes {@code --retain-bytes}
 * @param maxMessage {@code --max-message}
 * @param queueEvents {@code --queue-events}
 * @param queueBytes {@code --queue-bytes}
 * @param maxChannels {@code --max-channels}
 * @param maxSubscriptions {@code --max-subscriptions}
 */
public record RealmRetention(
        int retainEvents,
        long retainBytes,
        long maxMessage,
        int queueEvents,
        long queueBytes,
        int maxChannels,
        int maxSubscriptions) {
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

    static final int QUEUE_FACTOR = 4;

    /** For a heap (the JVM's {@code -Xmx}) of {@code heapBytes}. */
    public static RealmRetention forHeap(long heapBytes) {
        long budget = heapBytes / 2;
        long retainBytes = MIN_RETAIN_BYTES;
        while (retainBytes * 2 <= MAX_RETAIN_BYTES
                && budget / perChannel(retainBytes * 2) >= MAX_CHANNELS) {
            retainBytes *= 2;
        }
        long channels = Math.min(MAX_CHANNELS, Math.max(1, budget / perChannel(retainBytes)));
        return new RealmRetention(
                RETAIN_EVENTS,
                retainBytes,
                MAX_MESSAGE,
                QUEUE_FACTOR * RETAIN_EVENTS,
                QUEUE_FACTOR * retainBytes,
                (int) channels,
                MAX_SUBSCRIPTIONS);
    }

    static long perChannel(long retainBytes) {
        return retainBytes + RETAIN_EVENTS * EVENT_OVERHEAD;
    }

    /** Heap the retained events of a full realm take at most. */
    public long retainedBytesAtMost() {
        return maxChannels * perChannel(retainBytes);
    }

    /**
     * Sets the config file's {@code retention} (events and bytes), {@code queues} and the {@code
     * limits} sized here (maxMessage, maxChannels, maxSubscriptions).
     */
    public void writeTo(RealmConfigDocument doc) {
        doc.retention = doc.retention == null ? new RealmConfigDocument.Retention() : doc.retention;
        doc.retention.events = retainEvents;
        doc.retention.bytes = size(retainBytes);
        doc.queues = new RealmConfigDocument.Queues();
        doc.queues.events = queueEvents;
        doc.queues.bytes = size(queueBytes);
        doc.limits = doc.limits == null ? new RealmConfigDocument.Limits() : doc.limits;
        doc.limits.maxMessage = size(maxMessage);
        doc.limits.maxChannels = maxChannels;
        doc.limits.maxSubscriptions = maxSubscriptions;
    }

    /** A size as the realm reads it: {@code 1MiB}, {@code 256KiB}, else bytes. */
    static String size(long bytes) {
        if (bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        return bytes % KIB == 0 ? bytes / KIB + "KiB" : Long.toString(bytes);
    }
}
