package io.realmgate.proxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads and writes the proxy's YAML config file. Unknown keys are errors: a typo must not silently
 * widen access.
 */
public final class ConfigFiles {
    private static final ObjectMapper YAML =
            new ObjectMapper(
                            new YAMLFactory()
                                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    private ConfigFiles() {}

    public static ProxyConfigDocument read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config: file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("--config: cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static ProxyConfigDocument parse(String yaml, String source) throws ConfigException {
        if (yaml.isBlank()) {
            return new ProxyConfigDocument();
        }
        try {
            ProxyConfigDocument doc = YAML.readValue(yaml, ProxyConfigDocument.class);
            return doc == null ? new ProxyConfigDocument() : doc;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source + ": unknown key '" + path(e) + "'");
        } catch (InvalidFormatException e) {
            throw new ConfigException(
                    source
                            + ": "
                            + path(e)
                            + ": '"
                            + e.getValue()
                            + "' is not a valid "
                            + e.getTargetType().getSimpleName().toLowerCase(Locale.ROOT));
        } catch (MismatchedInputException e) {
            throw new ConfigException(
                    source
                            + ": "
                            + path(e)
                            + ": wrong type ("
                            + firstLine(e.getOriginalMessage())
                            + ")");
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    source
                            + ": not valid YAML: "
                            + firstLine(e.getOriginalMessage())
                            + (e.getLocation() != null
                                    ? " at line " + e.getLocation().getLineNr()
                                    : ""));
        }
    }

    public static String write(ProxyConfigDocument doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config document cannot be written", e);
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
