package io.realmgate.tests.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis from Debian ({@code redis-server}, 7.0) on a free loopback port, from a private directory,
 * in the foreground. It can be stopped and started again on the same port and directory, with its
 * append-only file if it was made with one (so a restart keeps what was stored) or empty, and
 * flushed; {@link #close()} stops it and removes the directory. No password: it listens on loopback
 * only, for one test.
 */
public final class RedisPeer implements AutoCloseable {
    public static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    private static final Duration START_WAIT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final boolean appendOnly;
    private final String password;
    private final List<String> extraArgs = new java.util.ArrayList<>();
    private Tls tls;
    private Process process;

    /** A TLS listener beside the plain one: its port, PEM certificate chain and key. */
    private record Tls(int port, Path certificate, Path privateKey) {}

    private RedisPeer(Path dir, int port, boolean appendOnly, String password) {
        this.dir = dir;
        this.port = port;
        this.appendOnly = appendOnly;
        this.password = password;
    }

    /**
     * Redis with a TLS listener ({@code rediss://localhost:PORT}, {@link #tlsUrl()}) besides its
     * plain one (which the peer itself uses to see that Redis is up); clients are not asked for a
     * certificate.
     *
     * @param certificate PEM certificate chain of the TLS listener
     * @param privateKey its PEM private key
     */
    public static RedisPeer startTls(Path certificate, Path privateKey)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(
                    "redis-server is not installed (apt-get install redis-server)");
        }
        RedisPeer peer =
                new RedisPeer(
                        Files.createTempDirectory("realmgate-redis-"),
                        ApacheForwardProxy.freePort(),
                        false,
                        null);
        peer.tls = new Tls(ApacheForwardProxy.freePort(), certificate, privateKey);
        try {
            peer.startProcess();
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** {@code rediss://localhost:TLS-PORT}, for a peer started with {@link #startTls}. */
    public String tlsUrl() {
        if (tls == null) {
            throw new IllegalStateException("this Redis has no TLS listener");
        }
        return "rediss://localhost:" + tls.port();
    }

    public static boolean available() {
        return Files.isExecutable(REDIS_SERVER);
    }

    /**
     * @param appendOnly whether Redis writes an append-only file ({@code appendfsync always}), so
     *     that a restart finds every stored event again
     */
    public static RedisPeer start(boolean appendOnly) throws IOException, InterruptedException {
        return start(appendOnly, null);
    }

    /**
     * @param password what {@code requirepass} asks of clients (the default user's password), or
     *     null for none
     */
    public static RedisPeer start(boolean appendOnly, String password)
            throws IOException, InterruptedException {
        return startOn(ApacheForwardProxy.freePort(), appendOnly, password);
    }

    /**
     * On a port chosen beforehand, e.g. one a realm already tries to reach before Redis is there.
     *
     * @param password as in {@link #start(boolean, String)}
     */
    public static RedisPeer startOn(int port, boolean appendOnly, String password)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(
                    "redis-server is not installed (apt-get install redis-server)");
        }
        RedisPeer peer =
                new RedisPeer(
                        Files.createTempDirectory("realmgate-redis-"), port, appendOnly, password);
        try {
            peer.startProcess();
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /**
     * A replica of the Redis on {@code masterPort} (no password, no append-only file), started once
     * it answers; {@code INFO replication} tells when it has caught up.
     */
    public static RedisPeer startReplicaOf(int masterPort)
            throws IOException, InterruptedException {
        RedisPeer peer =
                new RedisPeer(
                        Files.createTempDirectory("realmgate-redis-"),
                        ApacheForwardProxy.freePort(),
                        false,
                        null);
        peer.extraArgs.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
        try {
            peer.startProcess();
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    public int port() {
        return port;
    }

    /** {@code master} or {@code slave}, from {@code INFO replication}. */
    public String role() throws IOException {
        for (String line : info("replication").split("\r\n")) {
            if (line.startsWith("role:")) {
                return line.substring(5);
            }
        }
        return "";
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Stops Redis (SIGTERM: it finishes its append-only file first), keeping its directory. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Starts Redis again on the same port, from what its directory holds. */
    public void restart() throws IOException, InterruptedException {
        stop();
        startProcess();
    }

    /** Stops Redis, removes everything it stored, and starts it again empty. */
    public void restartEmpty() throws IOException, InterruptedException {
        stop();
        try (var files = Files.list(dir)) {
            for (Path f :
                    files.filter(f -> !f.getFileName().toString().equals("redis.log")).toList()) {
                deleteTree(f);
            }
        }
        startProcess();
    }

    /** {@code FLUSHALL}: Redis keeps running but has lost every key. */
    public void flushAll() throws IOException {
        String reply = command("FLUSHALL");
        if (!reply.startsWith("+OK")) {
            throw new IOException("FLUSHALL answered " + reply);
        }
    }

    /** Sends one inline command and returns the first line of the reply. */
    public String command(String inline) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String request = password == null ? inline : "AUTH " + password + "\r\n" + inline;
            out.write((request + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            if (password != null) {
                for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                    // the answer to AUTH
                }
            }
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString().strip();
        }
    }

    /**
     * {@code INFO section}: the whole reply (a bulk string of {@code name:value} lines), e.g.
     * {@code commandstats} for how often each command was called.
     */
    public String info(String section) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            String request =
                    (password == null ? "" : "AUTH " + password + "\r\n") + "INFO " + section;
            s.getOutputStream().write((request + "\r\n").getBytes(StandardCharsets.UTF_8));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            if (password != null) {
                readLine(in); // the answer to AUTH
            }
            String head = readLine(in);
            if (!head.startsWith("$")) {
                throw new IOException("INFO " + section + " answered " + head);
            }
            byte[] body = new byte[Integer.parseInt(head.substring(1))];
            in.readFully(body);
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How often Redis ran {@code command} (lower case), from {@code INFO commandstats}. */
    public long calls(String command) throws IOException {
        for (String line : info("commandstats").split("\r\n")) {
            String head = "cmdstat_" + command + ":calls=";
            if (line.startsWith(head)) {
                return Long.parseLong(line.substring(head.length()).split(",")[0]);
            }
        }
        return 0;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    public String logs() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private void startProcess() throws IOException, InterruptedException {
        List<String> command =
                new java.util.ArrayList<>(
                        List.of(
                                REDIS_SERVER.toString(),
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--dir",
                                dir.toString(),
                                "--save",
                                "",
                                "--appendonly",
                                appendOnly ? "yes" : "no",
                                "--appendfsync",
                                "always",
                                "--daemonize",
                                "no",
                                "--logfile",
                                ""));
        command.addAll(extraArgs);
        if (password != null) {
            command.add("--requirepass");
            command.add(password);
        }
        if (tls != null) {
            command.addAll(
                    List.of(
                            "--tls-port",
                            Integer.toString(tls.port()),
                            "--tls-cert-file",
                            tls.certificate().toString(),
                            "--tls-key-file",
                            tls.privateKey().toString(),
                            "--tls-auth-clients",
                            "no"));
        }
        process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                        .start();
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "redis-server exited with " + process.exitValue() + ":\n" + logs());
            }
            try {
                // Listening is not enough: with an append-only file it answers LOADING first.
                if (command("PING").equals("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        stop();
        throw new IllegalStateException(
                "redis-server did not answer on "
                        + port
                        + " within "
                        + START_WAIT.toSeconds()
                        + " s:\n"
                        + logs());
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            deleteTree(dir);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
