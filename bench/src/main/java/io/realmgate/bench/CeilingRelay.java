package io.realmgate.bench;

import io.realmgate.tests.peers.ForwardProxyPeer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The "ceiling" subject: {@code bench/ceiling/tunnel-relay.c}, the least work a CONNECT proxy can
 * do per tunnel (a thread per tunnel, blocking sockets, poll over the two legs, 1 MiB buffer, no
 * parsing beyond the port, no policy, no log), compiled with gcc from the copy of its source inside
 * this jar and run like the peers (same CPU, same descriptor limit). It is not a proxy anyone
 * should run; it is what tells a goal that no proxy can reach here from one that ours has not
 * reached yet.
 */
final class CeilingRelay implements ForwardProxyPeer {
    static final Path GCC = Path.of("/usr/bin/gcc");
    private static final String[] SOURCES = {"tunnel-relay.c", "relay-common.h"};
    private static final int BUFFER = 1 << 20;

    private final Process process;
    private final Path dir;
    private final int port;

    private CeilingRelay(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(GCC)
                && CeilingRelay.class.getResource("/ceiling/" + SOURCES[0]) != null;
    }

    static CeilingRelay start(List<String> prefix) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("realmgate-ceiling-");
        try {
            for (String name : SOURCES) {
                try (InputStream in = CeilingRelay.class.getResourceAsStream("/ceiling/" + name)) {
                    if (in == null) {
                        throw new IOException(
                                "ceiling relay source " + name + " is missing from the bench jar");
                    }
                    Files.copy(in, dir.resolve(name));
                }
            }
            Path binary = dir.resolve("tunnel-relay");
            Process gcc =
                    new ProcessBuilder(
                                    GCC.toString(),
                                    "-O2",
                                    "-pthread",
                                    "-o",
                                    binary.toString(),
                                    dir.resolve(SOURCES[0]).toString())
                            .redirectErrorStream(true)
                            .start();
            String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                gcc.destroyForcibly();
                throw new IOException("gcc could not build the ceiling relay:\n" + out);
            }
            int port = ChildProcesses.freePort();
            List<String> command = new ArrayList<>(prefix);
            // Target port 0: each tunnel goes to the port its CONNECT names, on 127.0.0.1.
            command.addAll(
                    List.of(
                            binary.toString(),
                            Integer.toString(port),
                            "0",
                            Integer.toString(BUFFER)));
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("relay.log").toFile())
                            .start();
            CeilingRelay relay = new CeilingRelay(p, dir, port);
            try {
                ChildProcesses.awaitListening(
                        p,
                        relay.address(),
                        10,
                        "ceiling relay",
                        () -> String.join("\n", relay.logLines()));
            } catch (IOException | InterruptedException e) {
                relay.close();
                throw e;
            }
            return relay;
        } catch (IOException | InterruptedException | RuntimeException e) {
            ChildProcesses.deleteTree(dir);
            throw e;
        }
    }

    @Override
    public String name() {
        return Subject.CEILING;
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

    /** What it printed (it prints only on failure: perror). */
    List<String> logLines() {
        try (Stream<String> lines = Files.lines(dir.resolve("relay.log"))) {
            return lines.filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        ChildProcesses.stop(process);
        ChildProcesses.deleteTree(dir);
    }
}
