package io.realmgate.tests.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Apache httpd from Debian as a forward proxy, configured like the reference scenario: {@code
 * ProxyRequests On}, {@code ProxyVia On}, {@code AllowCONNECT PORTS}, clients limited to the given
 * addresses. It runs in the foreground from a private directory and is stopped on close.
 */
public final class ApacheForwardProxy extends ProcessForwardProxy {
    public static final Path HTTPD = Path.of("/usr/sbin/apache2");
    public static final Path MODULES = Path.of("/usr/lib/apache2/modules");

    /**
     * @param allowConnectPorts ports for {@code AllowCONNECT}
     * @param allowFrom client addresses or CIDRs for {@code Require ip}
     * @param maxWorkers {@code MaxRequestWorkers}: each open tunnel holds one
     */
    public record Settings(
            List<Integer> allowConnectPorts, List<String> allowFrom, boolean via, int maxWorkers) {
        public static Settings referenceScenario(List<Integer> ports) {
            return new Settings(ports, List.of("127.0.0.1"), true, 150);
        }
    }

    private ApacheForwardProxy(PeerProcess process) {
        super(process);
    }

    /** Whether Debian's apache2 with mod_proxy_connect is installed here. */
    public static boolean available() {
        return Files.isExecutable(HTTPD) && Files.exists(MODULES.resolve("mod_proxy_connect.so"));
    }

    public static ApacheForwardProxy start(Settings settings)
            throws IOException, InterruptedException {
        return start(settings, List.of());
    }

    /**
     * @param launchPrefix programs that exec Apache with its process id kept, e.g. {@code taskset
     *     -c 1} (its forked children inherit what they set); empty for none
     */
    public static ApacheForwardProxy start(Settings settings, List<String> launchPrefix)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(
                    "Apache httpd is not installed (apt-get install apache2)");
        }
        int port = freePort();
        Path dir = Files.createTempDirectory("realmgate-apache-");
        boolean root = "root".equals(System.getProperty("user.name"));
        // Apache 2.4's CONNECT holds a worker thread for a tunnel's whole life, so the worker count
        // is the
        // tunnel count. Small pools (tests, the reference scenario) are 25-thread children, all
        // started
        // at once. A pool sized for thousands of tunnels uses 250-thread children and starts with
        // two:
        // Apache forks more as tunnels arrive (MinSpareThreads) and never reaps them while they are
        // idle (MaxSpareThreads = the whole pool), so its memory grows with the tunnels it holds,
        // as a
        // production Apache sized this way would.
        boolean large = settings.maxWorkers() > 1000;
        int threads = large ? 250 : 25;
        int servers = Math.max(2, (settings.maxWorkers() + threads - 1) / threads);
        int startServers = large ? 2 : servers;
        String conf =
                String.join(
                        "\n",
                        "ServerRoot \"" + dir + "\"",
                        "ServerName localhost",
                        "Listen 127.0.0.1:" + port,
                        "PidFile \"" + dir.resolve("httpd.pid") + "\"",
                        "ErrorLog \"" + dir.resolve("error.log") + "\"",
                        "LogLevel warn",
                        "Mutex file:" + dir + " default",
                        "DefaultRuntimeDir \"" + dir + "\"",
                        "LoadModule mpm_event_module " + MODULES.resolve("mod_mpm_event.so"),
                        "LoadModule authz_core_module " + MODULES.resolve("mod_authz_core.so"),
                        "LoadModule authz_host_module " + MODULES.resolve("mod_authz_host.so"),
                        "LoadModule proxy_module " + MODULES.resolve("mod_proxy.so"),
                        "LoadModule proxy_connect_module "
                                + MODULES.resolve("mod_proxy_connect.so"),
                        "LoadModule proxy_http_module " + MODULES.resolve("mod_proxy_http.so"),
                        root ? "User nobody\nGroup nogroup" : "",
                        "ServerLimit " + servers,
                        "StartServers " + startServers,
                        "ThreadsPerChild " + threads,
                        "ThreadLimit " + threads,
                        "MaxRequestWorkers " + servers * threads,
                        "MinSpareThreads " + threads,
                        "MaxSpareThreads " + servers * threads,
                        "MaxConnectionsPerChild 0",
                        "KeepAlive On",
                        "Timeout 60",
                        "ProxyRequests On",
                        "ProxyVia " + (settings.via() ? "On" : "Off"),
                        "AllowCONNECT "
                                + settings.allowConnectPorts().stream()
                                        .map(String::valueOf)
                                        .collect(Collectors.joining(" ")),
                        "<Proxy *>",
                        "  Require ip " + String.join(" ", settings.allowFrom()),
                        "</Proxy>",
                        "");
        Path confFile = dir.resolve("httpd.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return new ApacheForwardProxy(
                PeerProcess.start(
                        "apache2",
                        launchPrefix,
                        List.of(HTTPD.toString(), "-f", confFile.toString(), "-DFOREGROUND"),
                        dir,
                        port,
                        List.of("stdout.log", "error.log"),
                        Duration.ofSeconds(15)));
    }

    @Override
    public String name() {
        return "apache";
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
