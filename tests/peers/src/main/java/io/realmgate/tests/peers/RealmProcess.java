package io.realmgate.tests.peers;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The realm as a child process: {@code io.realmgate.realm.RealmMain} from the test's own class path
 * (the build's classes), on loopback, so a test can stop it and start another on the same ports: a
 * real restart, nothing kept in memory.
 */
public final class RealmProcess implements AutoCloseable {
    private static final String MAIN = "io.realmgate.realm.RealmMain";
    private static final Pattern LISTENING =
            Pattern.compile("listening: ws (?:on \\S*:(\\d+)|off), wss (?:on \\S*:(\\d+)|off)");

    private final Process process;
    private final Path log;
    private final int wsPort;
    private final int wssPort;

    private RealmProcess(Process process, Path log, int wsPort, int wssPort) {
        this.process = process;
        this.log = log;
        this.wsPort = wsPort;
        this.wssPort = wssPort;
    }

    /**
     * Starts a realm with these flags ({@code --bind 127.0.0.1} comes first) and waits until it
     * listens. Ports just freed by a previous realm may still be held for a moment: a start that
     * exits is retried until {@code within} has passed; the last attempt's log is in the failure.
     */
    public static RealmProcess start(Path dir, Duration within, String... flags)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (int attempt = 1; ; attempt++) {
            Path log = dir.resolve("realm-" + System.nanoTime() + ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(
                    List.of(
                            "-cp",
                            System.getProperty("java.class.path"),
                            MAIN,
                            "--bind",
                            "127.0.0.1"));
            command.addAll(List.of(flags));
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            Matcher listening = awaitListening(p, log, deadline);
            if (listening != null) {
                return new RealmProcess(p, log, port(listening, 1), port(listening, 2));
            }
            stop(p);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "no realm listening after "
                                + attempt
                                + " attempts in "
                                + within
                                + "; the last one's log:\n"
                                + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    private static int port(Matcher m, int group) {
        return m.group(group) == null ? -1 : Integer.parseInt(m.group(group));
    }

    /**
     * The realm's "listening" line once it is logged; null if the process ended or time ran out.
     */
    private static Matcher awaitListening(Process p, Path log, long deadline)
            throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return m;
            }
            if (!p.isAlive()) {
                return null;
            }
            Thread.sleep(100);
        }
        return null;
    }

    /** The plain (ws/http) port, -1 if off. */
    public int wsPort() {
        return wsPort;
    }

    /** The TLS (wss/https) port, -1 if off. */
    public int wssPort() {
        return wssPort;
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + wsPort + "/realm");
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Kills the realm (SIGKILL: no graceful shutdown, as a pod whose node went away) and waits for
     * the process to end.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops the realm (SIGTERM: its graceful shutdown) and waits for the process to end. */
    @Override
    public void close() throws InterruptedException {
        stop(process);
    }
}
