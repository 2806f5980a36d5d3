package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.ApacheForwardProxy;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.ForwardProxyPeer;
import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.ProxyClient;
import io.realmgate.tests.peers.SquidForwardProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * One case per hostile input the proxy must defeat, each with the outcome we require. The same
 * cases then run against Apache httpd and Squid (where installed) configured like the reference
 * scenario, and what each did is written to {@code target/hostile-input-comparison.md}, the source
 * of the table in docs/security.md.
 *
 * <p>Targets are all on loopback: {@code allowed} (an HTTP origin whose address is named in our
 * rules, and whose port the peers allow), {@code portOnly} (an HTTP origin allowed to us only by a
 * port-only rule, which must not reach loopback; the peers allow its port) and {@code refused} (an
 * echo server no proxy allows). A case passes only if its status matches and no refused target saw
 * a connection.
 */
@Timeout(180)
class HostileInputTest {
    /**
     * What the proxy did: a status code, or "closed" (no response), or "no answer" within the wait.
     */
    record Outcome(String response, boolean refusedTargetContacted) {
        @Override
        public String toString() {
            return response + (refusedTargetContacted ? ", reached the target" : "");
        }
    }

    /**
     * @param request raw bytes to send, given the three target ports (allowed, portOnly, refused)
     * @param expected our required response: a status code or "closed"
     * @param guarded which target must never be contacted: "refused", "portOnly" or none
     */
    record Case(String name, Request request, String expected, String guarded) {}

    @FunctionalInterface
    interface Request {
        String build(int allowed, int portOnly, int refused);
    }

    static HttpOrigin allowed;
    static HttpOrigin portOnly;
    static EchoServer refused;
    static RunningProxy realmgate;
    static final Map<String, Map<String, Outcome>> results = new LinkedHashMap<>();

    static final List<Case> CASES =
            List.of(
                    new Case(
                            "headers over the size limit",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nX-Big: "
                                            + "b".repeat(40_000)
                                            + "\r\n\r\n",
                            "431",
                            null),
                    new Case(
                            "request line over the limit",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:"
                                            + a
                                            + "/"
                                            + "l".repeat(20_000)
                                            + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "414",
                            null),
                    new Case(
                            "Content-Length and Transfer-Encoding together",
                            (a, p, r) ->
                                    "POST http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "duplicate differing Content-Length",
                            (a, p, r) ->
                                    "POST http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
                            "400",
                            null),
                    new Case(
                            "obsolete line folding",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nX-Folded: one\r\n two\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "bare CR in a header",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\rX-Injected: 1\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "NUL in a header value",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "invalid chunk size",
                            (a, p, r) ->
                                    "POST http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "Transfer-Encoding other than chunked",
                            (a, p, r) ->
                                    "POST http://127.0.0.1:"
                                            + a
                                            + "/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "CONNECT authority with user information",
                            (a, p, r) ->
                                    "CONNECT user@127.0.0.1:" + a + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "CONNECT authority without a port",
                            (a, p, r) -> "CONNECT 127.0.0.1 HTTP/1.1\r\nHost: x\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "CONNECT authority with a bad port",
                            (a, p, r) -> "CONNECT 127.0.0.1:99999 HTTP/1.1\r\nHost: x\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "CONNECT authority percent-encoded",
                            (a, p, r) ->
                                    "CONNECT 127.0.0.%31:" + a + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "CONNECT to an unbracketed IPv6 literal",
                            (a, p, r) -> "CONNECT ::1:" + a + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "400",
                            null),
                    new Case(
                            "CONNECT to a port not allowed, request pipelined behind it",
                            (a, p, r) ->
                                    "CONNECT 127.0.0.1:"
                                            + r
                                            + " HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
                            "403",
                            "refused"),
                    new Case(
                            "absolute-URI request to a port not allowed (open relay)",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:" + r + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
                            "403",
                            "refused"),
                    new Case(
                            "port-only rule: CONNECT to loopback",
                            (a, p, r) -> "CONNECT 127.0.0.1:" + p + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "403",
                            "portOnly"),
                    new Case(
                            "port-only rule: a name that resolves to loopback",
                            (a, p, r) -> "CONNECT localhost:" + p + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "403",
                            "portOnly"),
                    new Case(
                            "port-only rule: IPv4-mapped IPv6 loopback",
                            (a, p, r) ->
                                    "CONNECT [::ffff:127.0.0.1]:"
                                            + p
                                            + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            "403",
                            "portOnly"),
                    new Case(
                            "port-only rule: absolute URI to loopback",
                            (a, p, r) ->
                                    "GET http://127.0.0.1:" + p + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
                            "403",
                            "portOnly"),
                    new Case(
                            "not HTTP at all",
                            (a, p, r) -> "\u0016\u0003\u0001\u0000\u00a5garbage\r\n\r\n",
                            "400",
                            null),
                    new Case("slowloris: a header byte every 200 ms", null, "408", null));

    @BeforeAll
    static void start() throws Exception {
        allowed = new HttpOrigin(0);
        portOnly = new HttpOrigin(0);
        refused = EchoServer.plain(0);
        Path dir = Files.createTempDirectory("hostile");
        Path conf = dir.resolve("proxy.yaml");
        Files.writeString(
                conf,
                "allowConnect: ['127.0.0.1:"
                        + allowed.port()
                        + "', '"
                        + portOnly.port()
                        + "']\n"
                        + "timeouts: {header: 1s}\n");
        realmgate = RunningProxy.start("--config", conf.toString(), "--via");
    }

    @AfterAll
    static void stop() throws IOException {
        realmgate.close();
        allowed.close();
        portOnly.close();
        refused.close();
        if (!results.isEmpty()) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "hostile-input-comparison.md"), table());
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
                                            Outcome o = run(realmgate, c);
                                            record("realmgate", c, o);
                                            assertThat(o.response())
                                                    .as(c.name())
                                                    .isEqualTo(c.expected());
                                            assertThat(o.refusedTargetContacted())
                                                    .as(
                                                            c.name()
                                                                    + ": a refused target was contacted")
                                                    .isFalse();
                                        }));
    }

    @Test
    void theSameCasesAgainstApacheAndSquidAreRecorded() throws Exception {
        List<ForwardProxyPeer> peers = new ArrayList<>();
        List<Integer> ports = List.of(allowed.port(), portOnly.port());
        try {
            if (ApacheForwardProxy.available()) {
                peers.add(
                        ApacheForwardProxy.start(
                                new ApacheForwardProxy.Settings(
                                        ports, List.of("127.0.0.1"), true, 50)));
            }
            if (SquidForwardProxy.available()) {
                peers.add(SquidForwardProxy.start(ports, List.of("127.0.0.1")));
            }
            for (ForwardProxyPeer peer : peers) {
                for (Case c : CASES) {
                    record(peer.name(), c, run(peer, c));
                }
            }
        } finally {
            peers.forEach(ForwardProxyPeer::close);
        }
        if ("true".equals(System.getenv("CI"))) {
            assertThat(peers).as("CI installs apache2 and squid").hasSize(2);
        }
    }

    static synchronized void record(String proxy, Case c, Outcome o) {
        results.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(proxy, o);
    }

    static Outcome run(ForwardProxyPeer proxy, Case c) throws Exception {
        int refusedBefore = refused.accepted();
        drainOrigin(portOnly);
        String response;
        try (Socket s = ProxyClient.open(proxy.address(), null, 3_000)) {
            if (c.request() == null) {
                response = slowloris(s);
            } else {
                try {
                    ProxyClient.send(
                            s, c.request().build(allowed.port(), portOnly.port(), refused.port()));
                } catch (IOException closedEarly) {
                    // the proxy may close while a huge request is still being written
                }
                response = readStatus(s.getInputStream());
            }
        }
        Thread.sleep(50); // let a forwarded request or connection reach a target before counting
        boolean contacted =
                switch (c.guarded() == null ? "" : c.guarded()) {
                    case "refused" -> refused.accepted() > refusedBefore;
                    // A 200 to CONNECT means the proxy connected to it; a forwarded request shows
                    // at the origin.
                    case "portOnly" -> response.equals("200") || !portOnly.receivedNothing();
                    default -> false;
                };
        drainOrigin(allowed);
        drainOrigin(portOnly);
        return new Outcome(response, contacted);
    }

    static String slowloris(Socket s) throws IOException {
        ProxyClient.send(s, "GET http://127.0.0.1:" + allowed.port() + "/ HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 15; i++) { // 3 s at most
            try {
                Thread.sleep(200);
                ProxyClient.send(s, "X-Slow-" + i + ": y\r\n");
            } catch (IOException | InterruptedException closed) {
                break;
            }
            if (s.getInputStream().available() > 0) {
                break;
            }
        }
        return readStatus(s.getInputStream());
    }

    static String readStatus(InputStream in) {
        try {
            return Integer.toString(ProxyClient.readHead(in).status());
        } catch (SocketTimeoutException e) {
            return "no answer";
        } catch (IOException e) {
            return "closed";
        }
    }

    private static void drainOrigin(HttpOrigin origin) {
        while (!origin.receivedNothing()) {
            try {
                origin.nextRequest();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static String table() {
        List<String> proxies =
                results.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList();
        StringBuilder sb =
                new StringBuilder("| case | required | ")
                        .append(String.join(" | ", proxies))
                        .append(" |\n|---|---|")
                        .append("---|".repeat(proxies.size()))
                        .append('\n');
        for (Case c : CASES) {
            Map<String, Outcome> row = results.getOrDefault(c.name(), Map.of());
            sb.append("| ").append(c.name()).append(" | ").append(c.expected());
            for (String p : proxies) {
                Outcome o = row.get(p);
                sb.append(" | ").append(o == null ? "-" : o.toString());
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }
}
