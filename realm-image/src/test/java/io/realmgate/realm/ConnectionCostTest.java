package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one open, subscribed client connection costs a realm process, per transport: the heap live
 * after full collections and the direct memory in use, before and after {@value #CONNECTIONS}
 * connections each subscribed to one shared channel, divided by their number. The realm is its own
 * process ({@link ConnectionCostProbe}), so the clients' sockets are not counted; clients are real
 * sockets on loopback. The figure is what the operator sizes {@code limits.maxConnections} with
 * (operator {@code RealmCapacity}, docs/decisions.md "Operator: a realm's connection cap, sized for
 * its memory"): a connection that costs more than {@value #OPERATOR_FIGURE} bytes would make that
 * sizing wrong, and fails here.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConnectionCostTest {
    /** Connections measured per transport: enough that one connection's share is not noise. */
    static final int CONNECTIONS = 400;

    /** Opened and closed first, so that class loading and TLS set-up are in the baseline. */
    static final int WARM_UP = 20;

    /** A connection's state as the operator counts it (RealmCapacity.CONNECTION_STATE_BYTES). */
    static final long OPERATOR_FIGURE = 16 * 1024;

    private static final Pattern PORTS = Pattern.compile("ports (\\d+) (\\d+)");
    private static final Pattern MEMORY = Pattern.compile("memory (\\d+) (\\d+)");
    private static final String CHANNEL = "prices";

    @TempDir Path dir;

    private Process realm;
    private PrintWriter commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private int wsPort;
    private int wssPort;
    private final List<Socket> open = new ArrayList<>();

    @BeforeEach
    void startRealm() throws Exception {
        realm =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                // The realm pod's shape at 512Mi (operator JvmMemory): 40% heap,
                                // 25% direct.
                                "-Xmx204m",
                                "-XX:MaxDirectMemorySize=128m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ConnectionCostProbe.class.getName(),
                                "--bind",
                                "127.0.0.1",
                                "--ws-port",
                                "0",
                                "--wss-port",
                                "0",
                                "--self-signed",
                                "--max-connections-per-client",
                                "10000",
                                "--max-streams-per-client",
                                "5000",
                                "--max-polls-per-client",
                                "5000")
                        .redirectError(dir.resolve("realm.log").toFile())
                        .start();
        commands =
                new PrintWriter(
                        new java.io.OutputStreamWriter(
                                realm.getOutputStream(), StandardCharsets.UTF_8),
                        true);
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    realm.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String l = r.readLine(); l != null; l = r.readLine()) {
                                    lines.add(l);
                                }
                            } catch (IOException ended) {
                                // the process ended
                            }
                        },
                        "realm-output");
        reader.setDaemon(true);
        reader.start();
        Matcher ports = PORTS.matcher(line("ports"));
        assertThat(ports.find()).isTrue();
        wsPort = Integer.parseInt(ports.group(1));
        wssPort = Integer.parseInt(ports.group(2));
    }

    @AfterEach
    void stopRealm() throws Exception {
        closeAll();
        if (realm != null) {
            commands.close(); // stdin closed: the probe stops its realm and exits
            if (!realm.waitFor(20, TimeUnit.SECONDS)) {
                realm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The next line of the probe's output that starts with {@code head}, within 60 s. */
    private String line(String head) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l != null && l.startsWith(head)) {
                return l;
            }
            assertThat(realm.isAlive()).as("the realm process is running").isTrue();
        }
        throw new AssertionError("the realm printed no '" + head + "' line in 60 s");
    }

    /** Heap and direct bytes in use in the realm process. */
    private long[] measure() throws InterruptedException {
        commands.println("measure");
        Matcher m = MEMORY.matcher(line("memory"));
        assertThat(m.find()).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private interface Opener {
        Socket open() throws Exception;
    }

    /**
     * Heap and direct bytes one connection adds: {@value #WARM_UP} opened and closed, then the
     * memory in use before and after {@value #CONNECTIONS} more, each subscribed to the channel.
     */
    private long[] perConnection(String transport, Opener opener) throws Exception {
        for (int i = 0; i < WARM_UP; i++) {
            open.add(opener.open());
        }
        closeAll();
        awaitSubscriptions(0);
        long[] before = measure();
        for (int i = 0; i < CONNECTIONS; i++) {
            open.add(opener.open());
        }
        awaitSubscriptions(CONNECTIONS);
        long[] after = measure();
        long heap = (after[0] - before[0]) / CONNECTIONS;
        long direct = (after[1] - before[1]) / CONNECTIONS;
        // A held connection costs some heap: a figure at or below zero means the measure is broken
        // (the connections were not held, or the collections did not settle), not that they are
        // free.
        assertThat(heap).as(transport + ": heap per connection").isPositive();
        System.out.printf(
                "realm connection cost, %s: %d B heap + %d B direct per connection (%d connections)%n",
                transport, heap, direct, CONNECTIONS);
        return new long[] {heap, direct};
    }

    @Test
    void aSubscribedWssConnection() throws Exception {
        SSLContext tls = trustAnyCertificate();
        long[] cost =
                perConnection(
                        "wss",
                        () -> {
                            SSLSocket s =
                                    (SSLSocket)
                                            tls.getSocketFactory()
                                                    .createSocket(
                                                            plain(wssPort),
                                                            "127.0.0.1",
                                                            wssPort,
                                                            true);
                            s.startHandshake();
                            subscribe(
                                    RawWebSocket.over(
                                            s, new InetSocketAddress("127.0.0.1", wssPort)));
                            return s;
                        });
        assertThat(cost[0] + cost[1]).isLessThanOrEqualTo(OPERATOR_FIGURE);
    }

    @Test
    void aSubscribedWsConnection() throws Exception {
        long[] cost =
                perConnection(
                        "ws",
                        () -> {
                            Socket s = plain(wsPort);
                            subscribe(
                                    RawWebSocket.over(
                                            s, new InetSocketAddress("127.0.0.1", wsPort)));
                            return s;
                        });
        assertThat(cost[0] + cost[1]).isLessThanOrEqualTo(OPERATOR_FIGURE);
    }

    @Test
    void anEventStream() throws Exception {
        long[] cost =
                perConnection(
                        "event stream",
                        () -> {
                            Socket s = plain(wsPort);
                            request(s, "/stream?sub=" + CHANNEL);
                            String head = head(s.getInputStream());
                            assertThat(head).startsWith("HTTP/1.1 200");
                            return s;
                        });
        assertThat(cost[0] + cost[1]).isLessThanOrEqualTo(OPERATOR_FIGURE);
    }

    @Test
    void aWaitingLongPoll() throws Exception {
        long[] cost =
                perConnection(
                        "long-poll",
                        () -> {
                            Socket s = plain(wsPort);
                            // Answered only when 30 s pass or an event comes: held open while
                            // measured.
                            request(s, "/poll?sub=" + CHANNEL + "&wait=30");
                            return s;
                        });
        assertThat(cost[0] + cost[1]).isLessThanOrEqualTo(OPERATOR_FIGURE);
    }

    private static void subscribe(RawWebSocket ws) throws IOException {
        ws.setReadTimeout(30_000);
        ws.sendText("{\"op\":\"subscribe\",\"channel\":\"" + CHANNEL + "\"}");
        assertThat(ws.readText()).contains("\"op\":\"subscribed\"");
    }

    private void request(Socket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(
                ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + wsPort + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** A response head, read byte by byte up to the blank line (at most 8 KiB). */
    private static String head(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() < 8192 && !b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    private static Socket plain(int port) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(30_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    /**
     * Until the realm counts {@code expected} subscriptions (its /metrics gauge), within 60 s: a
     * connection is measured only once the realm holds its subscription.
     */
    private void awaitSubscriptions(int expected) throws Exception {
        Pattern gauge = Pattern.compile("(?m)^realmgate_realm_subscriptions (\\d+)$");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "none";
        while (System.nanoTime() < deadline) {
            try (Socket s = plain(wsPort)) {
                s.getOutputStream()
                        .write(
                                ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                                        .getBytes(StandardCharsets.ISO_8859_1));
                String body = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                Matcher m = gauge.matcher(body);
                last = m.find() ? m.group(1) : "absent";
                if (last.equals(Integer.toString(expected))) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "the realm holds " + last + " subscriptions, not " + expected + ", after 60 s");
    }

    private void closeAll() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        open.clear();
    }

    /** The probe's development certificate, whatever it names: only the cost is under test. */
    private static SSLContext trustAnyCertificate() throws Exception {
        TrustManager trustAny =
                new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trustAny}, null);
        return ctx;
    }
}
