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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP origin (the JDK's own server) that records each request it receives, so tests
 * can check what a proxy forwarded: headers such as Via, the request target, the body's digest.
 * It answers with a short text naming the path, or for {@code /bytes/N} with N bytes.
 */
public final class HttpOrigin implements AutoCloseable {
    /** What the origin saw. */
    public record Seen(String method, String target, Map<String, List<String>> headers, long bodyBytes, String bodySha256) {
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
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "http-origin");
        t.setDaemon(true);
        return t;
    });
    private final LinkedBlockingDeque<Seen> seen = new LinkedBlockingDeque<>();

    public HttpOrigin(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
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
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(h), n,
                    HexFormat.of().formatHex(sha.digest())));
            String path = ex.getRequestURI().getPath();
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
            byte[] body = ("origin saw " + ex.getRequestMethod() + " " + ex.getRequestURI() + " with " + n
                    + " body bytes\n").getBytes(StandardCharsets.UTF_8);
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
