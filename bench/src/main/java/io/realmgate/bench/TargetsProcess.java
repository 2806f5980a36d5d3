package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link TargetsMain} (sink, source, echo, WebSocket echo) as a child JVM from this
 * benchmark's own class path, through the same launch prefix as the proxies (pinning, descriptor
 * limit), and stops it by closing its standard input.
 */
final class TargetsProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final Map<String, Integer> ports;

    private TargetsProcess(Process process, Path log, Map<String, Integer> ports) {
        this.process = process;
        this.log = log;
        this.ports = ports;
    }

    static TargetsProcess start(ChildLaunch launch) throws IOException, InterruptedException {
        Path log = Files.createTempFile("realmgate-bench-targets-", ".log");
        List<String> command =
                launch.command(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                TargetsMain.class.getName()));
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("REALMGATE_LOG_LEVEL", "WARN");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // Bounded: 30 s of polling the log for the one line that carries the ports.
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith(TargetsMain.READY + " ")) {
                    return new TargetsProcess(p, log, parse(line));
                }
            }
            if (!p.isAlive()) {
                throw new IOException(
                        "targets process exited with "
                                + p.exitValue()
                                + ": "
                                + Files.readString(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IOException(
                "targets process did not report its ports within 30 s: " + Files.readString(log));
    }

    /** {@code targets sink=1 source=2 echo=3 ws=4} */
    static Map<String, Integer> parse(String line) {
        Map<String, Integer> ports = new TreeMap<>();
        for (String part : line.substring(TargetsMain.READY.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            ports.put(part.substring(0, eq), Integer.parseInt(part.substring(eq + 1)));
        }
        return ports;
    }

    private InetSocketAddress address(String name) {
        return new InetSocketAddress("127.0.0.1", ports.get(name));
    }

    InetSocketAddress sink() {
        return address("sink");
    }

    InetSocketAddress source() {
        return address("source");
    }

    InetSocketAddress echo() {
        return address("echo");
    }

    InetSocketAddress webSocket() {
        return address("ws");
    }

    /** Every port a proxy must allow CONNECT to. */
    List<Integer> ports() {
        return new ArrayList<>(ports.values());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** What the targets reported besides their ports: failures on their side of a run. */
    List<String> troubleLines() {
        try {
            return Files.readAllLines(log).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith(TargetsMain.READY + " "))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws IOException {
        // EOF on its stdin ends it; a kill is the fallback.
        process.getOutputStream().close();
        ChildProcesses.awaitExit(process);
        if (troubleLines().isEmpty()) {
            Files.deleteIfExists(log);
        }
    }

    @Override
    public String toString() {
        return "targets process (pid " + process.pid() + ")";
    }
}
