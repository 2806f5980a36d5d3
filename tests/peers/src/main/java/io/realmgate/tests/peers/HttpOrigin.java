package io.realmgate.tests.peers;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP origin (the JDK's own server) that records each request it receives, so tests can
 * check what a proxy forwarded: headers such as Via, the request target, the body's digest. It
 * answers with a short text naming the path, or for {@code /bytes/N} with N bytes, or with a fixed
 * document a test gave it ({@link #serve}): a web page of another site, for browser tests.
 */
public final class HttpOrigin implements AutoCloseable {
    /** What the origin saw. */
    public record Seen(
            String method,
            String target,
            Map<String, List<String>> headers,
            long bodyBytes,
            String bodySha256) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return String.join(", ", e.getValue());
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor =
            Executors.newFixedThreadPool(
                    8,
                    r -> {
                        Thread t = new Thread(r, "http-origin");
                        t.setDaemon(true);
                        return t;
                    });
    private final LinkedBlockingDeque<Seen> seen = new LinkedBlockingDeque<>();
    private final Map<String, Document> documents = new ConcurrentHashMap<>();

    private record Document(String contentType, byte[] body) {}

    public HttpOrigin(int port) throws IOException {
        this("127.0.0.1", port);
    }

    /**
     * On another loopback address ({@code 127.0.0.2}, …): a host of its own, so a page served here
     * is of another origin than a server on 127.0.0.1 whatever the ports.
     */
    public HttpOrigin(String loopbackAddress, int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress(loopbackAddress, port);
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException(
                    "HttpOrigin listens on loopback only, not " + loopbackAddress);
        }
        server = HttpServer.create(address, 256);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * {@code http://address:port}, as a browser sends it in {@code Origin} for a page served here.
     */
    public String origin() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    /** From now on, a GET of {@code path} (query ignored) answers 200 with this body. */
    public HttpOrigin serve(String path, String contentType, byte[] body) {
        documents.put(path, new Document(contentType, body.clone()));
        return this;
    }

    /** The next request the origin received, waiting up to 5 seconds. */
    public Seen nextRequest() throws InterruptedException {
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the origin received no request within 5 s");
        }
        return s;
    }

    public boolean receivedNothing() {
        return seen.isEmpty();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (Exception e) {
                throw new IOException(e);
            }
            long n = 0;
            try (InputStream in = ex.getRequestBody()) {
                byte[] buf = new byte[64 * 1024];
                for (int r; (r = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, r);
                    n += r;
                }
            }
            Headers h = ex.getRequestHeaders();
            seen.add(
                    new Seen(
                            ex.getRequestMethod(),
                            ex.getRequestURI().toString(),
                            Map.copyOf(h),
                            n,
                            HexFormat.of().formatHex(sha.digest())));
            String path = ex.getRequestURI().getPath();
            Document document = documents.get(path);
            if (document != null) {
                ex.getResponseHeaders().set("Content-Type", document.contentType());
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                ex.sendResponseHeaders(200, document.body().length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(document.body());
                }
                return;
            }
            if (path.startsWith("/bytes/")) {
                long size = Long.parseLong(path.substring("/bytes/".length()));
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, size == 0 ? -1 : size);
                try (OutputStream out = ex.getResponseBody()) {
                    byte[] block = new byte[64 * 1024];
                    for (int i = 0; i < block.length; i++) {
                        block[i] = (byte) (i * 31 + 7);
                    }
                    for (long left = size; left > 0; ) {
                        int k = (int) Math.min(left, block.length);
                        out.write(block, 0, k);
                        left -= k;
                    }
                }
                return;
            }
            byte[] body =
                    ("origin saw "
                                    + ex.getRequestMethod()
                                    + " "
                                    + ex.getRequestURI()
                                    + " with "
                                    + n
                                    + " body bytes\n")
                            .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
