package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.tests.peers.CentrifugoPeer;
import io.realmgate.tests.peers.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * One case per hostile input the realm must defeat, on WebSocket, SSE, long-poll, publish and wss,
 * each with the outcome we require, asserted against a realm in this JVM, after which a control
 * client must still be served. The same cases then run against Centrifugo
 * (tests/peers/centrifugo.sh) on its equivalent surface and are recorded, not asserted ("n/a" where
 * it has none); both go to {@code target/realm-hostile-input-comparison.md}, the source of the
 * realm's table in docs/security.md.
 *
 * <p>Outcomes are short texts compared exactly: an HTTP status ("403"), several in order ("200 then
 * 200"), a WebSocket close code ("close 1009"), a protocol answer ("error bad-request",
 * "subscribed"), or "closed" (the connection ended, nothing served). A deadline case adds "after N
 * s" when the answer came later than the realm's own header deadline allows, so a peer with a
 * longer deadline shows it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RealmHostileInputTest {
    static final String ALLOWED_ORIGIN = "https://app.example";
    static final String FOREIGN_ORIGIN = "https://evil.example";
    static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

    /**
     * How much later than the header timeout a close still counts as in time (a loaded machine).
     */
    static final long SLACK_MILLIS = 2500;

    static final int MAX_MESSAGE = 8192;
    static final int REPLAY_RATE = 20;
    static final String BEYOND_64_BITS = "18446744073709551616";

    /**
     * @param name what the attacker does
     * @param required the realm's required outcome
     * @param surface the transport, for the table
     */
    record Case(String name, String surface, String required, Probe probe) {}

    @FunctionalInterface
    interface Probe {
        /** The outcome on this server, or null when it has no such surface. */
        String run(Server server) throws Exception;
    }

    static final Map<String, Map<String, String>> results = new LinkedHashMap<>();
    static Path certDir;
    static RunningRealm realm;
    static RealmClient control;
    static Inbox controlInbox;

    // ---------------------------------------------------------------------------------------------
    // The servers: what a case needs to know to aim the same input at the realm or at Centrifugo.

    /** One server under test, by its surfaces. */
    interface Server {
        String name();

        InetSocketAddress plain();

        InetSocketAddress tls();

        String wsPath();

        String healthPath();

        /** The event stream's request target, resuming after {@code from} (null: live only). */
        String streamTarget(String channel, String from);

        /**
         * The long-poll's request target (answering at once), or null when the server has no
         * long-poll.
         */
        String pollTarget(String channel, String from);

        String publishPath();

        /** A WebSocket message subscribing to {@code channel} from {@code from} (null: live). */
        String subscribe(int id, String channel, String from);

        String publish(int id, String channel, String dataJson);

        /**
         * Sends what a client sends right after the upgrade (nothing on the realm) and reads its
         * answer.
         */
        void hello(RawWebSocket ws) throws IOException;

        /**
         * Starts another server of the same kind that accepts at most {@code total} client
         * connections.
         */
        Server withConnectionCap(int total) throws Exception;

        /**
         * Whether the slow-consumer flood may stop: the realm counted the drop; for a peer, enough
         * was sent.
         */
        boolean floodDone(int sent);

        /** Stops what {@link #withConnectionCap} started. */
        default void stop() {}
    }

    static final class RealmServer implements Server {
        final RunningRealm r;

        RealmServer(RunningRealm r) {
            this.r = r;
        }

        @Override
        public String name() {
            return "realmgate";
        }

        @Override
        public InetSocketAddress plain() {
            return r.ws();
        }

        @Override
        public InetSocketAddress tls() {
            return r.wss();
        }

        @Override
        public String wsPath() {
            return "/realm";
        }

        @Override
        public String healthPath() {
            return "/healthz";
        }

        @Override
        public String publishPath() {
            return "/publish";
        }

        @Override
        public String streamTarget(String channel, String from) {
            return "/stream?sub=" + channel + (from == null ? "" : ":" + from);
        }

        @Override
        public String pollTarget(String channel, String from) {
            return "/poll?sub=" + channel + (from == null ? "" : ":" + from) + "&wait=0";
        }

        @Override
        public String subscribe(int id, String channel, String from) {
            return "{\"op\":\"subscribe\",\"channel\":\""
                    + channel
                    + "\""
                    + (from == null ? "" : ",\"from\":" + from)
                    + ",\"ref\":\""
                    + id
                    + "\"}";
        }

        @Override
        public String publish(int id, String channel, String dataJson) {
            return "{\"op\":\"publish\",\"channel\":\""
                    + channel
                    + "\",\"data\":"
                    + dataJson
                    + ",\"ref\":\""
                    + id
                    + "\"}";
        }

        @Override
        public void hello(RawWebSocket ws) {}

        @Override
        public Server withConnectionCap(int total) throws Exception {
            return new RealmServer(RunningRealm.start(RealmConfig.testing().maxConnections(total)));
        }

        @Override
        public boolean floodDone(int sent) {
            return r.server().metrics().slowConsumers() > 0;
        }

        @Override
        public void stop() {
            r.close();
        }
    }

    static final class CentrifugoServer implements Server {
        final CentrifugoPeer plain;
        final CentrifugoPeer tls;

        CentrifugoServer(CentrifugoPeer plain, CentrifugoPeer tls) {
            this.plain = plain;
            this.tls = tls;
        }

        static CentrifugoPeer.Settings settings(boolean tls, int connectionLimit) {
            return new CentrifugoPeer.Settings(
                    ALLOWED_ORIGIN, 100, MAX_MESSAGE, tls, connectionLimit);
        }

        @Override
        public String name() {
            return "centrifugo";
        }

        @Override
        public InetSocketAddress plain() {
            return new InetSocketAddress("127.0.0.1", plain.port());
        }

        @Override
        public InetSocketAddress tls() {
            return tls == null ? null : new InetSocketAddress("127.0.0.1", tls.port());
        }

        @Override
        public String wsPath() {
            return "/connection/websocket";
        }

        @Override
        public String healthPath() {
            return "/health";
        }

        @Override
        public String publishPath() {
            return "/api/publish";
        }

        /**
         * The unidirectional SSE transport: the connect command (with a subscription to recover) in
         * the URL.
         */
        @Override
        public String streamTarget(String channel, String from) {
            String connect =
                    from == null
                            ? "{}"
                            : "{\"subs\":{\""
                                    + channel
                                    + "\":{\"recover\":true,\"offset\":"
                                    + from
                                    + ",\"epoch\":\"e\"}}}";
            return "/connection/uni_sse?cf_connect="
                    + URLEncoder.encode(connect, StandardCharsets.UTF_8);
        }

        @Override
        public String pollTarget(String channel, String from) {
            return null;
        }

        /** A channel's history epoch, once learned: recovery replays only with the right one. */
        final Map<String, String> epochs = new ConcurrentHashMap<>();

        @Override
        public String subscribe(int id, String channel, String from) {
            return "{\"id\":"
                    + id
                    + ",\"subscribe\":{\"channel\":\""
                    + channel
                    + "\""
                    + (from == null
                            ? ""
                            : ",\"recover\":true,\"offset\":"
                                    + from
                                    + ",\"epoch\":\""
                                    + epochs.getOrDefault(channel, "e")
                                    + "\"")
                    + "}}";
        }

        /** Asks the server API for the channel's history epoch. */
        void learnEpoch(String channel) throws IOException {
            String body = "{\"channel\":\"" + channel + "\",\"limit\":0}";
            try (Socket sock = connect(plain(), null)) {
                sock.getOutputStream()
                        .write(
                                ("POST /api/history HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                                + "Content-Type: application/json\r\nContent-Length: "
                                                + body.length()
                                                + "\r\n\r\n"
                                                + body)
                                        .getBytes(StandardCharsets.US_ASCII));
                Matcher m =
                        Pattern.compile("\"epoch\":\"([^\"]+)\"")
                                .matcher(StrictHandshakeTest.readAll(sock.getInputStream()).text());
                if (m.find()) {
                    epochs.put(channel, m.group(1));
                }
            }
        }

        @Override
        public String publish(int id, String channel, String dataJson) {
            return "{\"id\":"
                    + id
                    + ",\"publish\":{\"channel\":\""
                    + channel
                    + "\",\"data\":"
                    + dataJson
                    + "}}";
        }

        @Override
        public void hello(RawWebSocket ws) throws IOException {
            ws.sendText("{\"id\":1,\"connect\":{}}");
            String answer = reply(ws);
            if (!answer.equals("connected")) {
                throw new IOException("connect refused: " + answer);
            }
        }

        @Override
        public Server withConnectionCap(int total) throws Exception {
            return new CentrifugoServer(CentrifugoPeer.start(settings(false, total)), null);
        }

        @Override
        public boolean floodDone(int sent) {
            return sent
                    >= 1500; // 6 MB of events, over its 1 MiB default client queue and the socket
            // buffers
        }

        @Override
        public void stop() {
            plain.close();
            if (tls != null) {
                tls.close();
            }
        }
    }

    static RealmServer realmServer;

    // ---------------------------------------------------------------------------------------------
    // The cases.

    static final String GOOD_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    static String upgradeRequest(
            Server s, String connection, String version, String key, String origin) {
        StringBuilder r =
                new StringBuilder(
                        "GET "
                                + s.wsPath()
                                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                                + s.plain().getPort()
                                + "\r\nUpgrade: websocket\r\n");
        if (connection != null) {
            r.append("Connection: ").append(connection).append("\r\n");
        }
        r.append("Sec-WebSocket-Version: ").append(version).append("\r\n");
        if (key != null) {
            r.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
        }
        if (origin != null) {
            r.append("Origin: ").append(origin).append("\r\n");
        }
        return r.append("\r\n").toString();
    }

    static String get(Server s, String target, String origin) {
        return "GET "
                + target
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + s.plain().getPort()
                + "\r\nConnection: close\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "\r\n";
    }

    static String publishRequest(
            Server s, String origin, String contentType, String extraHeaders, String body) {
        return "POST "
                + s.publishPath()
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + s.plain().getPort()
                + "\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + (extraHeaders == null
                        ? "Content-Length: " + body.length() + "\r\n"
                        : extraHeaders)
                + "\r\n"
                + body;
    }

    static String publishBody(String channel) {
        return "{\"channel\":\"" + channel + "\",\"data\":{\"n\":1}}";
    }

    static final List<Case> CASES =
            List.of(
                    // WebSocket handshake
                    new Case(
                            "handshake with an empty Sec-WebSocket-Key",
                            "WebSocket",
                            "400",
                            s -> status(s, upgradeRequest(s, "Upgrade", "13", "", null))),
                    new Case(
                            "handshake with a Sec-WebSocket-Key that is not 16 bytes of base64",
                            "WebSocket",
                            "400",
                            s ->
                                    status(
                                            s,
                                            upgradeRequest(
                                                    s, "Upgrade", "13", "not base64!", null))),
                    new Case(
                            "handshake with Sec-WebSocket-Version 8",
                            "WebSocket",
                            "426",
                            s -> status(s, upgradeRequest(s, "Upgrade", "8", GOOD_KEY, null))),
                    new Case(
                            "upgrade without Connection: Upgrade",
                            "WebSocket",
                            "400",
                            s -> status(s, upgradeRequest(s, "keep-alive", "13", GOOD_KEY, null))),
                    new Case(
                            "foreign Origin on the WebSocket upgrade",
                            "WebSocket",
                            "403",
                            s ->
                                    status(
                                            s,
                                            upgradeRequest(
                                                    s, "Upgrade", "13", GOOD_KEY, FOREIGN_ORIGIN))),
                    new Case(
                            "the allowed Origin on the WebSocket upgrade",
                            "WebSocket",
                            "101",
                            s ->
                                    status(
                                            s,
                                            upgradeRequest(
                                                    s, "Upgrade", "13", GOOD_KEY, ALLOWED_ORIGIN))),
                    // WebSocket frames
                    new Case(
                            "text frame larger than the message limit",
                            "WebSocket",
                            "close 1009",
                            s ->
                                    frames(
                                            s,
                                            RawWebSocket.encode(
                                                    RawWebSocket.TEXT,
                                                    true,
                                                    true,
                                                    new byte[MAX_MESSAGE + 1]))),
                    new Case(
                            "JSON nested 1000 deep",
                            "WebSocket",
                            "error bad-json",
                            s ->
                                    message(
                                            s,
                                            s.publish(
                                                    2,
                                                    "deep",
                                                    "[".repeat(1000) + "]".repeat(1000)))),
                    new Case(
                            "text frame that is not UTF-8",
                            "WebSocket",
                            "close 1007",
                            s ->
                                    frames(
                                            s,
                                            RawWebSocket.encode(
                                                    RawWebSocket.TEXT,
                                                    true,
                                                    true,
                                                    new byte[] {'"', (byte) 0xc3, 0x28, '"'}))),
                    new Case(
                            "unmasked client frame",
                            "WebSocket",
                            "close 1002",
                            s ->
                                    frames(
                                            s,
                                            RawWebSocket.encode(
                                                    RawWebSocket.TEXT,
                                                    true,
                                                    false,
                                                    "{}".getBytes(StandardCharsets.UTF_8)))),
                    new Case(
                            "reserved opcode 0x3",
                            "WebSocket",
                            "close 1002",
                            s -> frames(s, RawWebSocket.encode(3, true, true, new byte[] {1}))),
                    new Case(
                            "RSV1 bit set without an extension",
                            "WebSocket",
                            "close 1002",
                            s -> {
                                byte[] f =
                                        RawWebSocket.encode(
                                                RawWebSocket.TEXT,
                                                true,
                                                true,
                                                "{}".getBytes(StandardCharsets.UTF_8));
                                f[0] |= 0x40;
                                return frames(s, f);
                            }),
                    new Case(
                            "fragmented ping (control frame without FIN)",
                            "WebSocket",
                            "close 1002",
                            s ->
                                    frames(
                                            s,
                                            RawWebSocket.encode(
                                                    RawWebSocket.PING,
                                                    false,
                                                    true,
                                                    new byte[] {1}))),
                    new Case(
                            "close frame with the invalid code 999",
                            "WebSocket",
                            "close 1002",
                            s ->
                                    frames(
                                            s,
                                            RawWebSocket.encode(
                                                    RawWebSocket.CLOSE,
                                                    true,
                                                    true,
                                                    new byte[] {0x03, (byte) 0xe7}))),
                    new Case(
                            "subscribe from 2^64",
                            "WebSocket",
                            "error bad-request",
                            s -> message(s, s.subscribe(2, "from-range", BEYOND_64_BITS))),
                    new Case(
                            "replays beyond --replay-rate (30 events from 0, twice, at 20/s)",
                            "WebSocket",
                            "error replay-rate",
                            RealmHostileInputTest::replayFlood),
                    new Case(
                            "slow consumer: subscribes, then reads nothing",
                            "WebSocket",
                            "close 4008",
                            RealmHostileInputTest::slowConsumer),
                    // SSE
                    new Case(
                            "foreign Origin on the event stream",
                            "SSE",
                            "403",
                            s -> status(s, get(s, s.streamTarget("origin", null), FOREIGN_ORIGIN))),
                    new Case(
                            "event stream resuming from 2^64",
                            "SSE",
                            "400",
                            s ->
                                    status(
                                            s,
                                            get(
                                                    s,
                                                    s.streamTarget("from-range", BEYOND_64_BITS),
                                                    null))),
                    new Case(
                            "HEAD on the event stream, a request pipelined behind it",
                            "SSE",
                            "200 then 200",
                            s -> {
                                String head =
                                        get(s, s.streamTarget("head", null), null)
                                                .replaceFirst("GET", "HEAD")
                                                .replace("Connection: close\r\n", "");
                                return statuses(s, head + get(s, s.healthPath(), null), 3000);
                            }),
                    // long-poll
                    new Case(
                            "foreign Origin on the long-poll",
                            "long-poll",
                            "403",
                            s ->
                                    s.pollTarget("origin", null) == null
                                            ? null
                                            : status(
                                                    s,
                                                    get(
                                                            s,
                                                            s.pollTarget("origin", null),
                                                            FOREIGN_ORIGIN))),
                    new Case(
                            "long-poll resuming from 2^64",
                            "long-poll",
                            "400",
                            s ->
                                    s.pollTarget("x", null) == null
                                            ? null
                                            : status(
                                                    s,
                                                    get(
                                                            s,
                                                            s.pollTarget(
                                                                    "from-range", BEYOND_64_BITS),
                                                            null))),
                    new Case(
                            "request pipelined behind a held long-poll",
                            "long-poll",
                            "200 then 200",
                            s ->
                                    s.pollTarget("x", null) == null
                                            ? null
                                            : statuses(
                                                    s,
                                                    get(
                                                                            s,
                                                                            s.pollTarget(
                                                                                            "pipe",
                                                                                            null)
                                                                                    .replace(
                                                                                            "wait=0",
                                                                                            "wait=1"),
                                                                            null)
                                                                    .replace(
                                                                            "Connection: close\r\n",
                                                                            "")
                                                            + get(s, s.healthPath(), null),
                                                    6000)),
                    // publish
                    new Case(
                            "foreign Origin on publish",
                            "publish",
                            "403",
                            s ->
                                    status(
                                            s,
                                            publishRequest(
                                                    s,
                                                    FOREIGN_ORIGIN,
                                                    "application/json",
                                                    null,
                                                    publishBody("origin")))),
                    new Case(
                            "publish as text/plain (a cross-site form's type)",
                            "publish",
                            "415",
                            s ->
                                    status(
                                            s,
                                            publishRequest(
                                                    s,
                                                    null,
                                                    "text/plain",
                                                    null,
                                                    publishBody("plain")))),
                    new Case(
                            "publish announcing a 100 MB body",
                            "publish",
                            "413, closed",
                            s ->
                                    statusThenClosed(
                                            s,
                                            publishRequest(
                                                    s,
                                                    null,
                                                    "application/json",
                                                    "Content-Length: 100000000\r\n",
                                                    ""),
                                            5000)),
                    new Case(
                            "Content-Length and Transfer-Encoding together (smuggling)",
                            "publish",
                            "400",
                            s ->
                                    status(
                                            s,
                                            publishRequest(
                                                    s,
                                                    null,
                                                    "application/json",
                                                    "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                                                    "0\r\n\r\n"))),
                    // HTTP in general
                    new Case(
                            "request headers of 40 KB",
                            "HTTP",
                            "431",
                            s ->
                                    status(
                                            s,
                                            "GET "
                                                    + s.healthPath()
                                                    + " HTTP/1.1\r\nHost: x\r\nX-Big: "
                                                    + "b".repeat(40_000)
                                                    + "\r\n\r\n")),
                    new Case(
                            "header slowloris: a header line every 200 ms",
                            "HTTP",
                            "408",
                            s ->
                                    slow(
                                            s.plain(),
                                            null,
                                            ("GET " + s.healthPath() + " HTTP/1.1\r\nHost: x\r\n")
                                                    .getBytes(StandardCharsets.US_ASCII),
                                            i ->
                                                    ("X-Slow-" + i + ": y\r\n")
                                                            .getBytes(StandardCharsets.US_ASCII))),
                    // caps
                    new Case(
                            "connections past the total cap (3), health still answering",
                            "caps",
                            "503, health 200",
                            RealmHostileInputTest::totalCap),
                    new Case(
                            "connections past the per-client cap (2), health still answering",
                            "caps",
                            "503, other address 101, health 200",
                            s -> s instanceof RealmServer ? perClientCap() : null),
                    new Case(
                            "event streams past their caps (1 per address, 2 in total)",
                            "caps",
                            "503 per address, 503 in total",
                            s -> s instanceof RealmServer ? fallbackCaps(false) : null),
                    new Case(
                            "long-polls past their caps (1 per address, 2 in total)",
                            "caps",
                            "503 per address, 503 in total",
                            s -> s instanceof RealmServer ? fallbackCaps(true) : null),
                    // TLS
                    new Case(
                            "TLS: TCP connect, no bytes",
                            "wss",
                            "closed",
                            s -> slow(s.tls(), null, new byte[0], null)),
                    new Case(
                            "TLS: ClientHello dribbled a byte every 200 ms",
                            "wss",
                            "closed",
                            s ->
                                    slow(
                                            s.tls(),
                                            null,
                                            new byte[] {
                                                0x16,
                                                0x03,
                                                0x01,
                                                0x00,
                                                (byte) 0xc8,
                                                0x01,
                                                0x00,
                                                0x00,
                                                (byte) 0xc4
                                            },
                                            i -> new byte[] {(byte) (i < 2 ? 0x03 : i)})),
                    new Case(
                            "TLS: garbage instead of a ClientHello",
                            "wss",
                            "closed",
                            s -> {
                                byte[] garbage = new byte[256];
                                new Random(19).nextBytes(garbage);
                                garbage[0] = 0x00; // not a TLS content type
                                return served(s.tls(), garbage);
                            }),
                    new Case(
                            "TLS: plain HTTP on the wss port",
                            "wss",
                            "400",
                            s ->
                                    served(
                                            s.tls(),
                                            get(s, s.healthPath(), null)
                                                    .getBytes(StandardCharsets.US_ASCII))),
                    new Case(
                            "TLS 1.2: client-initiated renegotiation",
                            "wss",
                            "refused",
                            RealmHostileInputTest::renegotiation),
                    new Case(
                            "wss: text frame larger than the message limit",
                            "wss",
                            "close 1009",
                            s -> {
                                try (SSLSocket t = tlsSocket(s.tls(), null)) {
                                    return tlsFrames(
                                            s,
                                            t,
                                            RawWebSocket.encode(
                                                    RawWebSocket.TEXT,
                                                    true,
                                                    true,
                                                    new byte[MAX_MESSAGE + 1]));
                                }
                            }));

    // ---------------------------------------------------------------------------------------------
    // Lifecycle.

    @BeforeAll
    static void start() throws Exception {
        certDir = Files.createTempDirectory("realm-hostile");
        Path cert = certDir.resolve("tls.crt");
        Path key = certDir.resolve("tls.key");
        Files.writeString(cert, TestCertificates.get().server().getCertificatePEM());
        Files.writeString(key, TestCertificates.get().server().getPrivateKeyPEM());
        realm =
                RunningRealm.start(
                        RealmConfig.testing()
                                .wssPort(0)
                                .tls(cert, key)
                                .allowedOrigins(List.of(ALLOWED_ORIGIN))
                                .maxMessageBytes(MAX_MESSAGE)
                                .headerTimeout(HEADER_TIMEOUT)
                                .replayRate(REPLAY_RATE)
                                .retainEvents(100)
                                .retainBytes(1 << 20)
                                .queueEvents(200)
                                .queueBytes(2 << 20));
        realmServer = new RealmServer(realm);
        control = RealmClient.builder(realm.wsUri()).build();
        control.connect().get(10, TimeUnit.SECONDS);
        controlInbox = new Inbox();
        control.subscribe("control", controlInbox).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws IOException {
        if (control != null) {
            control.close();
        }
        if (realm != null) {
            realm.close();
        }
        try (Stream<Path> files = Files.walk(certDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        if (!results.isEmpty()) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "realm-hostile-input-comparison.md"), table());
        }
    }

    @TestFactory
    Stream<DynamicTest> realmgateDefeatsEveryCase() {
        return CASES.stream()
                .map(
                        c ->
                                DynamicTest.dynamicTest(
                                        c.name(),
                                        () -> {
                                            String outcome = outcome(realmServer, c);
                                            record("realmgate", c, outcome);
                                            assertThat(outcome)
                                                    .as(c.name())
                                                    .isEqualTo(c.required());
                                            controlStillServed();
                                        }));
    }

    @Test
    void theSameCasesAgainstCentrifugoAreRecorded() throws Exception {
        if (!CentrifugoPeer.available()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(
                        "CI installs Centrifugo (tests/peers/centrifugo.sh); not found at "
                                + CentrifugoPeer.binary());
            }
            return;
        }
        CentrifugoPeer plain = CentrifugoPeer.start(CentrifugoServer.settings(false, 0));
        CentrifugoPeer tls = null;
        try {
            tls = CentrifugoPeer.start(CentrifugoServer.settings(true, 0));
            CentrifugoServer centrifugo = new CentrifugoServer(plain, tls);
            for (Case c : CASES) {
                record("centrifugo", c, outcome(centrifugo, c));
            }
        } finally {
            plain.close();
            if (tls != null) {
                tls.close();
            }
        }
    }

    static String outcome(Server s, Case c) {
        try {
            String o = c.probe().run(s);
            return o == null ? "n/a" : o;
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    /**
     * The realm still serves: its probe on both listeners, and an event end to end over WebSocket.
     */
    static void controlStillServed() throws Exception {
        assertThat(status(realmServer, get(realmServer, "/healthz", null)))
                .as("health after the case")
                .isEqualTo("200");
        try (SSLSocket t = tlsSocket(realm.wss(), null)) {
            t.getOutputStream()
                    .write(get(realmServer, "/healthz", null).getBytes(StandardCharsets.US_ASCII));
            assertThat(statusLine(t.getInputStream()))
                    .as("health over wss after the case")
                    .isEqualTo("200");
        }
        long id = control.publish("control", "1").get(10, TimeUnit.SECONDS);
        assertThat(controlInbox.next().id()).as("control event after the case").isEqualTo(id);
    }

    static synchronized void record(String server, Case c, String outcome) {
        results.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(server, outcome);
    }

    static String table() {
        StringBuilder sb =
                new StringBuilder(
                        "Recorded "
                                + LocalDate.now(ZoneOffset.UTC)
                                + ", Centrifugo v"
                                + CentrifugoPeer.VERSION
                                + ".\n\n| surface | case | required | realmgate | centrifugo |\n|---|---|---|---|---|\n");
        for (Case c : CASES) {
            Map<String, String> row = results.getOrDefault(c.name(), Map.of());
            sb.append("| ")
                    .append(c.surface())
                    .append(" | ")
                    .append(c.name())
                    .append(" | ")
                    .append(c.required())
                    .append(" | ")
                    .append(row.getOrDefault("realmgate", "-"))
                    .append(" | ")
                    .append(row.getOrDefault("centrifugo", "-"))
                    .append(" |\n");
        }
        return sb.toString().replace("|  |", "| |");
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP on raw sockets.

    static Socket connect(InetSocketAddress to, String from) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        }
        s.setSoTimeout(3000);
        s.connect(to, 3000);
        return s;
    }

    /** The status code of the answer to {@code request}, "closed" or "no answer". */
    static String status(Server s, String request) throws IOException {
        return status(s.plain(), null, request);
    }

    static String status(InetSocketAddress to, String from, String request) throws IOException {
        try (Socket sock = connect(to, from)) {
            try {
                sock.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException closedWhileWriting) {
                // answered and closed before the request was all written: the answer is still
                // readable
            }
            return statusLine(sock.getInputStream());
        }
    }

    static String statusLine(InputStream in) {
        try {
            String line = HttpLines.line(in);
            String[] parts = line.split(" ");
            return parts.length > 1 && parts[0].startsWith("HTTP/")
                    ? parts[1]
                    : "not HTTP: " + abbreviate(line);
        } catch (SocketTimeoutException e) {
            return "no answer";
        } catch (IOException e) {
            return "closed";
        }
    }

    /** The status, then whether the connection ended within {@code millis}. */
    static String statusThenClosed(Server s, String request, int millis) throws IOException {
        long started = System.nanoTime();
        try (Socket sock = connect(s.plain(), null)) {
            sock.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String status = statusLine(sock.getInputStream());
            sock.setSoTimeout(millis);
            StrictHandshakeTest.Answer rest = StrictHandshakeTest.readAll(sock.getInputStream());
            return status
                    + (rest.closed()
                            ? ", closed"
                            : ", open after " + elapsed(started) / 1000 + " s");
        }
    }

    /** The statuses of all answers on one connection, in order, until it closes or goes quiet. */
    static String statuses(Server s, String requests, int millis) throws IOException {
        try (Socket sock = connect(s.plain(), null)) {
            sock.setSoTimeout(millis);
            sock.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            StrictHandshakeTest.Answer a = StrictHandshakeTest.readAll(sock.getInputStream());
            Matcher m = Pattern.compile("HTTP/1\\.[01] (\\d{3})").matcher(a.text());
            List<String> found = new ArrayList<>();
            while (m.find()) {
                found.add(m.group(1));
            }
            return (found.isEmpty() ? "nothing" : String.join(" then ", found))
                    + (a.closed() ? "" : ", held open");
        }
    }

    /**
     * Sends {@code first}, then {@code next.apply(i)} every 200 ms until the server answers or
     * closes, and reports what it did: its status (or "closed"), plus "after N s" when that came
     * later than the realm's header deadline allows; "open after N s" when it did nothing within
     * the observation window.
     */
    static String slow(InetSocketAddress to, String from, byte[] first, IntFunction<byte[]> next)
            throws IOException {
        long limit = HEADER_TIMEOUT.toMillis() + SLACK_MILLIS;
        long window = 13_000; // Centrifugo's (Go net/http's) header deadline is a fixed 10 s
        long started = System.nanoTime();
        try (Socket sock = connect(to, from)) {
            sock.setSoTimeout(200);
            OutputStream out = sock.getOutputStream();
            InputStream in = sock.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = false;
            try {
                out.write(first);
            } catch (IOException e) {
                closed = true;
            }
            int i = 0;
            while (!closed && elapsed(started) < window) {
                try {
                    int b = in.read();
                    if (b < 0) {
                        closed = true;
                    } else {
                        got.write(b);
                    }
                } catch (SocketTimeoutException quiet) {
                    if (next != null && got.size() == 0) {
                        try {
                            out.write(next.apply(i++));
                        } catch (IOException e) {
                            closed = true;
                        }
                    }
                } catch (IOException reset) {
                    closed = true;
                }
            }
            long ms = elapsed(started);
            String what = got.size() == 0 ? "closed" : describe(got.toByteArray());
            if (!closed) {
                return (got.size() == 0 ? "" : what + ", ") + "open after " + ms / 1000 + " s";
            }
            return ms <= limit ? what : what + " after " + Math.round(ms / 1000.0) + " s";
        }
    }

    static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /**
     * Sends {@code bytes} and reports what came back before the server closed: "closed" when
     * nothing.
     */
    static String served(InetSocketAddress to, byte[] bytes) throws IOException {
        try (Socket sock = connect(to, null)) {
            try {
                sock.getOutputStream().write(bytes);
            } catch (IOException e) {
                return "closed";
            }
            StrictHandshakeTest.Answer a = StrictHandshakeTest.readAll(sock.getInputStream());
            byte[] got = a.text().getBytes(StandardCharsets.ISO_8859_1);
            String what = got.length == 0 ? "closed" : describe(got);
            return a.closed() ? what : (got.length == 0 ? "" : what + ", ") + "open after 3 s";
        }
    }

    /** An HTTP status, a TLS alert, or the first bytes. */
    static String describe(byte[] got) {
        String text = new String(got, StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(text);
        if (m.find()) {
            return m.group(1);
        }
        if (got.length >= 7 && got[0] == 0x15) {
            return "TLS alert " + (got[6] & 0xff);
        }
        return got.length + " bytes";
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    // ---------------------------------------------------------------------------------------------
    // WebSocket.

    static RawWebSocket ws(Server s, int receiveBuffer) throws IOException {
        RawWebSocket ws = RawWebSocket.open(s.plain(), s.wsPath(), receiveBuffer);
        try {
            s.hello(ws);
        } catch (IOException e) {
            ws.close();
            throw e;
        }
        return ws;
    }

    /**
     * Sends the bytes of hand-made frames on a fresh WebSocket; reports the server's next answer.
     */
    static String frames(Server s, byte[] frames) throws IOException {
        try (RawWebSocket ws = ws(s, 0)) {
            try {
                ws.sendRaw(frames);
            } catch (IOException e) {
                return "closed";
            }
            return reply(ws);
        }
    }

    /** Sends one protocol message on a fresh WebSocket; reports the server's answer. */
    static String message(Server s, String text) throws IOException {
        try (RawWebSocket ws = ws(s, 0)) {
            ws.sendText(text);
            return reply(ws);
        }
    }

    static final Pattern ERROR_CODE = Pattern.compile("\"code\":\"?([A-Za-z0-9_-]+)");

    /**
     * The server's next answer, pushes and pings skipped: "close N", "error CODE" (the realm's
     * string code, Centrifugo's number), "subscribed", "accepted", "connected", "closed" or "no
     * answer".
     */
    static String reply(RawWebSocket ws) throws IOException {
        for (int frames = 0; frames < 10_000; frames++) {
            RawWebSocket.Frame f;
            try {
                f = ws.read();
            } catch (SocketTimeoutException e) {
                return "no answer";
            } catch (EOFException | SocketException e) {
                return "closed";
            }
            if (f.opcode() == RawWebSocket.CLOSE) {
                return "close " + f.closeCode();
            }
            if (f.opcode() != RawWebSocket.TEXT) {
                continue;
            }
            for (String line : f.text().split("\n")) {
                String l = line.strip();
                if (l.isEmpty()
                        || l.equals("{}")
                        || l.contains("\"op\":\"event\"")
                        || l.startsWith("{\"push\"")) {
                    continue; // pushes, pings
                }
                if (l.contains("\"error\"")) {
                    Matcher m = ERROR_CODE.matcher(l);
                    return "error " + (m.find() ? m.group(1) : abbreviate(l));
                }
                if (l.contains("\"op\":\"subscribed\"") || l.contains("\"subscribe\":")) {
                    // Centrifugo answers a recovery with the publications in the reply and says so.
                    return l.contains("\"recovered\":true")
                            ? "subscribed, history recovered"
                            : "subscribed";
                }
                if (l.contains("\"op\":\"ack\"") || l.contains("\"publish\":")) {
                    return "accepted";
                }
                if (l.contains("\"connect\":")) {
                    return "connected";
                }
                return abbreviate(l);
            }
        }
        return "no answer";
    }

    /** Puts {@code n} events on {@code channel} through a WebSocket of the server. */
    static void fill(Server s, String channel, int n, String data) throws IOException {
        try (RawWebSocket pub = ws(s, 0)) {
            for (int i = 0; i < n; i++) {
                pub.sendText(s.publish(10 + i, channel, data));
                String r = reply(pub);
                if (!r.equals("accepted")) {
                    throw new IOException("publish " + i + " on " + channel + ": " + r);
                }
            }
        }
    }

    static String replayFlood(Server s) throws IOException {
        String a = "replay-a-" + s.name();
        String b = "replay-b-" + s.name();
        fill(s, a, 30, "1");
        fill(s, b, 30, "1");
        if (s instanceof CentrifugoServer c) {
            c.learnEpoch(a);
            c.learnEpoch(b);
        }
        try (RawWebSocket ws = ws(s, 0)) {
            ws.sendText(s.subscribe(2, a, "0"));
            String first = reply(ws);
            if (!first.startsWith("subscribed")) {
                return "first replay: " + first;
            }
            ws.sendText(s.subscribe(3, b, "0"));
            return reply(ws);
        }
    }

    static String slowConsumer(Server s) throws Exception {
        String channel = "firehose-" + s.name();
        String data = "\"" + "x".repeat(4000) + "\"";
        try (RawWebSocket stalled = ws(s, 4096);
                RawWebSocket pub = ws(s, 0)) {
            stalled.sendText(s.subscribe(2, channel, null));
            String subscribed = reply(stalled);
            if (!subscribed.equals("subscribed")) {
                return "subscribe: " + subscribed;
            }
            // From here on the subscriber reads nothing, while events pile up for it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            while (!s.floodDone(sent) && System.nanoTime() < deadline) {
                pub.sendText(s.publish(100 + sent, channel, data));
                String r = reply(pub);
                if (!r.equals("accepted")) {
                    return "publish " + sent + ": " + r;
                }
                sent++;
            }
            // Then it reads what was buffered: a dropped consumer finds a close frame after it.
            stalled.setReadTimeout(5000);
            for (int frames = 0; frames < 100_000; frames++) {
                RawWebSocket.Frame f;
                try {
                    f = stalled.read();
                } catch (SocketTimeoutException e) {
                    return "not dropped (" + sent + " events of 4 KB)";
                } catch (IOException e) {
                    return "closed";
                }
                if (f.opcode() == RawWebSocket.CLOSE) {
                    return "close " + f.closeCode();
                }
            }
            return "not dropped";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Caps.

    static String totalCap(Server s) throws Exception {
        Server capped = s.withConnectionCap(3);
        List<RawWebSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(ws(capped, 0));
            }
            if (capped instanceof RealmServer r) {
                waitFor(() -> r.r.server().limits().open() == 3);
            }
            String over;
            try (RawWebSocket fourth = ws(capped, 0)) {
                over = "101, connected";
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage());
                Matcher status = Pattern.compile("HTTP/1\\.[01] (\\d{3})").matcher(m);
                over =
                        status.find()
                                ? status.group(1)
                                : m.startsWith("connect refused: ") ? m.substring(17) : "closed";
            }
            String health = status(capped.plain(), null, get(capped, capped.healthPath(), null));
            return over + ", health " + health;
        } finally {
            for (RawWebSocket w : held) {
                w.close();
            }
            capped.stop();
        }
    }

    static String perClientCap() throws Exception {
        try (RunningRealm r =
                RunningRealm.start(RealmConfig.testing().maxConnectionsPerClient(2))) {
            RealmServer capped = new RealmServer(r);
            String upgrade = upgradeRequest(capped, "Upgrade", "13", GOOD_KEY, null);
            try (Socket one = connect(r.ws(), "127.0.0.1");
                    Socket two = connect(r.ws(), "127.0.0.1")) {
                one.getOutputStream().write(upgrade.getBytes(StandardCharsets.US_ASCII));
                two.getOutputStream().write(upgrade.getBytes(StandardCharsets.US_ASCII));
                if (!statusLine(one.getInputStream()).equals("101")
                        || !statusLine(two.getInputStream()).equals("101")) {
                    return "the first two were refused";
                }
                String third = status(r.ws(), "127.0.0.1", upgrade);
                String other = status(r.ws(), "127.0.0.2", upgrade);
                String health = status(r.ws(), "127.0.0.1", get(capped, "/healthz", null));
                return third + ", other address " + other + ", health " + health;
            }
        }
    }

    /**
     * Held streams or polls up to the caps (1 per address, 2 in total), then one more from each
     * side.
     */
    static String fallbackCaps(boolean polls) throws Exception {
        RealmConfig.Builder config = RealmConfig.testing();
        config = polls ? config.maxPolls(2, 1) : config.maxStreams(2, 1);
        try (RunningRealm r = RunningRealm.start(config)) {
            RealmServer capped = new RealmServer(r);
            RealmMetrics.Transport transport =
                    polls ? RealmMetrics.Transport.LONGPOLL : RealmMetrics.Transport.STREAM;
            String target = polls ? "/poll?sub=caps&wait=20" : "/stream?sub=caps";
            List<Socket> held = new ArrayList<>();
            try {
                for (String from : new String[] {"127.0.0.1", "127.0.0.2"}) {
                    Socket h = connect(r.ws(), from);
                    held.add(h);
                    h.getOutputStream()
                            .write(get(capped, target, null).getBytes(StandardCharsets.US_ASCII));
                }
                waitFor(() -> r.server().metrics().openConnections(transport) == 2);
                String perAddress =
                        status(
                                r.ws(),
                                "127.0.0.1",
                                get(capped, target.replace("wait=20", "wait=0"), null));
                String total =
                        status(
                                r.ws(),
                                "127.0.0.3",
                                get(capped, target.replace("wait=20", "wait=0"), null));
                return perAddress + " per address, " + total + " in total";
            } finally {
                for (Socket h : held) {
                    h.close();
                }
            }
        }
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // TLS.

    static SSLSocket tlsSocket(InetSocketAddress to, String protocol) throws IOException {
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(
                    null,
                    TestCertificates.get().ca().toTrustManagerFactory().getTrustManagers(),
                    null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        SSLSocket t = (SSLSocket) ctx.getSocketFactory().createSocket();
        t.setSoTimeout(5000);
        t.connect(to, 3000);
        if (protocol != null) {
            t.setEnabledProtocols(new String[] {protocol});
        }
        t.startHandshake();
        return t;
    }

    /**
     * A WebSocket over an established TLS socket: the upgrade, the hello, then the frames; the
     * answer.
     */
    static String tlsFrames(Server s, SSLSocket t, byte[] frames) throws IOException {
        OutputStream out = t.getOutputStream();
        out.write(
                upgradeRequest(s, "Upgrade", "13", GOOD_KEY, null)
                        .getBytes(StandardCharsets.US_ASCII));
        InputStream in = t.getInputStream();
        String status = statusLine(in);
        if (!status.equals("101")) {
            return "upgrade: " + status;
        }
        while (!HttpLines.line(in).isEmpty()) {
            // the rest of the 101's head
        }
        if (s instanceof CentrifugoServer) {
            out.write(
                    RawWebSocket.encode(
                            RawWebSocket.TEXT,
                            true,
                            true,
                            "{\"id\":1,\"connect\":{}}".getBytes(StandardCharsets.UTF_8)));
            readFrame(in); // the connect answer
        }
        out.write(frames);
        out.flush();
        for (int i = 0; i < 100; i++) {
            int[] opcodeAndCode;
            try {
                opcodeAndCode = readFrame(in);
            } catch (SocketTimeoutException e) {
                return "no answer";
            } catch (IOException e) {
                return "closed";
            }
            if (opcodeAndCode[0] == RawWebSocket.CLOSE) {
                return "close " + opcodeAndCode[1];
            }
        }
        return "no close";
    }

    /** One frame off a stream: its opcode and, for a close frame, its code. */
    static int[] readFrame(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int b0 = d.readUnsignedByte();
        long len = d.readUnsignedByte() & 0x7f;
        if (len == 126) {
            len = d.readUnsignedShort();
        } else if (len == 127) {
            len = d.readLong();
        }
        byte[] payload = new byte[(int) len];
        d.readFully(payload);
        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        return new int[] {b0 & 0x0f, code};
    }

    /**
     * TLS 1.2 only, a request answered, then the client starts a second handshake on the same
     * connection and asks again: "refused" when the renegotiation or the request after it fails.
     */
    static String renegotiation(Server s) throws IOException {
        String keepAlive = "GET " + s.healthPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (SSLSocket t = tlsSocket(s.tls(), "TLSv1.2")) {
            t.getOutputStream().write(keepAlive.getBytes(StandardCharsets.US_ASCII));
            InputStream in = t.getInputStream();
            String first = statusLine(in);
            if (!first.equals("200")) {
                return "before renegotiating: " + first;
            }
            int length = 0;
            for (String h = HttpLines.line(in); !h.isEmpty(); h = HttpLines.line(in)) {
                if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            in.readNBytes(length);
            try {
                t.startHandshake();
                t.getOutputStream().write(keepAlive.getBytes(StandardCharsets.US_ASCII));
                String second = statusLine(in);
                return second.equals("200") ? "renegotiated, served" : "refused";
            } catch (IOException e) {
                return "refused";
            }
        } catch (SSLException e) {
            return "no TLS 1.2: " + e.getMessage();
        }
    }
}
