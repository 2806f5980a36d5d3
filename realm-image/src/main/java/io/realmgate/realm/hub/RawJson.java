package io.realmgate.realm.hub;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A member of a JSON object taken as the bytes the sender wrote, not re-encoded from a parsed tree:
 * {@code 1e400} or {@code 123456789012345678901234567890} stay exactly that, where a tree would
 * turn the first into a double (Infinity) and print numbers its own way. Whitespace between tokens
 * is dropped, so an encoded frame never holds a line break (the event stream sends a frame as one
 * {@code data:} line); every token is kept byte for byte.
 */
public final class RawJson {
    private RawJson() {}

    /**
     * The value of top-level member {@code name} of the object in {@code json} (the last one if
     * repeated), or null if there is none or the bytes cannot be cut out safely (the caller then
     * re-encodes).
     */
    public static byte[] member(ObjectMapper mapper, byte[] json, String name) {
        long start = -1;
        long end = -1;
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                long s = p.currentTokenLocation().getByteOffset();
                if (t.isStructStart()) {
                    p.skipChildren();
                } else {
                    p.finishToken();
                }
                if (name.equals(field)) {
                    start = s;
                    end = p.currentLocation().getByteOffset();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return cut(mapper, json, start, end);
    }

    /**
     * The value a parser found between byte offsets {@code start} and {@code end} of {@code json},
     * compacted, or null if the cut is not exactly one JSON value (the caller then re-encodes).
     */
    static byte[] cut(ObjectMapper mapper, byte[] json, long start, long end) {
        if (start < 0 || end <= start || end > json.length) {
            return null;
        }
        byte[] out = compact(json, (int) start, (int) end);
        try {
            // The cut must be exactly one JSON value; anything else falls back to re-encoding.
            try (JsonParser check = mapper.getFactory().createParser(out)) {
                JsonToken first = check.nextToken();
                if (first == null) {
                    return null;
                }
                check.skipChildren();
                if (check.nextToken() != null) {
                    return null;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return out;
    }

    /** The bytes from {@code start} to {@code end} without the whitespace outside strings. */
    static byte[] compact(byte[] json, int start, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        boolean inString = false;
        boolean escaped = false;
        for (int i = start; i < end; i++) {
            byte b = json[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                continue;
            }
            out.write(b);
        }
        return out.toByteArray();
    }
}
