package io.realmgate.tests.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Squid from Debian as a forward proxy, configured like the reference scenario: CONNECT only to the
 * given ports, clients from the given addresses only, {@code via on}, no caching. It runs in the
 * foreground ({@code -N}) from a private directory and is stopped on close.
 */
public final class SquidForwardProxy extends ProcessForwardProxy {
    public static final Path SQUID = Path.of("/usr/sbin/squid");

    private SquidForwardProxy(PeerProcess process) {
        super(process);
    }

    public static boolean available() {
        return Files.isExecutable(SQUID);
    }

    public static SquidForwardProxy start(List<Integer> connectPorts, List<String> allowFrom)
            throws IOException, InterruptedException {
        return start(connectPorts, allowFrom, List.of(), 0);
    }

    /**
     * @param launchPrefix programs that exec Squid with its process id kept, e.g. {@code taskset -c
     *     1} or {@code prlimit --nofile=N:N}; empty for none
     * @param maxFileDescriptors {@code max_filedescriptors}: each tunnel takes two. Set it to the
     *     process's descriptor limit (what {@code launchPrefix} sets): above it, Squid logs a
     *     failed setrlimit at start and keeps the limit. 0: Squid's default (Debian builds it with
     *     65536, capped by the process limit).
     */
    public static SquidForwardProxy start(
            List<Integer> connectPorts,
            List<String> allowFrom,
            List<String> launchPrefix,
            int maxFileDescriptors)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("Squid is not installed (apt-get install squid)");
        }
        int port = ApacheForwardProxy.freePort();
        Path dir = Files.createTempDirectory("realmgate-squid-");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // Squid drops to the 'proxy' user; it must be able to write its logs and pid here.
            new ProcessBuilder("chown", "-R", "proxy:proxy", dir.toString())
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        }
        String conf =
                String.join(
                        "\n",
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
                        maxFileDescriptors > 0 ? "max_filedescriptors " + maxFileDescriptors : "",
                        root ? "cache_effective_user proxy" : "",
                        "acl clients src " + String.join(" ", allowFrom),
                        "acl connect_ports port "
                                + connectPorts.stream()
                                        .map(String::valueOf)
                                        .collect(Collectors.joining(" ")),
                        "acl CONNECT method CONNECT",
                        "http_access deny CONNECT !connect_ports",
                        "http_access allow clients",
                        "http_access deny all",
                        "");
        Path confFile = dir.resolve("squid.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return new SquidForwardProxy(
                PeerProcess.start(
                        "squid",
                        launchPrefix,
                        List.of(SQUID.toString(), "-N", "-f", confFile.toString()),
                        dir,
                        port,
                        List.of("stdout.log", "cache.log"),
                        Duration.ofSeconds(20)));
    }

    @Override
    public String name() {
        return "squid";
    }
}
