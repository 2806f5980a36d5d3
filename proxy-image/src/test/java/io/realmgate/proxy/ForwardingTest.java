package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.LeakWatch;
import io.realmgate.tests.peers.ProxyClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Absolute-URI forwarding: streamed bodies both ways, keep-alive, header hygiene, bad requests. */
@Timeout(60)
class ForwardingTest {
    static HttpOrigin origin;
    static LeakWatch leaks;
    RunningProxy proxy;

    @BeforeAll
    static void startOrigin() throws Exception {
        origin = new HttpOrigin(0);
        leaks = LeakWatch.install();
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
        leaks.uninstall();
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy =
                RunningProxy.start(
                        "--allow-connect",
                        "127.0.0.1:" + origin.port(),
                        "--via",
                        "--name",
                        "edge-1");
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.close();
        assertThat(leaks.leaks()).isEmpty();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    private Socket client() throws Exception {
        return ProxyClient.open(proxy.address(), null, 20_000);
    }

    @Test
    void keepAliveCarriesSeveralRequestsOnOneClientConnection() throws Exception {
        try (Socket s = client()) {
            for (int i = 0; i < 3; i++) {
                ProxyClient.send(s, "GET " + url("/n/" + i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.header("connection")).isNull();
                assertThat(
                                new String(
                                        ProxyClient.readBody(s.getInputStream(), head),
                                        StandardCharsets.UTF_8))
                        .contains("GET /n/" + i);
                assertThat(origin.nextRequest().header("Host"))
                        .as("Host is the URI's authority")
                        .isEqualTo("127.0.0.1:" + origin.port());
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket s = client()) {
            ProxyClient.send(
                    s,
                    "GET "
                            + url("/p/1")
                            + " HTTP/1.1\r\nHost: x\r\n\r\n"
                            + "GET "
                            + url("/p/2")
                            + " HTTP/1.1\r\nHost: x\r\n\r\n");
            for (int i = 1; i <= 2; i++) {
                ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
                assertThat(
                                new String(
                                        ProxyClient.readBody(s.getInputStream(), head),
                                        StandardCharsets.UTF_8))
                        .contains("GET /p/" + i);
                origin.nextRequest();
            }
        }
    }

    @Test
    void aLargeChunkedUploadStreamsThroughIntact() throws Exception {
        byte[] body = new byte[8 * 1024 * 1024];
        new Random(1).nextBytes(body);
        try (Socket s = client()) {
            OutputStream out = s.getOutputStream();
            out.write(
                    ("POST "
                                    + url("/upload")
                                    + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            for (int off = 0; off < body.length; off += 100_000) {
                int n = Math.min(100_000, body.length - off);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, off, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            ProxyClient.readBody(s.getInputStream(), head);
        }
        HttpOrigin.Seen seen = origin.nextRequest();
        assertThat(seen.bodyBytes()).isEqualTo(body.length);
        assertThat(seen.bodySha256())
                .isEqualTo(
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
    }

    @Test
    void aLargeResponseStreamsBackIntact() throws Exception {
        long size = 64L * 1024 * 1024;
        try (Socket s = client()) {
            ProxyClient.send(s, "GET " + url("/bytes/" + size) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = s.getInputStream();
            ProxyClient.Head head = ProxyClient.readHead(in);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Long.toString(size));
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < size) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, size - got));
                assertThat(r).isPositive();
                for (int i = 0; i < r; i++) {
                    int pos = (int) ((got + i) % (64 * 1024));
                    if (buf[i] != (byte) (pos * 31 + 7)) {
                        throw new AssertionError("byte " + (got + i) + " differs");
                    }
                }
                got += r;
            }
            assertThat(got).isEqualTo(size);
        }
        origin.nextRequest();
    }

    @Test
    void hopByHopHeadersAreRemovedAndViaIsAppended() throws Exception {
        try (Socket s = client()) {
            ProxyClient.send(
                    s,
                    "GET "
                            + url("/h")
                            + " HTTP/1.1\r\nHost: x\r\n"
                            + "Connection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                            + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n"
                            + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\nVia: 1.0 earlier-proxy\r\nX-End-To-End: kept\r\n\r\n");
            ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("via")).endsWith("edge-1");
        }
        HttpOrigin.Seen seen = origin.nextRequest();
        for (String gone :
                new String[] {
                    "X-Secret-Hop",
                    "Keep-Alive",
                    "Proxy-Connection",
                    "TE",
                    "Trailer",
                    "Proxy-Authorization"
                }) {
            assertThat(seen.header(gone)).as(gone).isNull();
        }
        assertThat(seen.header("Connection")).isEqualTo("close");
        assertThat(seen.header("X-End-To-End")).isEqualTo("kept");
        assertThat(seen.header("Via")).isEqualTo("1.0 earlier-proxy, 1.1 edge-1");
    }

    @Test
    void malformedRequestsGet400AndTheConnectionCloses() throws Exception {
        String[] bad = {
            "GET /not-absolute HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET https://127.0.0.1:" + origin.port() + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET http://user:pw@127.0.0.1:" + origin.port() + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT 127.0.0.1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT user@127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT ::1:443 HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT 127.0.0.1:99999 HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT 127%2e0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "THIS IS NOT HTTP\r\n\r\n",
        };
        for (String request : bad) {
            try (Socket s = client()) {
                ProxyClient.send(s, request);
                ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
                assertThat(head.status()).as(request).isEqualTo(400);
                ProxyClient.readBody(s.getInputStream(), head);
                assertThat(ProxyClient.closedByPeer(s)).as(request).isTrue();
            }
        }
        assertThat(origin.receivedNothing()).isTrue();
    }

    @Test
    void aRequestBodyCutShortByTheClientsFinIsRefusedAndNothingStaysOpen() throws Exception {
        // The client promises 10 bytes (or a chunked body), sends fewer, and finishes sending: the
        // request can
        // never complete, so the proxy must not wait for the rest (nor leave the origin waiting for
        // it).
        String[] cut = {
            "POST "
                    + url("/cut/length")
                    + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello",
            "POST "
                    + url("/cut/chunked")
                    + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            "POST " + url("/cut/head-only") + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n",
        };
        for (String request : cut) {
            try (Socket s = client()) {
                ProxyClient.send(s, request);
                s.shutdownOutput();
                ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
                assertThat(head.status()).as(request).isEqualTo(400);
                ProxyClient.readBody(s.getInputStream(), head);
                assertThat(ProxyClient.closedByPeer(s)).as(request).isTrue();
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (proxy.server().openClientConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(proxy.server().openClientConnections())
                .as("client connections left open")
                .isZero();
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        try (Socket s = client()) {
            ProxyClient.send(
                    s,
                    "GET "
                            + url("/")
                            + " HTTP/1.1\r\nHost: x\r\nX-Big: "
                            + "a".repeat(20_000)
                            + "\r\n\r\n");
            assertThat(ProxyClient.readHead(s.getInputStream()).status()).isEqualTo(431);
        }
        assertThat(origin.receivedNothing()).isTrue();
    }

    @Test
    void aForwardedRequestToADisallowedTargetIs403() throws Exception {
        try (Socket s = client()) {
            ProxyClient.send(s, "GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(ProxyClient.readHead(s.getInputStream()).status()).isEqualTo(403);
        }
    }
}
