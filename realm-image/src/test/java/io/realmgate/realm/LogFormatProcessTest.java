package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code REALMGATE_LOG_FORMAT} as the realm process reads it: text lines or JSON lines. */
@Timeout(90)
class LogFormatProcessTest {
    @TempDir Path dir;

    /** The realm's stdout up to its listening line (then it is stopped); stderr apart. */
    private List<String> linesUntilListening(String format) throws Exception {
        Path out = dir.resolve(format + ".out");
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                RealmMain.class.getName(),
                                "--bind",
                                "127.0.0.1",
                                "--ws-port",
                                "0",
                                "--wss-port",
                                "off")
                        .redirectError(dir.resolve(format + ".err").toFile())
                        .redirectOutput(out.toFile());
        pb.environment().put("REALMGATE_LOG_FORMAT", format);
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains("realm listening")
                    && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = Files.readString(out);
        assertThat(text).contains("realm listening");
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
                    entry.path("loggerName").asText().equals(RealmServer.class.getName())
                            && entry.path("formattedMessage").asText().contains("realm listening");
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
                                                        + " INFO  \\S*RealmServer - realmgate realm listening.*"));
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
        Path log = dir.resolve("bad.log");
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                RealmMain.class.getName(),
                                "--bind",
                                "127.0.0.1",
                                "--ws-port",
                                "0",
                                "--wss-port",
                                "off")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        pb.environment().put("REALMGATE_LOG_FORMAT", "xml");
        Process p = pb.start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(Files.readString(log))
                    .isEqualTo(
                            "realmgate-realm: REALMGATE_LOG_FORMAT: 'xml' is not a log format (text or json)\n");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
