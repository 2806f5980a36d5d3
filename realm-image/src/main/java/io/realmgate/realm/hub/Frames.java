package io.realmgate.realm.hub;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds the server's frames of protocol v1 (docs/protocol.md). */
public final class Frames {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = MAPPER.getFactory();
    private static final byte[] EVENT_HEAD =
            "{\"op\":\"event\",\"channel\":\"".getBytes(StandardCharsets.US_ASCII);

    private Frames() {}

    /**
     * {@code {"op":"event","channel":C,"id":N,"data":ANY}}; {@code data} is already-encoded JSON.
     */
    public static Frame event(String channel, long id, byte[] data) {
        // Built by hand, once per publish: channel names are plain ASCII without quotes or escapes
        // (ChannelName), and the data is JSON the hub already validated and encoded.
        byte[] middle = ("\",\"id\":" + id + ",\"data\":").getBytes(StandardCharsets.US_ASCII);
        byte[] name = channel.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[EVENT_HEAD.length + name.length + middle.length + data.length + 1];
        int at = 0;
        System.arraycopy(EVENT_HEAD, 0, out, at, EVENT_HEAD.length);
        at += EVENT_HEAD.length;
        System.arraycopy(name, 0, out, at, name.length);
        at += name.length;
        System.arraycopy(middle, 0, out, at, middle.length);
        at += middle.length;
        System.arraycopy(data, 0, out, at, data.length);
        out[out.length - 1] = '}';
        return new Frame(Frame.Kind.EVENT, out);
    }

    /** {@code {"op":"ack","ref":R,"id":N}}; {@code ref} is left out when the publish had none. */
    public static Frame ack(JsonNode ref, long id) {
        return build(
                Frame.Kind.ACK,
                g -> {
                    g.writeStringField("op", "ack");
                    writeRef(g, ref);
                    g.writeNumberField("id", id);
                });
    }

    /**
     * {@code {"op":"subscribed","channel":C,"id":N,"epoch":E,"reset":W?,"ref":R?}}: the
     * subscription is in place, N is the channel's newest id at that moment and E the epoch of its
     * history; replayed events (ids up to N) follow, then live ones. {@code reset} (e.g. {@value
     * Epoch#CHANGED}) says the client's position was not honoured but reset to the start of this
     * history.
     */
    public static Frame subscribed(
            String channel, long id, String epoch, String reset, JsonNode ref) {
        return build(
                Frame.Kind.SUBSCRIBED,
                g -> {
                    g.writeStringField("op", "subscribed");
                    g.writeStringField("channel", channel);
                    g.writeNumberField("id", id);
                    g.writeStringField("epoch", epoch);
                    if (reset != null) {
                        g.writeStringField("reset", reset);
                    }
                    writeRef(g, ref);
                });
    }

    /** {@code {"op":"error","code":S,"message":S,"ref":R?}}. */
    public static Frame error(String code, String message, JsonNode ref) {
        return build(
                Frame.Kind.ERROR,
                g -> {
                    g.writeStringField("op", "error");
                    g.writeStringField("code", code);
                    g.writeStringField("message", message);
                    writeRef(g, ref);
                });
    }

    public static Frame error(HubException e, JsonNode ref) {
        return error(e.code(), e.getMessage(), ref);
    }

    private static void writeRef(JsonGenerator g, JsonNode ref) throws IOException {
        if (ref != null && !ref.isNull() && !ref.isMissingNode()) {
            g.writeFieldName("ref");
            g.writeTree(ref);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static Frame build(Frame.Kind kind, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Frame(kind, out.toByteArray());
    }
}
