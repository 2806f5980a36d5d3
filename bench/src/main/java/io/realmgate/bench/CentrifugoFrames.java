package io.realmgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Centrifugo's client protocol in JSON, as far as the fan-out run speaks it. Commands go out one
 * per WebSocket frame ({@code {"id":1,"connect":{}}}); the server may put several replies and
 * pushes into one frame, one JSON object a line, so a frame is read line by line. A reply carries
 * the command's {@code id} and either its result or {@code error}; a publication arrives as {@code
 * {"push":{"channel":…,"pub":{"data":…,"offset":…}}}}; an empty object is the server's ping, to be
 * answered with an empty object.
 */
final class CentrifugoFrames {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of a server frame. */
    sealed interface Message {}

    /** The answer to command {@code id}; {@code error} is null when it succeeded. */
    record Reply(long id, String error) implements Message {}

    /** A publication in {@code channel}; {@code data} is the published JSON. */
    record Publication(String channel, JsonNode data) implements Message {}

    /** The server closes the connection, and says why. */
    record Disconnect(int code, String reason) implements Message {}

    /** The server's ping. */
    record Ping() implements Message {}

    /** A push this run has no use for (join, leave, message, …). */
    record OtherPush(String kind) implements Message {}

    private CentrifugoFrames() {}

    /**
     * The messages of one text frame, in order.
     *
     * @throws IOException when a line is not a JSON object, naming the line
     */
    static List<Message> read(String frame) throws IOException {
        List<Message> messages = new ArrayList<>(2);
        int start = 0;
        while (start <= frame.length()) {
            int nl = frame.indexOf('\n', start);
            int end = nl < 0 ? frame.length() : nl;
            String line = frame.substring(start, end).strip();
            if (!line.isEmpty()) {
                messages.add(message(line));
            }
            if (nl < 0) {
                break;
            }
            start = nl + 1;
        }
        return messages;
    }

    private static Message message(String line) throws IOException {
        JsonNode m;
        try {
            m = JSON.readTree(line);
        } catch (IOException e) {
            throw new IOException("not JSON from Centrifugo: " + abbreviate(line), e);
        }
        if (!m.isObject()) {
            throw new IOException("not a JSON object from Centrifugo: " + abbreviate(line));
        }
        if (m.isEmpty()) {
            return new Ping();
        }
        JsonNode push = m.get("push");
        if (push != null) {
            JsonNode pub = push.get("pub");
            if (pub != null) {
                return new Publication(push.path("channel").asText(), pub.path("data"));
            }
            JsonNode disconnect = push.get("disconnect");
            if (disconnect != null) {
                return new Disconnect(
                        disconnect.path("code").asInt(), disconnect.path("reason").asText());
            }
            var names = push.fieldNames();
            String kind = "unknown";
            while (names.hasNext()) {
                String n = names.next();
                if (!n.equals("channel")) {
                    kind = n;
                    break;
                }
            }
            return new OtherPush(kind);
        }
        JsonNode id = m.get("id");
        if (id == null || !id.canConvertToLong()) {
            throw new IOException("neither push nor reply from Centrifugo: " + abbreviate(line));
        }
        JsonNode error = m.get("error");
        return new Reply(
                id.asLong(),
                error == null
                        ? null
                        : error.path("code").asInt() + " " + error.path("message").asText());
    }

    /** {@code {"id":N,"connect":{}}}. */
    static String connect(long id) {
        return command(id, "connect", JSON.createObjectNode());
    }

    /** {@code {"id":N,"subscribe":{"channel":…}}}. */
    static String subscribe(long id, String channel) {
        return command(id, "subscribe", JSON.createObjectNode().put("channel", channel));
    }

    /**
     * {@code {"id":N,"publish":{"channel":…,"data":…}}}: {@code dataJson} goes in as JSON, not as a
     * string, as the realm's {@code data} does.
     *
     * @throws IllegalArgumentException when {@code dataJson} is not JSON
     */
    static String publish(long id, String channel, String dataJson) {
        ObjectNode body = JSON.createObjectNode().put("channel", channel);
        try {
            body.set("data", JSON.readTree(dataJson));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "publish data is not JSON: " + abbreviate(dataJson), e);
        }
        return command(id, "publish", body);
    }

    /** The answer to the server's ping. */
    static String pong() {
        return "{}";
    }

    private static String command(long id, String name, ObjectNode body) {
        ObjectNode m = JSON.createObjectNode().put("id", id);
        m.set(name, body);
        return m.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
