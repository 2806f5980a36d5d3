package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.http.ConnectionLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connection caps and the request-header deadline, with real sockets on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionCapsTest {

    private static Socket connect(RunningRealm realm, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.setSoTimeout(3000);
        s.connect(realm.ws(), 3000);
        return s;
    }

    private static String ask(Socket s, String path) throws IOException {
        s.getOutputStream()
                .write(
                        ("GET "
                                        + path
                                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
        return StrictHandshakeTest.readAll(s.getInputStream()).text();
    }

    private static String upgrade(Socket s) throws IOException {
        s.getOutputStream()
                .write(
                        ("GET /realm HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
        byte[] head = new byte[12];
        int n = 0;
        InputStream in = s.getInputStream();
        while (n < head.length) {
            int r = in.read(head, n, head.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return new String(head, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void pastTheTotalCapClientsGet503WhileProbesAndExistingClientsWork() throws Exception {
        try (RunningRealm realm = RunningRealm.start(RealmConfig.testing().maxConnections(3));
                RawWebSocket a = RawWebSocket.open(realm.ws());
                RawWebSocket b = RawWebSocket.open(realm.ws());
                RawWebSocket c = RawWebSocket.open(realm.ws())) {
            try (Socket over = connect(realm, "127.0.0.1")) {
                assertThat(upgrade(over)).isEqualTo("HTTP/1.1 503");
            }
            try (Socket probe = connect(realm, "127.0.0.1")) {
                assertThat(ask(probe, "/healthz")).startsWith("HTTP/1.1 200").endsWith("ok\n");
            }
            try (Socket scrape = connect(realm, "127.0.0.1")) {
                assertThat(ask(scrape, "/metrics"))
                        .startsWith("HTTP/1.1 200")
                        .contains("realmgate_realm_connections_refused_total{cap=\"total\"} 1")
                        .contains(
                                "realmgate_realm_http_refusals_total{reason=\"connection-cap\",status=\"503\"} 1");
            }
            // The connections already in keep working.
            a.sendText("{\"op\":\"subscribe\",\"channel\":\"capped\"}");
            assertThat(a.readText()).contains("subscribed");
            b.sendText("{\"op\":\"publish\",\"channel\":\"capped\",\"data\":1}");
            assertThat(b.readText()).contains("ack");
            assertThat(a.readText()).contains("\"event\"");

            // Past the cap and its probe reserve: closed before anything is read.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (realm.server().limits().open() > 3 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the refused and probe connections above are closing
            }
            assertThat(realm.server().limits().open()).isEqualTo(3);
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < ConnectionLimits.RESERVE; i++) {
                    held.add(connect(realm, "127.0.0.1"));
                }
                // Accepted connections are counted on their own event loops: wait until all are in,
                // so that the next one, and no other, is the one past the reserve.
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (realm.server().limits().open() < 3 + ConnectionLimits.RESERVE
                        && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(realm.server().limits().open()).isEqualTo(3 + ConnectionLimits.RESERVE);
                long refusedBefore = realm.server().metrics().connectionsRefused();
                try (Socket far = connect(realm, "127.0.0.1")) {
                    assertThat(far.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(realm.server().metrics().connectionsRefused())
                        .isEqualTo(refusedBefore + 1);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void thePerClientCapCountsOneAddress() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(RealmConfig.testing().maxConnectionsPerClient(2));
                Socket one = connect(realm, "127.0.0.1");
                Socket two = connect(realm, "127.0.0.1")) {
            assertThat(upgrade(one)).isEqualTo("HTTP/1.1 101");
            assertThat(upgrade(two)).isEqualTo("HTTP/1.1 101");
            try (Socket three = connect(realm, "127.0.0.1")) {
                assertThat(upgrade(three)).isEqualTo("HTTP/1.1 503");
            }
            try (Socket other = connect(realm, "127.0.0.2")) {
                assertThat(upgrade(other)).isEqualTo("HTTP/1.1 101");
            }
            assertThat(realm.server().metrics().render())
                    .contains("realmgate_realm_connections_refused_total{cap=\"per-client\"} 1");
        }
    }

    /**
     * Sends {@code text} a byte every {@code gapMillis}; returns the millis until the server
     * closed.
     */
    private static long trickle(Socket s, String text, long gapMillis) throws Exception {
        long start = System.nanoTime();
        OutputStream out = s.getOutputStream();
        try {
            for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
                if (s.getInputStream().available() > 0) {
                    break; // answered
                }
                out.write(b);
                out.flush();
                Thread.sleep(gapMillis);
            }
        } catch (IOException closed) {
            // the server gave up on us: expected
        }
        StrictHandshakeTest.Answer a = StrictHandshakeTest.readAll(s.getInputStream());
        assertThat(a.closed()).isTrue();
        assertThat(a.text()).contains("408");
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    @Test
    void aHeaderTrickledAByteAtATimeIsCutAtTheHeaderTimeout() throws Exception {
        try (RunningRealm realm =
                RunningRealm.start(RealmConfig.testing().headerTimeout(Duration.ofMillis(700)))) {
            String slow =
                    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
                            + "a".repeat(60)
                            + "\r\n\r\n";
            try (Socket s = connect(realm, "127.0.0.1")) {
                assertThat(trickle(s, slow, 50)).isLessThan(3000);
            }
            // The same on a keep-alive connection's second request.
            try (Socket s = connect(realm, "127.0.0.1")) {
                s.getOutputStream()
                        .write(
                                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] buf = new byte[4096];
                assertThat(
                                new String(
                                        buf,
                                        0,
                                        s.getInputStream().read(buf),
                                        StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 200");
                Thread.sleep(1000); // idle between requests is not the header's time
                assertThat(trickle(s, slow, 50)).isLessThan(3000);
            }
            assertThat(realm.server().metrics().headerTimeouts()).isEqualTo(2);
            assertThat(realm.server().metrics().render())
                    .contains(
                            "realmgate_realm_http_refusals_total{reason=\"header-timeout\",status=\"408\"} 2");
            // A request that arrives in time is answered.
            try (Socket s = connect(realm, "127.0.0.1")) {
                assertThat(ask(s, "/healthz")).startsWith("HTTP/1.1 200");
            }
        }
    }
}
