package io.realmgate.tests.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Squid from Debian as a forward proxy, configured like the reference scenario: CONNECT only to the
 * given ports, clients from the given addresses only, {@code via on}, no caching. It runs in the
 * foreground ({@code -N}) from a private directory and is stopped on close.
 */
public final class SquidForwardProxy implements ForwardProxyPeer {
    public static final Path SQUID = Path.of("/usr/sbin/squid");

    private final Path dir;
    private final Process process;
    private final int port;

    private SquidForwardProxy(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(SQUID);
    }

    public static SquidForwardProxy start(List<Integer> connectPorts, List<String> allowFrom)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("Squid is not installed (apt-get install squid)");
        }
        int port = ApacheForwardProxy.freePort();
        Path dir = Files.createTempDirectory("realmgate-squid-");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // Squid drops to the 'proxy' user; it must be able to write its logs and pid here.
            new ProcessBuilder("chown", "-R", "proxy:proxy", dir.toString()).start().waitFor(5, TimeUnit.SECONDS);
        }
        String conf = String.join("\n",
                "http_port 127.0.0.1:" + port,
                "pid_filename " + dir.resolve("squid.pid"),
                "cache_log " + dir.resolve("cache.log"),
                "access_log none",
                "coredump_dir " + dir,
                "netdb_filename none",
                "cache deny all",
                "cache_mem 8 MB",
                "shutdown_lifetime 0 seconds",
                "via on",
                root ? "cache_effective_user proxy" : "",
                "acl clients src " + String.join(" ", allowFrom),
                "acl connect_ports port " + connectPorts.stream().map(String::valueOf).collect(Collectors.joining(" ")),
                "acl CONNECT method CONNECT",
                "http_access deny CONNECT !connect_ports",
                "http_access allow clients",
                "http_access deny all",
                "");
        Path confFile = dir.resolve("squid.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(SQUID.toString(), "-N", "-f", confFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        SquidForwardProxy squid = new SquidForwardProxy(dir, p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = squid.logs();
                squid.close();
                throw new IllegalStateException("squid exited with " + p.exitValue() + ":\n" + log);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return squid;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        String log = squid.logs();
        squid.close();
        throw new IllegalStateException("squid did not listen on " + port + " within 20 s:\n" + log);
    }

    @Override
    public String name() {
        return "squid";
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public long pid() {
        return process.pid();
    }

    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("stdout.log", "cache.log")) {
            try {
                sb.append(Files.readString(dir.resolve(f)));
            } catch (IOException ignored) {
                // not written yet
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
