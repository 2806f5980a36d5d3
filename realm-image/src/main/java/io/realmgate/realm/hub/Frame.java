package io.realmgate.realm.hub;

/**
 * One encoded server-to-client message (the JSON text of a WebSocket frame, an SSE {@code data:} line
 * or a long-poll array element). Frames are plain byte arrays, not Netty buffers: one event frame is
 * shared by the channel's retention and by every subscriber's queue, and nothing has to be released
 * when a queue is dropped. A transport wraps the bytes in a buffer only at the moment it writes.
 */
public final class Frame {
    public enum Kind { EVENT, ACK, ERROR, SUBSCRIBED }

    private final Kind kind;
    private final byte[] json;

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

    public int size() {
        return json.length;
    }

    @Override
    public String toString() {
        return new String(json, java.nio.charset.StandardCharsets.UTF_8);
    }
}
