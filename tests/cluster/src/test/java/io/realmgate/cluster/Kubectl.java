package io.realmgate.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl (the version the cluster runs), with KUBECONFIG set, run from the repository
 * root so that relative paths are the ones README.md and examples/ give. Every call is bounded in
 * time.
 */
final class Kubectl {
    private final Path binary;
    private final Path kubeconfig;
    private final Path workDir;

    Kubectl(Path binary, Path kubeconfig, Path workDir) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.workDir = workDir;
    }

    /** What a command did. */
    record Result(List<String> command, int exit, String out, String err) {
        Result orFail() {
            if (exit != 0) {
                throw new AssertionError(
                        "`kubectl "
                                + String.join(" ", command)
                                + "` exited "
                                + exit
                                + ":\n"
                                + err
                                + out);
            }
            return this;
        }
    }

    /** {@code kubectl ARGS...}, at most two minutes. */
    Result run(String... args) {
        return run(Duration.ofMinutes(2), args);
    }

    Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                ProcessBuilder pb =
                        new ProcessBuilder(command)
                                .directory(workDir.toFile())
                                .redirectOutput(out.toFile())
                                .redirectError(err.toFile());
                pb.environment().put("KUBECONFIG", kubeconfig.toString());
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(
                            "`kubectl "
                                    + String.join(" ", args)
                                    + "` did not finish within "
                                    + timeout
                                    + ":\n"
                                    + Files.readString(err)
                                    + Files.readString(out));
                }
                return new Result(
                        List.of(args),
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a long-running kubectl (port-forward, logs -f); the caller stops it. */
    Process start(Path log, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
