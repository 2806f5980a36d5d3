package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.realmgate.proxy.ops.ProxyMetrics;
import io.realmgate.tests.peers.LeakWatch;
import io.realmgate.tests.peers.ProxyClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forwarded response the origin leaves incomplete reaches the client as an incomplete message,
 * promptly: the client connection is closed with no terminating chunk, counted, and logged. And the
 * other way round: a client that goes away mid-response takes the origin's connection with it.
 *
 * <p>Each origin is a scripted socket on loopback that dies only after the client has received what
 * it sent, so what the client sees does not depend on timing. The waits are bounds, generous for a
 * loaded machine; nothing asserts speed.
 */
@Timeout(90)
class ForwardAbortTest {
    /** How long a client waits for the proxy to close after the origin died. */
    private static final int CLOSE_BOUND_MILLIS = 10_000;

    private static final String SSE_HEAD =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";

    static LeakWatch leaks;
    ScriptedOrigin origin;
    RunningProxy proxy;

    @BeforeAll
    static void watchLeaks() {
        leaks = LeakWatch.install();
    }

    @AfterAll
    static void stopWatching() {
        leaks.uninstall();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        assertThat(leaks.leaks()).isEmpty();
    }

    // ---- the origin dies mid-response ----

    @Test
    void aChunkedStreamCutByTheOriginsCloseClosesTheClientWithoutATerminatingChunk()
            throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        start(
                (s, out) -> {
                    out.write(ascii(SSE_HEAD + chunk("data: 1\n\n") + chunk("data: 2\n\n")));
                    out.flush();
                    awaitOrFail(received);
                    // A clean FIN, with the last chunk never sent.
                });
        try (LogCapture log = LogCapture.of("realmgate.access");
                Socket s = client()) {
            InputStream in = requestStream(s);
            assertThat(readChunk(in)).isEqualTo("data: 1\n\n");
            assertThat(readChunk(in)).isEqualTo("data: 2\n\n");
            received.countDown();
            assertThat(restUntilClosed(in)).as("no terminating chunk, nothing more").isEmpty();
            awaitCount(() -> metrics().forwardsAborted("upstream_closed"), 1);
            List<String> lines = log.awaitLines(1);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .contains("method=GET", "status=200", "down=18")
                    .contains("note=\"upstream closed mid-response after 18 body byte(s)\"");
        }
        assertThat(metrics().forwardsAborted("client_closed")).isZero();
        origin.awaitDone();
    }

    @Test
    void aChunkedStreamCutByTheOriginsResetClosesTheClientWithoutATerminatingChunk()
            throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        start(
                (s, out) -> {
                    out.write(ascii(SSE_HEAD + chunk("data: 1\n\n")));
                    out.flush();
                    awaitOrFail(received);
                    s.setSoLinger(true, 0); // the close sends RST
                });
        try (Socket s = client()) {
            InputStream in = requestStream(s);
            assertThat(readChunk(in)).isEqualTo("data: 1\n\n");
            received.countDown();
            assertThat(restUntilClosed(in)).as("no terminating chunk, nothing more").isEmpty();
        }
        awaitCount(() -> metrics().forwardsAborted("upstream_reset"), 1);
        assertThat(metrics().forwardsAborted("upstream_closed")).isZero();
        origin.awaitDone();
    }

    @Test
    void aContentLengthBodyCutShortClosesTheClientBeforeItsLength() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        start(
                (s, out) -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
                    out.write(new byte[100]);
                    out.flush();
                    awaitOrFail(received);
                });
        try (Socket s = client()) {
            InputStream in = requestStream(s);
            assertThat(in.readNBytes(100)).hasSize(100);
            received.countDown();
            assertThat(restUntilClosed(in)).as("fewer bytes than Content-Length").isEmpty();
        }
        awaitCount(() -> metrics().forwardsAborted("upstream_closed"), 1);
        origin.awaitDone();
    }

    @Test
    void aBodyDelimitedByCloseCutByAResetClosesTheClientWithoutATerminatingChunk()
            throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        start(
                (s, out) -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart-1"));
                    out.flush();
                    awaitOrFail(received);
                    s.setSoLinger(true, 0);
                });
        try (Socket s = client()) {
            InputStream in = requestStream(s);
            assertThat(readChunk(in)).isEqualTo("part-1");
            received.countDown();
            assertThat(restUntilClosed(in))
                    .as("a reset is no end of a body delimited by close")
                    .isEmpty();
        }
        awaitCount(() -> metrics().forwardsAborted("upstream_reset"), 1);
        origin.awaitDone();
    }

    /** The counterpart: at a clean close such a body is complete, and ends cleanly. */
    @Test
    void aBodyDelimitedByCloseEndsCleanlyAtTheOriginsClose() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        start(
                (s, out) -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart-1"));
                    out.flush();
                    awaitOrFail(received);
                });
        try (Socket s = client()) {
            InputStream in = requestStream(s);
            assertThat(readChunk(in)).isEqualTo("part-1");
            received.countDown();
            assertThat(readChunk(in)).as("the terminating chunk").isNull();
            assertThat(readLine(in)).as("the end of the (empty) trailer").isEmpty();
        }
        origin.awaitDone();
        assertThat(metrics().forwardsAborted("upstream_closed")).isZero();
        assertThat(metrics().forwardsAborted("upstream_reset")).isZero();
    }

    @Test
    void anOriginThatClosesWithoutAResponseGets502() throws Exception {
        start((s, out) -> {});
        try (Socket s = client()) {
            ProxyClient.send(s, "GET " + url("/poll") + " HTTP/1.1\r\nHost: x\r\n\r\n");
            ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(502);
            ProxyClient.readBody(s.getInputStream(), head);
            assertThat(restUntilClosed(s.getInputStream())).isEmpty();
        }
        awaitCount(() -> metrics().refusals("upstream_refused"), 1);
        origin.awaitDone();
    }

    // ---- the client goes away mid-response ----

    @Test
    void aClientThatClosesMidStreamTakesTheOriginsConnectionWithIt() throws Exception {
        clientGoesAway(false);
    }

    @Test
    void aClientThatResetsMidStreamTakesTheOriginsConnectionWithIt() throws Exception {
        clientGoesAway(true);
    }

    private void clientGoesAway(boolean reset) throws Exception {
        start(
                (s, out) -> {
                    out.write(ascii(SSE_HEAD));
                    // An endless stream, bounded here: it must end with a write error (the proxy
                    // closed the connection) long before the bound.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int i = 0; i < 3000 && System.nanoTime() < deadline; i++) {
                        try {
                            out.write(ascii(chunk("data: " + i + "\n\n")));
                            out.flush();
                        } catch (IOException closedByTheProxy) {
                            return;
                        }
                        Thread.sleep(10);
                    }
                    throw new AssertionError("the proxy kept the origin's connection open");
                });
        try (Socket s = client()) {
            InputStream in = requestStream(s);
            assertThat(readChunk(in)).isEqualTo("data: 0\n\n");
            if (reset) {
                s.setSoLinger(true, 0);
            }
        }
        origin.awaitDone();
        awaitCount(() -> metrics().forwardsAborted("client_closed"), 1);
        assertThat(metrics().forwardsAborted("upstream_closed")).isZero();
        assertThat(metrics().forwardsAborted("upstream_reset")).isZero();
    }

    // ---- helpers ----

    private void start(OriginScript script) throws Exception {
        origin = new ScriptedOrigin(script);
        proxy = RunningProxy.start("--allow-connect", "127.0.0.1:" + origin.port());
    }

    private ProxyMetrics metrics() {
        return proxy.server().metrics();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    private Socket client() throws IOException {
        return ProxyClient.open(proxy.address(), null, CLOSE_BOUND_MILLIS);
    }

    /** Sends the request and reads the response head: a 200 whose body streams. */
    private InputStream requestStream(Socket s) throws IOException {
        ProxyClient.send(s, "GET " + url("/stream") + " HTTP/1.1\r\nHost: x\r\n\r\n");
        InputStream in = s.getInputStream();
        ProxyClient.Head head = ProxyClient.readHead(in);
        assertThat(head.status()).isEqualTo(200);
        return in;
    }

    /**
     * Everything the client receives until the proxy closes the connection (EOF or reset); fails if
     * it is still open after the bound.
     */
    private static byte[] restUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int r; (r = in.read(buf)) >= 0; ) {
                rest.write(buf, 0, r);
            }
        } catch (SocketTimeoutException e) {
            fail(
                    "the proxy left the client connection open for "
                            + CLOSE_BOUND_MILLIS
                            + " ms; received meanwhile: "
                            + rest.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException reset) {
            // closed, too
        }
        return rest.toByteArray();
    }

    /** One chunk's data, or null for the terminating chunk. */
    private static String readChunk(InputStream in) throws IOException {
        int size = Integer.parseInt(readLine(in).trim(), 16);
        if (size == 0) {
            return null;
        }
        String data = new String(in.readNBytes(size), StandardCharsets.ISO_8859_1);
        assertThat(readLine(in)).isEmpty();
        return data;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 8192; i++) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in the middle of a line: " + line);
            }
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r'
                        ? line.substring(0, end - 1)
                        : line.toString();
            }
            line.append((char) c);
        }
        throw new IOException("line too long");
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void awaitOrFail(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the client never received what the origin sent");
        }
    }

    /** Waits (bounded) for a counter the event loop bumps to reach {@code expected}. */
    private static void awaitCount(LongSupplier counter, long expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.getAsLong() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(counter.getAsLong()).isEqualTo(expected);
    }

    /** What the origin does after reading the request head; closing the socket follows. */
    @FunctionalInterface
    interface OriginScript {
        void run(Socket s, OutputStream out) throws Exception;
    }

    /** An origin on loopback that accepts one connection and runs its script on it. */
    static final class ScriptedOrigin implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        ScriptedOrigin(OriginScript script) throws IOException {
            server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            server.setSoTimeout(30_000);
            thread =
                    new Thread(
                            () -> {
                                try (Socket s = server.accept()) {
                                    s.setSoTimeout(30_000);
                                    readHead(s.getInputStream());
                                    script.run(s, s.getOutputStream());
                                    done.complete(null);
                                } catch (Throwable t) {
                                    done.completeExceptionally(t);
                                }
                            },
                            "scripted-origin");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** Waits (bounded) for the script to end, rethrowing what it failed with. */
        void awaitDone() throws Exception {
            done.get(40, TimeUnit.SECONDS);
        }

        private static void readHead(InputStream in) throws IOException {
            for (int i = 0; i < 100; i++) {
                if (readLine(in).isEmpty()) {
                    return;
                }
            }
            throw new IOException("request head too long");
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(TimeUnit.SECONDS.toMillis(40));
        }
    }
}
