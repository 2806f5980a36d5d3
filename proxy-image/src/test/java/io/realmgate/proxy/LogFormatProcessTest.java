package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.tests.peers.ClassPathProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code REALMGATE_LOG_FORMAT} as the proxy process reads it: text lines or JSON lines. */
@Timeout(90)
class LogFormatProcessTest {
    @TempDir Path dir;

    /** The proxy's stdout up to its listening line (then it is stopped); stderr apart. */
    private List<String> linesUntilListening(String format) throws Exception {
        String text;
        try (ClassPathProcess p =
                ClassPathProcess.start(
                        ProxyMain.class,
                        Map.of("REALMGATE_LOG_FORMAT", format),
                        dir.resolve(format + ".out"),
                        dir.resolve(format + ".err"),
                        "--listen",
                        "127.0.0.1:0")) {
            p.awaitOutput("listening on", Duration.ofSeconds(60));
            text = p.output();
        }
        assertThat(text).contains("listening on");
        // Only whole lines: the process may have been stopped in the middle of one.
        return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
    }

    @Test
    void jsonIsOneObjectPerLineWithTimestampLevelLoggerAndMessage() throws Exception {
        List<String> lines = linesUntilListening("json");
        assertThat(lines).isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        boolean listening = false;
        for (String line : lines) {
            JsonNode entry = json.readTree(line);
            assertThat(entry.isObject()).as(line).isTrue();
            assertThat(entry.path("timestamp").isNumber()).as(line).isTrue();
            assertThat(entry.path("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
            assertThat(entry.path("loggerName").asText()).as(line).isNotEmpty();
            assertThat(entry.path("formattedMessage").isTextual()).as(line).isTrue();
            listening |=
                    entry.path("loggerName").asText().equals(ProxyServer.class.getName())
                            && entry.path("formattedMessage").asText().contains("listening on");
        }
        assertThat(listening).isTrue();
    }

    @Test
    void textIsTodaysLine() throws Exception {
        List<String> lines = linesUntilListening("text");
        assertThat(lines)
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .matches(
                                                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
                                                        + " INFO  \\S*ProxyServer - .*listening on.*"));
        // Every line is a log line: nothing of logback's own, no JSON.
        assertThat(lines)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .matches(
                                                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
                                                        + " (INFO |WARN |ERROR) \\S+ - .*"));
    }

    @Test
    void anUnknownValueIsOneLineNamingTheVariableAndExitStatus2() throws Exception {
        try (ClassPathProcess p =
                ClassPathProcess.start(
                        ProxyMain.class,
                        Map.of("REALMGATE_LOG_FORMAT", "xml"),
                        dir.resolve("bad.log"),
                        null,
                        "--listen",
                        "127.0.0.1:0")) {
            assertThat(p.exitStatus(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(p.output())
                    .isEqualTo(
                            "realmgate-proxy: REALMGATE_LOG_FORMAT: 'xml' is not a log format (text or json)\n");
        }
    }
}
