package io.realmgate.realm.hub;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Locale;

/**
 * One client-to-server message of protocol v1, parsed and checked: {@code subscribe} (channel,
 * from?, epoch?), {@code unsubscribe} (channel), {@code publish} (channel, data). Every message may
 * carry {@code ref} (a string or a number), echoed in the answer to it. Unknown fields are ignored,
 * so later protocol versions can add some.
 *
 * @param from the last id seen, or -1 for "live only"
 * @param epoch the epoch {@code from} belongs to (subscribe only), or null if not given
 * @param data the encoded JSON of {@code data} (publish only)
 * @param ref the message's ref, or a missing node
 */
public record ClientMessage(
        Op op, String channel, long from, String epoch, byte[] data, JsonNode ref) {
    public enum Op {
        SUBSCRIBE,
        UNSUBSCRIBE,
        PUBLISH
    }

    // Nesting is bounded well below Jackson's default: data is stored and re-sent, not walked.
    private static final ObjectMapper MAPPER =
            JsonMapper.builder(
                            com.fasterxml.jackson.core.JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(64)
                                                    .build())
                                    .build())
                    .build();

    /** A refused message, with the ref it carried if it could be read. */
    public static final class Invalid extends Exception {
        private final String code;
        private final JsonNode ref;

        Invalid(String code, String message, JsonNode ref) {
            super(message, null, false, false);
            this.code = code;
            this.ref = ref;
        }

        public Frame toFrame() {
            return Frames.error(code, getMessage(), ref);
        }
    }

    /** Where a {@code subscribe} starts. */
    public Position position() {
        return new Position(from, epoch);
    }

    public static ClientMessage parse(byte[] json) throws Invalid {
        ClientMessage fast = parseInOnePass(json);
        if (fast != null) {
            return fast;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new Invalid("bad-json", "not JSON: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            throw new Invalid("bad-json", "not JSON", null);
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("bad-request", "a message is a JSON object with an \"op\"", null);
        }
        return of(root, null, json);
    }

    /**
     * A well-formed message read in one pass (decisions.md, "The realm's fan-out against
     * Centrifugo: the cost per frame"): every member but {@code data} into a tree, {@code data} cut
     * out of the bytes as {@link RawJson#member} would, without a tree and without a second parse
     * of the whole message. Null for anything unusual (not JSON, not an object, a cut that is not
     * one value), which the tree path then reads and answers as before.
     */
    private static ClientMessage parseInOnePass(byte[] json) throws Invalid {
        ObjectNode root = MAPPER.createObjectNode();
        long dataStart = -1;
        long dataEnd = -1;
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("data")) {
                    dataStart = p.currentTokenLocation().getByteOffset();
                    if (value.isStructStart()) {
                        p.skipChildren();
                    } else {
                        p.finishToken();
                    }
                    dataEnd = p.currentLocation().getByteOffset();
                    // Only its presence counts here; the bytes are the event's data.
                    root.set(field, NullNode.getInstance());
                } else {
                    JsonNode v = MAPPER.readTree(p);
                    root.set(field, v == null ? NullNode.getInstance() : v);
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        byte[] data = null;
        if (dataStart >= 0) {
            data = RawJson.cut(MAPPER, json, dataStart, dataEnd);
            if (data == null) {
                return null;
            }
        }
        return of(root, null, json, data);
    }

    /**
     * {@link #of(JsonNode, Op, byte[])} without the message's bytes: {@code data} is re-encoded
     * from the tree.
     */
    public static ClientMessage of(JsonNode root, Op impliedOp) throws Invalid {
        return of(root, impliedOp, null);
    }

    /**
     * Reads a parsed object. {@code impliedOp} is used when the object has no {@code op} (HTTP
     * publish, whose URL already says what it is).
     */
    public static ClientMessage of(JsonNode root, Op impliedOp, byte[] json) throws Invalid {
        return of(root, impliedOp, json, null);
    }

    /**
     * @param rawData {@code data} already cut out of {@code json}, or null to cut or encode it here
     */
    private static ClientMessage of(JsonNode root, Op impliedOp, byte[] json, byte[] rawData)
            throws Invalid {
        JsonNode ref = root.path("ref");
        if (!ref.isMissingNode() && !ref.isTextual() && !ref.isNumber()) {
            throw new Invalid("bad-request", "\"ref\" must be a string or a number", null);
        }
        JsonNode opNode = root.path("op");
        Op op;
        if (opNode.isMissingNode() && impliedOp != null) {
            op = impliedOp;
        } else if (!opNode.isTextual()) {
            throw new Invalid("bad-request", "\"op\" must be a string", ref);
        } else {
            op =
                    switch (opNode.asText()) {
                        case "subscribe" -> Op.SUBSCRIBE;
                        case "unsubscribe" -> Op.UNSUBSCRIBE;
                        case "publish" -> Op.PUBLISH;
                        default ->
                                throw new Invalid(
                                        "unknown-op",
                                        "unknown op '" + clip(opNode.asText()) + "'",
                                        ref);
                    };
            if (impliedOp != null && op != impliedOp) {
                throw new Invalid(
                        "bad-request",
                        "only \""
                                + impliedOp.name().toLowerCase(Locale.ROOT)
                                + "\" is accepted here",
                        ref);
            }
        }
        JsonNode channelNode = root.path("channel");
        if (!channelNode.isTextual()) {
            throw new Invalid("bad-request", "\"channel\" must be a string", ref);
        }
        String channel = channelNode.asText();
        if (!ChannelName.valid(channel)) {
            throw new Invalid(
                    "bad-channel",
                    "channel names are 1-"
                            + ChannelName.MAX_LENGTH
                            + " characters of A-Z a-z 0-9 . _ ~ / -",
                    ref);
        }
        long from = -1;
        String epoch = null;
        byte[] data = null;
        switch (op) {
            case SUBSCRIBE -> {
                JsonNode f = root.path("from");
                if (!f.isMissingNode() && !f.isNull()) {
                    // canConvertToLong: 2^64 and above would otherwise wrap (2^64 read as 0).
                    if (!f.canConvertToExactIntegral() || !f.canConvertToLong() || f.asLong() < 0) {
                        throw new Invalid(
                                "bad-request", "\"from\" must be a non-negative whole number", ref);
                    }
                    from = f.asLong();
                }
                JsonNode e = root.path("epoch");
                if (!e.isMissingNode() && !e.isNull()) {
                    if (!e.isTextual() || !Epoch.valid(e.asText())) {
                        throw new Invalid("bad-request", "\"epoch\": " + Epoch.rule(), ref);
                    }
                    epoch = e.asText();
                }
            }
            case PUBLISH -> {
                JsonNode d = root.path("data");
                if (d.isMissingNode()) {
                    throw new Invalid("bad-request", "publish needs \"data\"", ref);
                }
                data =
                        rawData != null
                                ? rawData
                                : json == null ? null : RawJson.member(MAPPER, json, "data");
                if (data != null) {
                    break;
                }
                try {
                    data = MAPPER.writeValueAsBytes(d);
                } catch (JsonProcessingException e) {
                    throw new Invalid("bad-request", "cannot encode \"data\"", ref);
                }
            }
            default -> {}
        }
        return new ClientMessage(
                op,
                channel,
                from,
                epoch,
                data,
                ref.isMissingNode() ? MissingNode.getInstance() : ref);
    }

    public static JsonNode readTree(byte[] json) throws Invalid {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new Invalid("bad-json", "not JSON", null);
        }
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
