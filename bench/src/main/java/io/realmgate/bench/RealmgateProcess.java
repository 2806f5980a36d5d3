package io.realmgate.bench;

import io.realmgate.tests.peers.ForwardProxyPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Our proxy as its own process from the shaded jar, exactly as a user runs it, so it gets its own
 * JVM (heap, JIT, GC threads) like Apache gets its own processes.
 */
final class RealmgateProcess implements ForwardProxyPeer {
    private final Process process;
    private final int port;
    private final Path log;

    /** The sizing config, when one was written; removed on close. */
    private final Path config;

    private RealmgateProcess(Process process, int port, Path log, Path config) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.config = config;
    }

    static RealmgateProcess start(Path jar, List<Integer> targetPorts)
            throws IOException, InterruptedException {
        return start(jar, targetPorts, List.of(), 0);
    }

    /**
     * @param prefix programs that exec the JVM keeping its pid (taskset, prlimit); empty for none
     * @param tunnels tunnels it must hold at once from this one client address; above the proxy's
     *     default per-client cap (4096) a config file raises the caps, as an operator sizing it
     *     would, just as the peers are sized. 0: defaults.
     */
    static RealmgateProcess start(
            Path jar, List<Integer> targetPorts, List<String> prefix, int tunnels)
            throws IOException, InterruptedException {
        int port = ChildProcesses.freePort();
        Path log = Files.createTempFile("realmgate-bench-proxy-", ".log");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // JVM options for experiments (GC, JIT logging); none by default: the proxy runs on JVM
        // defaults.
        String jvmOptions =
                System.getenv().getOrDefault("REALMGATE_BENCH_PROXY_JVM_OPTIONS", "").trim();
        if (!jvmOptions.isEmpty()) {
            command.addAll(List.of(jvmOptions.split("\\s+")));
        }
        command.addAll(
                List.of(
                        "-jar",
                        jar.toString(),
                        "--listen",
                        "127.0.0.1:" + port,
                        "--allow-connect",
                        targetPorts.stream()
                                .map(p -> "127.0.0.1:" + p)
                                .collect(Collectors.joining(",")),
                        // The reference scenario's ProxyVia On (it only touches forwarded HTTP, not
                        // tunnels).
                        "--via"));
        Path config = null;
        if (tunnels > 0) {
            int cap = Math.max(20_000, tunnels + 1000);
            config = Files.createTempFile("realmgate-bench-proxy-", ".yaml");
            Files.writeString(
                    config,
                    "limits:\n  maxConnections: "
                            + cap
                            + "\n  maxConnectionsPerClient: "
                            + cap
                            + "\n");
            command.addAll(List.of("--config", config.toString()));
        }
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Apache in this setup writes no access log; silence ours too so both do the same work.
        pb.environment().put("REALMGATE_LOG_LEVEL", "WARN");
        RealmgateProcess proxy = new RealmgateProcess(pb.start(), port, log, config);
        try {
            ChildProcesses.awaitListening(
                    proxy.process, proxy.address(), 30, "realmgate proxy", proxy::logText);
            return proxy;
        } catch (IOException | InterruptedException | RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return Subject.REALMGATE;
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Warnings and errors the proxy logged (access logs are off, so anything here is news). */
    List<String> logLines() {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> !l.isBlank()).collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    private String logText() {
        return String.join("\n", logLines());
    }

    @Override
    public void close() {
        ChildProcesses.stop(process);
        // An empty log said nothing; one with lines is kept for the reader (its path is in the
        // report).
        try {
            if (config != null) {
                Files.deleteIfExists(config);
            }
            if (Files.size(log) == 0) {
                Files.delete(log);
            }
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    Path log() {
        return log;
    }

    @Override
    public String toString() {
        return "realmgate proxy (pid " + process.pid() + ")";
    }
}
