package io.realmgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.realmgate.tests.peers.CentrifugoPeer;
import io.realmgate.tests.peers.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One Centrifugo node (the binary tests/peers/centrifugo.sh builds) for the fan-out comparison,
 * configured as the realm it is compared with runs (see {@link #config}), serving wss with the
 * realm's certificate from the test CA, started with the bench's launch prefix like every system
 * under test.
 */
final class CentrifugoProcess implements AutoCloseable {
    /** The realm's default retention, {@code --retain-events}. */
    static final int HISTORY_SIZE = 1000;

    /** The realm's default {@code --queue-bytes}: what may wait for one connection. */
    static final int QUEUE_BYTES = 8 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path dir;

    private CentrifugoProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static boolean available() {
        return CentrifugoPeer.available();
    }

    /**
     * @param redisUrl the redis engine's Redis ({@code redis://127.0.0.1:PORT}), or null for the
     *     memory engine
     */
    static CentrifugoProcess start(List<String> prefix, String redisUrl)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("realmgate-bench-centrifugo-");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(cert, TestCertificates.get().server().getCertificatePEM());
        Files.writeString(key, TestCertificates.get().server().getPrivateKeyPEM());
        int port = ChildProcesses.freePort();
        Path conf = dir.resolve("config.json");
        Files.writeString(conf, config(port, cert, key, redisUrl), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(CentrifugoPeer.binary().toString(), "--config", conf.toString()));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("centrifugo.log").toFile());
        CentrifugoProcess node = new CentrifugoProcess(pb.start(), port, dir);
        try {
            ChildProcesses.awaitListening(
                    node.process, node.address(), 30, "centrifugo", node::log);
        } catch (IOException | InterruptedException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /**
     * The node's configuration (Centrifugo v6 keys): wss on loopback; anonymous clients may connect
     * without a token, subscribe and publish on channels without a namespace, as on a realm without
     * auth; each channel keeps the last {@value #HISTORY_SIZE} publications, as the realm retains
     * its last 1000 events (a TTL is required with a history; a day, so that within a run only the
     * size limits it, as for the realm); a connection may have {@value #QUEUE_BYTES} bytes waiting,
     * the realm's {@code --queue-bytes}; logs at warn, as the realm's.
     */
    static String config(int port, Path cert, Path key, String redisUrl) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode http =
                root.putObject("http_server").put("address", "127.0.0.1").put("port", port);
        http.putObject("tls")
                .put("enabled", true)
                .put("cert_pem", cert.toString())
                .put("key_pem", key.toString());
        root.putObject("log").put("level", "warn");
        root.putObject("usage_stats").put("disabled", true);
        root.putObject("client")
                .put("allow_anonymous_connect_without_token", true)
                .put("queue_max_size", QUEUE_BYTES);
        root.putObject("channel")
                .putObject("without_namespace")
                .put("history_size", HISTORY_SIZE)
                .put("history_ttl", "24h")
                .put("allow_subscribe_for_client", true)
                .put("allow_subscribe_for_anonymous", true)
                .put("allow_publish_for_client", true)
                .put("allow_publish_for_anonymous", true);
        ObjectNode engine = root.putObject("engine");
        if (redisUrl == null) {
            engine.put("type", "memory");
        } else {
            engine.put("type", "redis");
            engine.putObject("redis").putArray("address").add(redisUrl);
        }
        return root.toPrettyString();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("centrifugo.log"));
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
