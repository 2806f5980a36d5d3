package io.realmgate.tests.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * tinyproxy from Debian ({@code tinyproxy-bin}, 1.11) as a forward proxy, configured like the
 * reference scenario: CONNECT only to the given ports ({@code ConnectPort}), clients from the given
 * addresses only ({@code Allow}), Via on (tinyproxy's default; {@code DisableViaHeader No} says
 * so). It runs in the foreground ({@code -d}) from a private directory, logs warnings and worse to
 * its stdout, and is stopped on close. tinyproxy 1.11 serves each connection on a thread of its
 * own, up to {@code MaxClients}.
 */
public final class TinyproxyForwardProxy extends ProcessForwardProxy {
    public static final Path TINYPROXY = Path.of("/usr/bin/tinyproxy");

    /** tinyproxy's own default for MaxClients; enough for tests. */
    public static final int DEFAULT_MAX_CLIENTS = 100;

    private TinyproxyForwardProxy(PeerProcess process) {
        super(process);
    }

    public static boolean available() {
        return Files.isExecutable(TINYPROXY);
    }

    public static TinyproxyForwardProxy start(List<Integer> connectPorts, List<String> allowFrom)
            throws IOException, InterruptedException {
        return start(connectPorts, allowFrom, List.of(), DEFAULT_MAX_CLIENTS);
    }

    /**
     * @param launchPrefix programs that exec tinyproxy with its process id kept, e.g. {@code
     *     taskset -c 1} or {@code prlimit --nofile=N:N} (tinyproxy does not raise its own
     *     descriptor limit; each tunnel takes two); empty for none
     * @param maxClients {@code MaxClients}: connections (tunnels) served at once
     */
    public static TinyproxyForwardProxy start(
            List<Integer> connectPorts,
            List<String> allowFrom,
            List<String> launchPrefix,
            int maxClients)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(
                    "tinyproxy is not installed (apt-get install tinyproxy-bin)");
        }
        if (connectPorts.isEmpty()) {
            // tinyproxy reads "no ConnectPort line" as "every port": never what a caller means
            // here.
            throw new IllegalArgumentException("at least one CONNECT port is needed");
        }
        int port = ApacheForwardProxy.freePort();
        Path dir = Files.createTempDirectory("realmgate-tinyproxy-");
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "Port " + port,
                                "Listen 127.0.0.1",
                                "Timeout 600",
                                "MaxClients " + maxClients,
                                // No LogFile and no Syslog: in the foreground it writes to stdout,
                                // which goes to a file here.
                                "LogLevel Warning",
                                "DisableViaHeader No",
                                "XTinyproxy No"));
        if (root) {
            // Without a User it keeps root (with a warning); run as the usual unprivileged account
            // instead.
            lines.add("User nobody");
            lines.add("Group nogroup");
        }
        allowFrom.forEach(a -> lines.add("Allow " + a));
        connectPorts.forEach(p -> lines.add("ConnectPort " + p));
        lines.add("");
        Path confFile = dir.resolve("tinyproxy.conf");
        Files.writeString(confFile, String.join("\n", lines), StandardCharsets.UTF_8);
        return new TinyproxyForwardProxy(
                PeerProcess.start(
                        "tinyproxy",
                        launchPrefix,
                        List.of(TINYPROXY.toString(), "-d", "-c", confFile.toString()),
                        dir,
                        port,
                        List.of("stdout.log"),
                        Duration.ofSeconds(15)));
    }

    @Override
    public String name() {
        return "tinyproxy";
    }
}
