package io.realmgate.tests.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Apache httpd from Debian as a forward proxy, configured like the reference scenario:
 * {@code ProxyRequests On}, {@code ProxyVia On}, {@code AllowCONNECT PORTS}, clients limited to the
 * given addresses. It runs in the foreground from a private directory and is stopped on close.
 */
public final class ApacheForwardProxy implements ForwardProxyPeer {
    public static final Path HTTPD = Path.of("/usr/sbin/apache2");
    public static final Path MODULES = Path.of("/usr/lib/apache2/modules");

    /**
     * @param allowConnectPorts  ports for {@code AllowCONNECT}
     * @param allowFrom          client addresses or CIDRs for {@code Require ip}
     * @param maxWorkers         {@code MaxRequestWorkers}: each open tunnel holds one
     */
    public record Settings(List<Integer> allowConnectPorts, List<String> allowFrom, boolean via, int maxWorkers) {
        public static Settings referenceScenario(List<Integer> ports) {
            return new Settings(ports, List.of("127.0.0.1"), true, 150);
        }
    }

    private final Path dir;
    private final Process process;
    private final int port;

    private ApacheForwardProxy(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Whether Debian's apache2 with mod_proxy_connect is installed here. */
    public static boolean available() {
        return Files.isExecutable(HTTPD) && Files.exists(MODULES.resolve("mod_proxy_connect.so"));
    }

    public static ApacheForwardProxy start(Settings settings) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("Apache httpd is not installed (apt-get install apache2)");
        }
        int port = freePort();
        Path dir = Files.createTempDirectory("realmgate-apache-");
        boolean root = "root".equals(System.getProperty("user.name"));
        int threads = 25;
        int servers = Math.max(2, (settings.maxWorkers() + threads - 1) / threads);
        String conf = String.join("\n",
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
                "LoadModule proxy_connect_module " + MODULES.resolve("mod_proxy_connect.so"),
                "LoadModule proxy_http_module " + MODULES.resolve("mod_proxy_http.so"),
                root ? "User nobody\nGroup nogroup" : "",
                "ServerLimit " + servers,
                "StartServers " + servers,
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
                "AllowCONNECT " + settings.allowConnectPorts().stream().map(String::valueOf).collect(Collectors.joining(" ")),
                "<Proxy *>",
                "  Require ip " + String.join(" ", settings.allowFrom()),
                "</Proxy>",
                "");
        Path confFile = dir.resolve("httpd.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(HTTPD.toString(), "-f", confFile.toString(), "-DFOREGROUND")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        ApacheForwardProxy apache = new ApacheForwardProxy(dir, p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = apache.logs();
                apache.close();
                throw new IllegalStateException("apache2 exited with " + p.exitValue() + ":\n" + log);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return apache;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        String log = apache.logs();
        apache.close();
        throw new IllegalStateException("apache2 did not listen on " + port + " within 15 s:\n" + log);
    }

    @Override
    public String name() {
        return "apache";
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The main process id (children are found by parent id for memory measurements). */
    public long pid() {
        return process.pid();
    }

    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("stdout.log", "error.log")) {
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
        // SIGTERM to the parent stops the children too (graceful-stop is SIGWINCH; TERM is immediate).
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
