package io.realmgate.realm.hub;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * One encoded server-to-client message (the JSON text of a WebSocket frame, an SSE {@code data:}
 * line or a long-poll array element). Frames are plain byte arrays, not Netty buffers: one event
 * frame is shared by the channel's retention and by every subscriber's queue, and nothing has to be
 * released when a queue is dropped. A transport wraps the bytes in a buffer only at the moment it
 * writes.
 */
public final class Frame {
    public enum Kind {
        EVENT,
        ACK,
        ERROR,
        SUBSCRIBED
    }

    private static final byte[] SSE_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final LongAdder SSE_ENCODINGS = new LongAdder();

    private final Kind kind;
    private final byte[] json;
    private volatile byte[] sse;

    Frame(Kind kind, byte[] json) {
        this.kind = kind;
        this.json = json;
    }

    public Kind kind() {
        return kind;
    }

    /** The frame's JSON text; shared, never to be modified. */
    public byte[] json() {
        return json;
    }

    /**
     * The frame as one SSE message, {@code data: <JSON>\n\n}: encoded by the first event stream
     * that writes it and then shared by all of them (each wraps the same bytes, none copies them).
     * Kept as long as the frame is (retention); shared, never to be modified.
     */
    public byte[] sse() {
        byte[] s = sse;
        if (s == null) {
            synchronized (this) {
                s = sse;
                if (s == null) {
                    s = new byte[SSE_PREFIX.length + json.length + 2];
                    System.arraycopy(SSE_PREFIX, 0, s, 0, SSE_PREFIX.length);
                    System.arraycopy(json, 0, s, SSE_PREFIX.length, json.length);
                    s[s.length - 2] = '\n';
                    s[s.length - 1] = '\n';
                    SSE_ENCODINGS.increment();
                    sse = s;
                }
            }
        }
        return s;
    }

    /**
     * SSE messages encoded so far, all frames together (for tests: one per frame, whatever the
     * streams).
     */
    public static long sseEncodings() {
        return SSE_ENCODINGS.sum();
    }

    public int size() {
        return json.length;
    }

    @Override
    public String toString() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
