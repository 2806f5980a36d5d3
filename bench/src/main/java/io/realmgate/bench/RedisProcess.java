package io.realmgate.bench;

import io.realmgate.tests.peers.RedisPeer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh, empty Redis ({@code redis-server} from Debian) for one system of the fan-out comparison,
 * on a free loopback port, nothing written to disk, started with the bench's launch prefix like
 * every system under test.
 */
final class RedisProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private RedisProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static boolean available() {
        return RedisPeer.available();
    }

    static RedisProcess start(List<String> prefix) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("realmgate-bench-redis-");
        int port = ChildProcesses.freePort();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(
                List.of(
                        RedisPeer.REDIS_SERVER.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--daemonize",
                        "no"));
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("redis.log").toFile())
                        .start();
        RedisProcess redis = new RedisProcess(p, port, dir);
        try {
            redis.awaitPong();
        } catch (IOException | InterruptedException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    /** Listening is not enough: Redis answers PING once it serves commands. At most 20 s. */
    private void awaitPong() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "redis-server exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                byte[] reply = in.readNBytes(7);
                if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n")) {
                    return;
                }
            } catch (IOException notYet) {
                // not serving yet
            }
            Thread.sleep(50);
        }
        throw new IOException("redis-server did not answer PING within 20 s:\n" + log());
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        ChildProcesses.stop(process);
        ChildProcesses.deleteTree(dir);
    }
}
