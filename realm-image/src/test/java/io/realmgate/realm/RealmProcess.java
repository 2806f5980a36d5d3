package io.realmgate.realm;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The realm as a child process (this build's classes, {@code RealmMain}), plain ws on loopback, so
 * a test can stop it and start another on the same port: a real restart, nothing kept in memory.
 */
final class RealmProcess implements AutoCloseable {
    private static final Pattern WS_PORT = Pattern.compile("listening: ws on \\S*:(\\d+),");

    private final Process process;
    private final Path log;
    private final int port;

    private RealmProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts a realm on {@code port} ({@code 0}: ephemeral) and waits until it listens. A port just
     * freed by the previous realm may still be held for a moment: starting is retried until {@code
     * seconds} have passed.
     */
    static RealmProcess start(Path dir, int port, int seconds, String... flags) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int attempt = 1; ; attempt++) {
            Path log = dir.resolve("realm-" + System.nanoTime() + ".log");
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    RealmMain.class.getName(),
                                    "--bind",
                                    "127.0.0.1",
                                    "--ws-port",
                                    String.valueOf(port),
                                    "--wss-port",
                                    "off"));
            command.addAll(List.of(flags));
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            Integer listening = awaitPort(p, log, deadline);
            if (listening != null) {
                return new RealmProcess(p, log, listening);
            }
            stop(p);
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no realm listening on port "
                                + port
                                + " after "
                                + attempt
                                + " attempts; last log: "
                                + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    /**
     * The port the realm logs once it listens; null if the process ended first (or time ran out).
     */
    private static Integer awaitPort(Process p, Path log, long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            Matcher m = WS_PORT.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                return null;
            }
            Thread.sleep(100);
        }
        return null;
    }

    int port() {
        return port;
    }

    URI wsUri() {
        return URI.create("ws://127.0.0.1:" + port + "/realm");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Stops the realm (SIGTERM, its graceful shutdown) and waits for the process to end. */
    @Override
    public void close() throws InterruptedException {
        stop(process);
    }
}
