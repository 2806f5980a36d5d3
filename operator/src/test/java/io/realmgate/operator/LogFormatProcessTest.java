package io.realmgate.operator;

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

/**
 * {@code REALMGATE_LOG_FORMAT} as the operator process reads it: text lines or JSON lines. The
 * operator is pointed at a closed loopback port for its API server; its start-up lines come before
 * it needs one.
 */
@Timeout(120)
class LogFormatProcessTest {
    private static final String API_SERVER_LINE = "Kubernetes API server";

    @TempDir Path dir;

    private Process operator(String format, Path out, Path err) throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(
                kubeconfig,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters: [{name: closed, cluster: {server: 'https://127.0.0.1:1'}}]",
                        "users: [{name: nobody, user: {}}]",
                        "contexts: [{name: closed, context: {cluster: closed, user: nobody}}]",
                        "current-context: closed",
                        ""));
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                OperatorMain.class.getName(),
                                "--no-leader-election",
                                "--admin",
                                "127.0.0.1:0")
                        .redirectError(err.toFile())
                        .redirectOutput(out.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().put("REALMGATE_LOG_FORMAT", format);
        return pb.start();
    }

    /** The operator's stdout up to the line naming its API server (then it is stopped). */
    private List<String> startUpLines(String format) throws Exception {
        Path out = dir.resolve(format + ".out");
        Process p = operator(format, out, dir.resolve(format + ".err"));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(out).contains(API_SERVER_LINE)
                    && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = Files.readString(out);
        assertThat(text).contains(API_SERVER_LINE);
        // Only whole lines: the process may have been stopped in the middle of one.
        return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
    }

    @Test
    void jsonIsOneObjectPerLineWithTimestampLevelLoggerAndMessage() throws Exception {
        List<String> lines = startUpLines("json");
        ObjectMapper json = new ObjectMapper();
        boolean started = false;
        for (String line : lines) {
            JsonNode entry = json.readTree(line);
            assertThat(entry.isObject()).as(line).isTrue();
            assertThat(entry.path("timestamp").isNumber()).as(line).isTrue();
            assertThat(entry.path("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
            assertThat(entry.path("loggerName").asText()).as(line).isNotEmpty();
            assertThat(entry.path("formattedMessage").isTextual()).as(line).isTrue();
            started |=
                    entry.path("loggerName").asText().equals(OperatorMain.class.getName())
                            && entry.path("formattedMessage")
                                    .asText()
                                    .startsWith("Realmgate operator " + OperatorSettings.VERSION);
        }
        assertThat(started).isTrue();
    }

    @Test
    void textIsTodaysLine() throws Exception {
        List<String> lines = startUpLines("text");
        assertThat(lines)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .matches(
                                                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
                                                        + " (INFO |WARN |ERROR) \\[[^]]+\\] \\S+ - .*"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("Realmgate operator "));
    }

    @Test
    void anUnknownValueIsOneLineNamingTheVariableAndExitStatus2() throws Exception {
        Path out = dir.resolve("bad.out");
        Path err = dir.resolve("bad.err");
        Process p = operator("xml", out, err);
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(Files.readString(err))
                    .isEqualTo(
                            "realmgate-operator: REALMGATE_LOG_FORMAT: 'xml' is not a log format (text or json)\n");
            assertThat(Files.readString(out)).isEmpty();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
