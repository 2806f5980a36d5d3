package io.realmgate.tests.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Centrifugo, the realm's peer in the hostile-input comparison, built from source by {@code
 * tests/peers/centrifugo.sh} into {@code ~/.cache/realmgate/peers/bin/centrifugo}. It runs from a
 * private directory with a generated JSON configuration, configured as the closest equivalent of a
 * realm: anonymous clients (insecure client mode, no JWT) may subscribe and publish on any channel,
 * channels keep a history that a client resubscribing with an offset and epoch recovers ({@code
 * force_recovery}: with {@code allow_recovery} instead, v6.9.1 answered such a request here without
 * recovering anything), one browser origin is allowed, the bidirectional SSE and HTTP-streaming
 * transports (and the emulation endpoint they post to) and the unidirectional SSE transport are on,
 * the server HTTP API takes publishes without a key, and the health endpoint answers. With {@code
 * tls}, the one listener serves HTTPS/WSS with {@link TestCertificates}' localhost certificate.
 */
public final class CentrifugoPeer implements AutoCloseable {
    public static final String VERSION = "6.9.1";

    /**
     * The settings the comparison sizes like the realm's.
     *
     * @param connectionLimit {@code client.connection_limit}, connections the node accepts; 0 for
     *     none
     */
    public record Settings(
            String allowedOrigin,
            int historySize,
            int messageSizeLimit,
            boolean tls,
            int connectionLimit) {}

    private final PeerProcess process;
    private final Settings settings;

    private CentrifugoPeer(PeerProcess process, Settings settings) {
        this.process = process;
        this.settings = settings;
    }

    /**
     * Where tests/peers/centrifugo.sh installs it ({@code REALMGATE_PEERS_DIR} moves the cache, as
     * for the script).
     */
    public static Path binary() {
        String dir = System.getenv("REALMGATE_PEERS_DIR");
        Path base =
                dir != null && !dir.isBlank()
                        ? Path.of(dir)
                        : Path.of(System.getProperty("user.home"), ".cache", "realmgate", "peers");
        return base.resolve("bin").resolve("centrifugo");
    }

    public static boolean available() {
        return Files.isExecutable(binary());
    }

    public static CentrifugoPeer start(Settings settings) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(
                    "Centrifugo is not installed at "
                            + binary()
                            + " (run tests/peers/centrifugo.sh)");
        }
        int port = ApacheForwardProxy.freePort();
        Path dir = Files.createTempDirectory("realmgate-centrifugo-");
        String tls = "";
        if (settings.tls()) {
            TestCertificates certs = TestCertificates.get();
            Path cert = dir.resolve("tls.crt");
            Path key = dir.resolve("tls.key");
            Files.writeString(cert, certs.server().getCertificatePEM(), StandardCharsets.US_ASCII);
            Files.writeString(key, certs.server().getPrivateKeyPEM(), StandardCharsets.US_ASCII);
            tls =
                    ", \"tls\": {\"enabled\": true, \"cert_pem\": "
                            + json(cert.toString())
                            + ", \"key_pem\": "
                            + json(key.toString())
                            + "}";
        }
        String body = settings.messageSizeLimit() + "";
        String conf =
                String.join(
                        "\n",
                        "{",
                        "  \"http_server\": {\"address\": \"127.0.0.1\", \"port\": "
                                + port
                                + tls
                                + "},",
                        "  \"log\": {\"level\": \"info\"},",
                        "  \"usage_stats\": {\"disabled\": true},",
                        "  \"client\": {\"insecure\": true, \"allowed_origins\": ["
                                + json(settings.allowedOrigin())
                                + "]"
                                + (settings.connectionLimit() > 0
                                        ? ", \"connection_limit\": " + settings.connectionLimit()
                                        : "")
                                + "},",
                        "  \"channel\": {\"without_namespace\": {\"history_size\": "
                                + settings.historySize()
                                + ", \"history_ttl\": \"300s\", \"force_recovery\": true}},",
                        "  \"http_api\": {\"insecure\": true},",
                        "  \"websocket\": {\"message_size_limit\": " + body + "},",
                        "  \"sse\": {\"enabled\": true, \"max_request_body_size\": " + body + "},",
                        "  \"http_stream\": {\"enabled\": true, \"max_request_body_size\": "
                                + body
                                + "},",
                        "  \"uni_sse\": {\"enabled\": true, \"max_request_body_size\": "
                                + body
                                + "},",
                        "  \"emulation\": {\"max_request_body_size\": " + body + "},",
                        "  \"health\": {\"enabled\": true}",
                        "}",
                        "");
        Path confFile = dir.resolve("config.json");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return new CentrifugoPeer(
                PeerProcess.start(
                        "centrifugo",
                        List.of(binary().toString(), "--config", confFile.toString()),
                        dir,
                        port,
                        List.of("centrifugo.log"),
                        Duration.ofSeconds(30)),
                settings);
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public int port() {
        return process.port();
    }

    public Settings settings() {
        return settings;
    }

    /** What Centrifugo logged so far. */
    public String logs() {
        return process.logs();
    }

    @Override
    public void close() {
        process.close();
    }
}
