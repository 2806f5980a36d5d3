package io.realmgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The realm's protocol v1 in JSON, as far as the fan-out run's raw client ({@link RealmRawClient})
 * speaks it: the same kind of code as {@link CentrifugoFrames}, so that both systems' clients pay
 * the same per message (one tree parse of each server frame, one tree built per command). A command
 * carries a {@code ref} the answer repeats; the server sends one JSON object per WebSocket frame:
 * {@code subscribed}, {@code ack}, {@code error} (with the command's ref) and {@code event}.
 */
final class RealmFrames {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One server frame. */
    sealed interface Message {}

    /** The answer to the command {@code ref}: {@code error} is null when it succeeded. */
    record Reply(String ref, String error) implements Message {}

    /** An event in {@code channel}; {@code data} is the published JSON. */
    record Event(String channel, JsonNode data) implements Message {}

    /** An error frame without a ref, or a frame this run does not use. */
    record Other(String op) implements Message {}

    private RealmFrames() {}

    /**
     * Reads one server frame.
     *
     * @throws IOException when the frame is not a JSON object with an {@code op}, naming the frame
     */
    static Message read(String frame) throws IOException {
        JsonNode m;
        try {
            m = JSON.readTree(frame);
        } catch (IOException e) {
            throw new IOException("not JSON from the realm: " + abbreviate(frame), e);
        }
        if (m == null || !m.isObject() || !m.path("op").isTextual()) {
            throw new IOException("not a protocol v1 frame from the realm: " + abbreviate(frame));
        }
        String op = m.get("op").asText();
        JsonNode ref = m.get("ref");
        return switch (op) {
            case "event" -> new Event(m.path("channel").asText(), m.path("data"));
            case "ack", "subscribed" -> ref == null ? new Other(op) : new Reply(ref.asText(), null);
            case "error" ->
                    ref == null
                            ? new Other(op)
                            : new Reply(
                                    ref.asText(),
                                    m.path("code").asText() + " " + m.path("message").asText());
            default -> new Other(op);
        };
    }

    /** {@code {"op":"subscribe","channel":…,"ref":…}}: live only, no {@code from}. */
    static String subscribe(String ref, String channel) {
        return JSON.createObjectNode()
                .put("op", "subscribe")
                .put("channel", channel)
                .put("ref", ref)
                .toString();
    }

    /**
     * {@code {"op":"publish","channel":…,"ref":…,"data":…}}: {@code dataJson} goes in as JSON, as
     * {@link CentrifugoFrames#publish} puts it into Centrifugo's command.
     *
     * @throws IllegalArgumentException when {@code dataJson} is not JSON
     */
    static String publish(String ref, String channel, String dataJson) {
        ObjectNode m =
                JSON.createObjectNode()
                        .put("op", "publish")
                        .put("channel", channel)
                        .put("ref", ref);
        try {
            m.set("data", JSON.readTree(dataJson));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "publish data is not JSON: " + abbreviate(dataJson), e);
        }
        return m.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
