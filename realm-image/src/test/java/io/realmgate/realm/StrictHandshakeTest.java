package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ops.RealmMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RFC 6455 handshake and close, and HTTP/1.1 edges, against hostile requests on a raw socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StrictHandshakeTest {
    private static final String GOOD_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static RunningRealm realm;

    @BeforeAll
    static void start() throws Exception {
        realm = RunningRealm.start(RealmConfig.testing().maxMessageBytes(1024));
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    /** What came back: everything the server sent until it closed or went quiet for a second. */
    record Answer(String text, boolean closed) {
        String statusLine() {
            int eol = text.indexOf("\r\n");
            return eol < 0 ? text : text.substring(0, eol);
        }
    }

    static Answer exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", realm.ws().getPort())) {
            s.setSoTimeout(1000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readAll(s.getInputStream());
        }
    }

    static Answer readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                b.write(buf, 0, n);
            }
            return new Answer(b.toString(StandardCharsets.ISO_8859_1), true);
        } catch (SocketTimeoutException e) {
            return new Answer(b.toString(StandardCharsets.ISO_8859_1), false);
        } catch (IOException e) {
            return new Answer(b.toString(StandardCharsets.ISO_8859_1), true);
        }
    }

    private static String upgrade(String connection, String version, String key) {
        StringBuilder r =
                new StringBuilder(
                        "GET /realm HTTP/1.1\r\nHost: 127.0.0.1:"
                                + realm.ws().getPort()
                                + "\r\n"
                                + "Upgrade: websocket\r\n");
        if (connection != null) {
            r.append("Connection: ").append(connection).append("\r\n");
        }
        if (version != null) {
            r.append("Sec-WebSocket-Version: ").append(version).append("\r\n");
        }
        if (key != null) {
            r.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
        }
        return r.append("\r\n").toString();
    }

    @Test
    void aValidUpgradeStillSucceeds() throws Exception {
        assertThat(exchange(upgrade("keep-alive, Upgrade", "13", GOOD_KEY)).statusLine())
                .startsWith("HTTP/1.1 101");
    }

    @Test
    void anEmptyOrInvalidKeyIs400() throws Exception {
        long before = refusals(RealmMetrics.HttpRefusal.WEBSOCKET_HANDSHAKE);
        for (String key :
                new String[] {
                    "", "not base64!", "c2hvcnQ=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", null
                }) {
            Answer a = exchange(upgrade("Upgrade", "13", key));
            assertThat(a.statusLine()).as("key %s", key).startsWith("HTTP/1.1 400");
            assertThat(a.closed()).isTrue();
        }
        assertThat(refusals(RealmMetrics.HttpRefusal.WEBSOCKET_HANDSHAKE)).isEqualTo(before + 5);
    }

    @Test
    void aVersionOtherThan13Is426NamingVersion13() throws Exception {
        long before = refusals(RealmMetrics.HttpRefusal.WEBSOCKET_VERSION);
        for (String version : new String[] {"8", "7", "14", null}) {
            Answer a = exchange(upgrade("Upgrade", version, GOOD_KEY));
            assertThat(a.statusLine()).as("version %s", version).startsWith("HTTP/1.1 426");
            assertThat(a.text().toLowerCase()).contains("sec-websocket-version: 13");
        }
        assertThat(refusals(RealmMetrics.HttpRefusal.WEBSOCKET_VERSION)).isEqualTo(before + 4);
    }

    @Test
    void anUpgradeWithoutConnectionUpgradeIsAClear400() throws Exception {
        long before = refusals(RealmMetrics.HttpRefusal.WEBSOCKET_HANDSHAKE);
        for (String connection : new String[] {null, "keep-alive"}) {
            Answer a = exchange(upgrade(connection, "13", GOOD_KEY));
            assertThat(a.statusLine()).as("connection %s", connection).startsWith("HTTP/1.1 400");
            assertThat(a.text()).contains("Connection: Upgrade");
        }
        assertThat(refusals(RealmMetrics.HttpRefusal.WEBSOCKET_HANDSHAKE)).isEqualTo(before + 2);
    }

    @Test
    void headOnTheStreamAnswersTheHeadAndNoEndlessStream() throws Exception {
        try (Socket s = new Socket("127.0.0.1", realm.ws().getPort())) {
            s.setSoTimeout(2000);
            s.getOutputStream()
                    .write(
                            ("HEAD /stream?sub=head HTTP/1.1\r\nHost: x\r\n\r\n"
                                            + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
            Answer a = readAll(s.getInputStream());
            assertThat(a.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(a.text()).contains("text/event-stream").doesNotContain("chunked");
            // The connection took the next request: no stream was opened on it.
            assertThat(a.text()).contains("\r\n\r\nHTTP/1.1 200").endsWith("ok\n");
            assertThat(a.closed()).isTrue();
        }
    }

    @Test
    void theConnectionIsClosedAfterA413() throws Exception {
        long before = refusals(RealmMetrics.HttpRefusal.BODY_TOO_LARGE);
        try (Socket s = new Socket("127.0.0.1", realm.ws().getPort())) {
            s.setSoTimeout(2000);
            s.getOutputStream()
                    .write(
                            ("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                            + "Content-Length: 100000000\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
            Answer a = readAll(s.getInputStream());
            assertThat(a.statusLine()).startsWith("HTTP/1.1 413");
            assertThat(a.closed()).as("closed after the 413").isTrue();
        }
        assertThat(refusals(RealmMetrics.HttpRefusal.BODY_TOO_LARGE)).isEqualTo(before + 1);
    }

    private static long refusals(RealmMetrics.HttpRefusal why) {
        return realm.server().metrics().httpRefusals(why);
    }

    @Test
    void anOverLongRequestLineIs414AnOverLargeHeader431AndGarbage400AllCounted() throws Exception {
        long lines = refusals(RealmMetrics.HttpRefusal.REQUEST_LINE_TOO_LONG);
        long headers = refusals(RealmMetrics.HttpRefusal.HEADER_TOO_LARGE);
        long malformed = refusals(RealmMetrics.HttpRefusal.MALFORMED);
        Answer line = exchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(line.statusLine()).startsWith("HTTP/1.1 414");
        assertThat(line.text()).endsWith("request line longer than 8192 bytes\n");
        assertThat(line.closed()).isTrue();
        Answer header =
                exchange(
                        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
                                + "b".repeat(17 * 1024)
                                + "\r\n\r\n");
        assertThat(header.statusLine()).startsWith("HTTP/1.1 431");
        assertThat(header.text()).endsWith("request header larger than 16384 bytes\n");
        assertThat(header.closed()).isTrue();
        Answer garbage = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
        assertThat(garbage.statusLine()).startsWith("HTTP/1.1 400");
        assertThat(refusals(RealmMetrics.HttpRefusal.REQUEST_LINE_TOO_LONG)).isEqualTo(lines + 1);
        assertThat(refusals(RealmMetrics.HttpRefusal.HEADER_TOO_LARGE)).isEqualTo(headers + 1);
        assertThat(refusals(RealmMetrics.HttpRefusal.MALFORMED)).isEqualTo(malformed + 1);
        assertThat(realm.server().metrics().render())
                .contains(
                        "realmgate_realm_http_refusals_total{reason=\"header-too-large\",status=\"431\"} "
                                + (headers + 1));
    }

    @Test
    void aCloseFrameWithAnInvalidCodeIsAnsweredWith1002() throws Exception {
        long before = realm.server().metrics().webSocketRefusals(1002);
        for (int code : new int[] {999, 1005, 1006, 1015, 2999, 5000}) {
            try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
                ws.send(
                        RawWebSocket.CLOSE,
                        true,
                        true,
                        new byte[] {(byte) (code >>> 8), (byte) code});
                RawWebSocket.Frame f = ws.read();
                assertThat(f.opcode()).as("code %d", code).isEqualTo(RawWebSocket.CLOSE);
                assertThat(f.closeCode()).as("code %d", code).isEqualTo(1002);
                assertThat(ws.serverClosedTcp()).isTrue();
            }
        }
        assertThat(realm.server().metrics().webSocketRefusals(1002)).isEqualTo(before + 6);
    }

    @Test
    void aValidCloseIsStillEchoed() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            ws.send(RawWebSocket.CLOSE, true, true, new byte[] {0x03, (byte) 0xe8});
            RawWebSocket.Frame f = ws.read();
            assertThat(f.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1000);
        }
    }
}
