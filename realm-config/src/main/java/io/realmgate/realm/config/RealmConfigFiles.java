package io.realmgate.realm.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and writes the realm's config file. Unknown keys are errors (a misspelt limit must not
 * silently leave the default in force), so are a key given twice and a fraction where a whole
 * number belongs. Every message is one line that starts with {@code FILE:LINE:} and names the key.
 */
public final class RealmConfigFiles {
    private static final ObjectMapper YAML =
            new ObjectMapper(
                            new YAMLFactory()
                                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

    private RealmConfigFiles() {}

    /**
     * A file as read: its document, and the line of each key, so that a value refused later (by a
     * flag's rule) is reported at its line.
     *
     * @param source the file's name, as the messages give it
     * @param keyLines line (from 1) of each key, by its path ({@code limits.maxConnections})
     */
    public record Loaded(
            String source, RealmConfigDocument document, Map<String, Integer> keyLines) {
        public Loaded {
            keyLines = Map.copyOf(keyLines);
        }

        /**
         * {@code FILE:LINE: key}, or {@code FILE: key} if the key's line is unknown: the head of a
         * message.
         */
        public String name(String key) {
            Integer line = keyLines.get(key);
            return source + (line == null ? "" : ":" + line) + ": " + key;
        }
    }

    public static Loaded read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config: " + file + " does not exist");
        } catch (IOException e) {
            // A file that is not UTF-8 is a MalformedInputException, whose message is only "Input
            // length = 1".
            throw new ConfigException(
                    "--config: cannot read "
                            + file
                            + ": "
                            + (e instanceof CharacterCodingException
                                    ? "not UTF-8 text"
                                    : e.getMessage()));
        }
        return parse(text, file.toString());
    }

    /**
     * @param source the file's name, for the messages
     */
    public static Loaded parse(String yaml, String source) throws ConfigException {
        if (yaml.isBlank() || onlyComments(yaml)) {
            return new Loaded(source, new RealmConfigDocument(), Map.of());
        }
        RealmConfigDocument doc;
        try {
            doc = YAML.readValue(yaml, RealmConfigDocument.class);
        } catch (UnrecognizedPropertyException e) {
            String parent =
                    path(e).contains(".") ? path(e).substring(0, path(e).lastIndexOf('.') + 1) : "";
            throw new ConfigException(
                    at(source, e)
                            + "unknown key '"
                            + path(e)
                            + "' (known here: "
                            + new TreeSet<>(
                                            e.getKnownPropertyIds().stream()
                                                    .map(k -> parent + k)
                                                    .toList())
                                    .stream().collect(Collectors.joining(", "))
                            + ")");
        } catch (InvalidFormatException e) {
            throw new ConfigException(
                    at(source, e)
                            + path(e)
                            + ": '"
                            + e.getValue()
                            + "' is not "
                            + typeName(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String key = path(e);
            throw new ConfigException(
                    at(source, e)
                            + (key.isEmpty()
                                    ? "the file must be a mapping of keys (such as 'limits:'), not "
                                            + firstLine(e.getOriginalMessage())
                                    : key
                                            + ": wrong type, "
                                            + wanted(e.getTargetType())
                                            + " is needed"));
        } catch (JsonMappingException e) {
            // Such as a number too large for an integer key, or a key given twice
            // (STRICT_DUPLICATE_DETECTION).
            String message = firstLine(e.getOriginalMessage());
            Matcher twice = DUPLICATE.matcher(message);
            if (twice.matches()) {
                throw new ConfigException(
                        at(source, e)
                                + (path(e).isEmpty() ? "" : path(e) + ".")
                                + twice.group(1)
                                + ": given twice");
            }
            throw new ConfigException(
                    at(source, e) + (path(e).isEmpty() ? "" : path(e) + ": ") + message);
        } catch (JsonProcessingException e) {
            // A top-level key given twice comes unwrapped, without a path.
            String message = firstLine(e.getOriginalMessage());
            Matcher twice = DUPLICATE.matcher(message);
            if (twice.matches()) {
                throw new ConfigException(at(source, e) + twice.group(1) + ": given twice");
            }
            throw new ConfigException(at(source, e) + "not valid YAML: " + message);
        }
        return new Loaded(source, doc == null ? new RealmConfigDocument() : doc, keyLines(yaml));
    }

    /**
     * A file of comments only has no document at all, which Jackson refuses; it sets nothing, as an
     * empty one.
     */
    private static boolean onlyComments(String yaml) {
        try (JsonParser p = YAML.getFactory().createParser(yaml)) {
            return p.nextToken() == null;
        } catch (IOException e) {
            return false; // reported by the whole parse, with its line
        }
    }

    public static String write(RealmConfigDocument doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("realm config document cannot be written", e);
        }
    }

    /**
     * The line of every key of a document that has already parsed; keys inside lists are not looked
     * at.
     */
    private static Map<String, Integer> keyLines(String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.getFactory().createParser(yaml)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME) {
                    String key = keyPath(p.getParsingContext());
                    if (key != null) {
                        lines.putIfAbsent(key, p.currentTokenLocation().getLineNr());
                    }
                }
            }
        } catch (IOException e) {
            // Not reached: the same text was parsed as a whole. Messages then go without their
            // lines.
        }
        return lines;
    }

    private static String keyPath(JsonStreamContext ctx) {
        StringBuilder key = new StringBuilder();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                return null;
            }
            key.insert(0, key.length() == 0 ? c.getCurrentName() : c.getCurrentName() + ".");
        }
        return key.toString();
    }

    private static String at(String source, JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        return source + (l != null && l.getLineNr() > 0 ? ":" + l.getLineNr() : "") + ": ";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String typeName(Class<?> type) {
        return type == Integer.class || type == int.class
                ? "a whole number"
                : type == Boolean.class || type == boolean.class
                        ? "true or false"
                        : "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static String wanted(Class<?> type) {
        return type == String.class
                ? "a single value"
                : List.class.isAssignableFrom(type)
                        ? "a list"
                        : type == Integer.class || type == Boolean.class
                                ? typeName(type)
                                : "a mapping of keys";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
