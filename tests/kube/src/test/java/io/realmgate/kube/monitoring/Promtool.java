package io.realmgate.kube.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own rule checker and rule unit-test runner (Debian's {@code prometheus} package;
 * .ci/run installs it). Missing on a developer's machine: the test is skipped, saying what to
 * install; missing in CI ({@code CI=true}): it fails.
 */
public final class Promtool {
    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    public static Promtool require() {
        return new Promtool(requireProgram("promtool"));
    }

    /**
     * A program of Debian's {@code prometheus} package on PATH ({@code promtool}, {@code
     * prometheus}): skipped outside CI when missing, failed under {@code CI=true}.
     */
    public static Path requireProgram(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = "no " + name + " on PATH; install it with: apt-get install prometheus";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: .ci/run should have installed it)");
        }
        Assumptions.abort(message);
        return null;
    }

    /** Runs promtool with these arguments in {@code dir}; returns its exit code and output. */
    public Result run(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .start();
        try {
            boolean done = process.waitFor(60, TimeUnit.SECONDS);
            assertThat(done)
                    .as("promtool %s finished within 60 s", String.join(" ", args))
                    .isTrue();
            return new Result(
                    process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }

    public record Result(int exitCode, String output) {}
}
