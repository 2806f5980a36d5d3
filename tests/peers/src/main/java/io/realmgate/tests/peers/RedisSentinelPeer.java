package io.realmgate.tests.peers;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/**
 * One Redis Sentinel from Debian's {@code redis-server} ({@code redis-server sentinel.conf
 * --sentinel}) on a free loopback port, watching the master {@link #MASTER} on a given port with a
 * quorum of one. Its config file is in a private directory (Sentinel rewrites it as it learns);
 * {@link #close()} stops it and removes the directory.
 */
public final class RedisSentinelPeer implements AutoCloseable {
    /** The name the sentinel knows the master by (the URL's fragment). */
    public static final String MASTER = "mymaster";

    private static final Duration START_WAIT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final Process process;

    private RedisSentinelPeer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** A sentinel watching the Redis master on {@code 127.0.0.1:masterPort}. */
    public static RedisSentinelPeer watch(int masterPort) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("realmgate-sentinel-");
        int port = ApacheForwardProxy.freePort();
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "port " + port,
                        "bind 127.0.0.1",
                        "daemonize no",
                        "logfile \"\"",
                        "dir " + dir,
                        "sentinel monitor " + MASTER + " 127.0.0.1 " + masterPort + " 1",
                        "sentinel down-after-milliseconds " + MASTER + " 2000",
                        "sentinel failover-timeout " + MASTER + " 20000",
                        "sentinel parallel-syncs " + MASTER + " 1",
                        ""));
        Process p =
                new ProcessBuilder(RedisPeer.REDIS_SERVER.toString(), conf.toString(), "--sentinel")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("sentinel.log").toFile())
                        .start();
        RedisSentinelPeer peer = new RedisSentinelPeer(dir, port, p);
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = peer.logs();
                peer.close();
                throw new IllegalStateException("redis sentinel exited:\n" + log);
            }
            try {
                if (peer.command("SENTINEL get-master-addr-by-name " + MASTER).startsWith("*2")) {
                    return peer;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        String log = peer.logs();
        peer.close();
        throw new IllegalStateException("redis sentinel did not answer within 20 s:\n" + log);
    }

    public int port() {
        return port;
    }

    /** Lettuce's form: {@code redis-sentinel://127.0.0.1:PORT#mymaster}. */
    public String url() {
        return "redis-sentinel://127.0.0.1:" + port + "#" + MASTER;
    }

    /** The port of the master the sentinel names now. */
    public int masterPort() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(
                            ("SENTINEL get-master-addr-by-name " + MASTER + "\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = line(in); // *2
            if (!head.equals("*2")) {
                throw new IOException("the sentinel answered " + head);
            }
            line(in); // $9
            line(in); // 127.0.0.1
            line(in); // $N
            return Integer.parseInt(line(in));
        }
    }

    /** Sends one inline command and returns the first line of the reply. */
    public String command(String inline) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return line(s.getInputStream());
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            b.append((char) c);
        }
        return b.toString().strip();
    }

    public String logs() {
        try {
            return Files.readString(dir.resolve("sentinel.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
