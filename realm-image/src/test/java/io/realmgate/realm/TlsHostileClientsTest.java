package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.tls.HandshakeOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The wss listener against clients that do not speak TLS properly, with real sockets on loopback:
 * silence and a dribbled ClientHello are cut at {@code --header-timeout}, garbage and plain HTTP
 * are closed at once and quietly, TLS 1.2 client-initiated renegotiation is refused, and each is
 * counted on the admin port's metrics.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsHostileClientsTest {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

    /**
     * Far above the header timeout, far below what a deadline restarted by every byte would allow.
     */
    private static final long CUT_BOUND_MILLIS = 8000;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RunningRealm start(Duration headerTimeout) throws Exception {
        return RunningRealm.start(
                RealmConfig.testing()
                        .wsPort(RealmConfig.OFF)
                        .wssPort(0)
                        .selfSigned(true)
                        .headerTimeout(headerTimeout)
                        .admin("127.0.0.1", 0));
    }

    private String scrape(RunningRealm realm) throws Exception {
        URI uri =
                URI.create(
                        "http://127.0.0.1:" + realm.server().adminAddress().getPort() + "/metrics");
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Waits (bounded) for the admin port's metrics to show {@code series} with {@code value}. */
    private void awaitMetric(RunningRealm realm, String series, long value) throws Exception {
        String line = series + " " + value;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body = scrape(realm);
        while (!body.lines().toList().contains(line) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            body = scrape(realm);
        }
        assertThat(body.lines()).contains(line);
    }

    private static String tlsFailures(String reason) {
        return "realmgate_realm_tls_handshake_failures_total{reason=\"" + reason + "\"}";
    }

    private SSLContext trusting(RunningRealm realm) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("realm", realm.server().developmentCertificate().certificate());
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static Socket raw(RunningRealm realm) throws IOException {
        Socket s = new Socket("127.0.0.1", realm.wss().getPort());
        s.setSoTimeout((int) CUT_BOUND_MILLIS * 2);
        return s;
    }

    /**
     * Everything the server sends until it closes; a reset counts as the close. A read timeout
     * fails the test.
     */
    private static String untilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the realm did not close the connection", e);
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** A real TLS ClientHello, as the JDK's client engine writes it first. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("127.0.0.1", 9443);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    @Test
    void aSilentClientAndADribbledClientHelloAreCutAtTheHeaderTimeout() throws Exception {
        try (RunningRealm realm = start(HEADER_TIMEOUT)) {
            // Connects and sends nothing.
            try (Socket s = raw(realm)) {
                long start = System.nanoTime();
                assertThat(untilClosed(s.getInputStream())).isEmpty();
                long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertThat(took).isBetween(HEADER_TIMEOUT.toMillis() - 100, CUT_BOUND_MILLIS);
            }
            awaitMetric(realm, tlsFailures("timeout"), 1);

            // A real ClientHello, a byte every 100 ms: about 50 s for the whole of it unless it is
            // cut.
            byte[] hello = clientHello();
            assertThat(hello.length).isGreaterThan(100);
            try (Socket s = raw(realm)) {
                long start = System.nanoTime();
                OutputStream out = s.getOutputStream();
                int sent = 0;
                try {
                    for (byte b : hello) {
                        out.write(b);
                        out.flush();
                        sent++;
                        Thread.sleep(100);
                        if (System.nanoTime() - start
                                > TimeUnit.MILLISECONDS.toNanos(CUT_BOUND_MILLIS)) {
                            break;
                        }
                    }
                } catch (IOException cut) {
                    // the realm closed while we were still sending: expected
                }
                assertThat(untilClosed(s.getInputStream())).isEmpty();
                long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertThat(sent).isLessThan(hello.length);
                assertThat(took).isBetween(HEADER_TIMEOUT.toMillis() - 100, CUT_BOUND_MILLIS);
            }
            awaitMetric(realm, tlsFailures("timeout"), 2);
            assertThat(realm.server().metrics().headerTimeouts())
                    .as("no 408 without a TLS session")
                    .isZero();
        }
    }

    @Test
    void theHandshakeAndTheRequestHeadShareOneDeadline() throws Exception {
        Duration timeout = Duration.ofSeconds(3);
        String head =
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
                        + "a".repeat(60)
                        + "\r\n\r\n";
        try (RunningRealm realm = start(timeout);
                SSLSocket s =
                        (SSLSocket)
                                trusting(realm)
                                        .getSocketFactory()
                                        .createSocket("127.0.0.1", realm.wss().getPort())) {
            s.setSoTimeout((int) CUT_BOUND_MILLIS * 2);
            long start = System.nanoTime();
            // Two thirds of the time pass before the hello; the head then takes about 2.3 s (a byte
            // every 20 ms):
            // within a deadline of its own counted from the handshake, past the one counted from
            // the accept.
            Thread.sleep(timeout.toMillis() * 2 / 3);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            try {
                for (byte b : head.getBytes(StandardCharsets.ISO_8859_1)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (IOException cut) {
                // closed after the 408 while we were still sending
            }
            String answer = untilClosed(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis())
                    .isGreaterThan(timeout.toMillis() - 100);
            awaitMetric(
                    realm,
                    "realmgate_realm_http_refusals_total{reason=\"header-timeout\",status=\"408\"}",
                    1);
            assertThat(realm.server().metrics().render()).contains(tlsFailures("timeout") + " 0");
        }
    }

    @Test
    void garbageAndPlainHttpAreClosedAtOnceAndQuietly() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger outcome = (Logger) LoggerFactory.getLogger(HandshakeOutcome.class);
        Level before = outcome.getLevel();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        // A header timeout far longer than the test may wait: a close that comes is not the
        // deadline's.
        try (RunningRealm realm = start(Duration.ofSeconds(60))) {
            root.addAppender(log);
            outcome.setLevel(Level.DEBUG);

            // Random bytes (fixed seed) but for the first, which could otherwise read as an SSLv2
            // hello's length.
            byte[] garbage = new byte[512];
            new Random(0x7157_2026L).nextBytes(garbage);
            garbage[0] = 0x01;
            try (Socket s = raw(realm)) {
                long start = System.nanoTime();
                s.getOutputStream().write(garbage);
                assertThat(untilClosed(s.getInputStream())).as("nothing served").isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis())
                        .isLessThan(CUT_BOUND_MILLIS);
            }
            awaitMetric(realm, tlsFailures("not-tls"), 1);

            // Plain HTTP to the TLS port: a short 400 in clear text saying so, then the close.
            try (Socket s = raw(realm)) {
                s.getOutputStream()
                        .write(
                                "GET /realm HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                        .getBytes(StandardCharsets.ISO_8859_1));
                String answer = untilClosed(s.getInputStream());
                assertThat(answer)
                        .startsWith("HTTP/1.1 400 ")
                        .endsWith("\r\n\r\nthis port speaks TLS: use https:// or wss://\n");
            }
            awaitMetric(realm, tlsFailures("not-tls"), 2);

            // A TLS alert record (fatal handshake_failure) where the hello should be: a failure of
            // the handshake.
            try (Socket s = raw(realm)) {
                s.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});
                assertThat(
                                untilClosed(s.getInputStream())
                                        .getBytes(StandardCharsets.ISO_8859_1)
                                        .length)
                        .as("at most an alert")
                        .isLessThan(16);
            }
            awaitMetric(realm, "realmgate_realm_tls_handshake_failures_total{reason=\"other\"}", 1);

            // A client that connects and leaves.
            raw(realm).close();
            awaitMetric(realm, tlsFailures("closed"), 1);

            // The realm still serves wss.
            try (RealmClient client =
                    RealmClient.builder(realm.wssUri())
                            .trust(realm.server().developmentCertificate().certificate())
                            .noReconnect()
                            .build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                client.publish("after-garbage", "1").get(10, TimeUnit.SECONDS);
            }
        } finally {
            root.detachAppender(log);
            outcome.setLevel(before);
        }
        List<ILoggingEvent> events = List.copyOf(log.list);
        assertThat(events).as("no stack trace").noneMatch(e -> e.getThrowableProxy() != null);
        assertThat(events)
                .as("nothing louder than INFO")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
        List<ILoggingEvent> refusals =
                events.stream()
                        .filter(e -> e.getLoggerName().equals(HandshakeOutcome.class.getName()))
                        .toList();
        assertThat(refusals).as("one line per refused connection").hasSize(4);
        assertThat(refusals).allMatch(e -> e.getLevel() == Level.DEBUG);
        assertThat(refusals)
                .as("the client's bytes are not logged")
                .noneMatch(e -> e.getFormattedMessage().contains("474554")); // "GET" in hex
    }

    /**
     * Whether the server answered a request on the socket (true) or refused with an alert or a
     * close (false).
     */
    private static boolean answers(SSLSocket s) {
        try {
            s.getOutputStream()
                    .write(
                            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String status = HttpLines.line(s.getInputStream());
            assertThat(status).startsWith("HTTP/1.1 200");
            for (String h = HttpLines.line(s.getInputStream());
                    !h.isEmpty();
                    h = HttpLines.line(s.getInputStream())) {
                // headers, up to the blank line
            }
            byte[] body = new byte[3];
            int n = 0;
            while (n < body.length) {
                int r = s.getInputStream().read(body, n, body.length - n);
                if (r < 0) {
                    return false;
                }
                n += r;
            }
            assertThat(new String(body, StandardCharsets.US_ASCII)).isEqualTo("ok\n");
            return true;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("neither an answer nor a refusal", e);
        } catch (IOException refused) {
            return false; // javax.net.ssl.SSLException (the alert), a reset, or EOF
        }
    }

    @Test
    void tls12ClientInitiatedRenegotiationIsRefusedWhileOthersAreServed() throws Exception {
        try (RunningRealm realm = start(Duration.ofSeconds(10));
                RealmClient control =
                        RealmClient.builder(realm.wssUri())
                                .trust(realm.server().developmentCertificate().certificate())
                                .noReconnect()
                                .build()) {
            control.connect().get(10, TimeUnit.SECONDS);
            Inbox inbox = new Inbox();
            control.subscribe("control", inbox).get(10, TimeUnit.SECONDS);

            try (SSLSocket s =
                    (SSLSocket)
                            trusting(realm)
                                    .getSocketFactory()
                                    .createSocket("127.0.0.1", realm.wss().getPort())) {
                s.setSoTimeout(10_000);
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
                assertThat(answers(s)).as("the first exchange").isTrue();

                s.startHandshake(); // on TLS 1.2 a second call renegotiates
                assertThat(answers(s)).as("a request after the renegotiation attempt").isFalse();
            }
            awaitMetric(realm, tlsFailures("renegotiation"), 1);

            // The control connection, and new ones, are served throughout.
            try (RealmClient other =
                    RealmClient.builder(realm.wssUri())
                            .trust(realm.server().developmentCertificate().certificate())
                            .noReconnect()
                            .build()) {
                other.connect().get(10, TimeUnit.SECONDS);
                other.publish("control", "\"still here\"").get(10, TimeUnit.SECONDS);
            }
            assertThat(inbox.next().data()).isEqualTo("\"still here\"");
            assertThat(control.lastCloseCode()).isZero();
        }
    }
}
