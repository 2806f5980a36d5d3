package io.realmgate.operator.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's admin endpoint on the JDK's HTTP server: {@code /healthz} (liveness), {@code
 * /readyz} (readiness), {@code /metrics} (Prometheus text). GET and HEAD only; 200 or 503 with a
 * one-line reason.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} (port 0: a free one) and starts serving. */
    public static AdminServer start(
            String host, int port, OperatorHealth health, Supplier<String> metrics)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "admin-http");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext(
                "/healthz", exchange -> answer(exchange, health.notLive(), health.role()));
        server.createContext(
                "/readyz", exchange -> answer(exchange, health.notReady(), health.role()));
        server.createContext(
                "/metrics",
                exchange -> {
                    if (allowed(exchange)) {
                        respond(exchange, 200, PROMETHEUS_TEXT, metrics.get());
                    }
                });
        server.createContext(
                "/",
                exchange -> {
                    if (allowed(exchange)) {
                        respond(
                                exchange,
                                404,
                                PLAIN_TEXT,
                                "not found: try /healthz, /readyz or /metrics\n");
                    }
                });
        server.start();
        AdminServer admin = new AdminServer(server, executor);
        log.info(
                "Admin endpoint on http://{}:{} (/healthz, /readyz, /metrics)",
                host.contains(":") ? "[" + host + "]" : host,
                admin.port());
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, Optional<String> problem, String role)
            throws IOException {
        if (allowed(exchange)) {
            if (problem.isPresent()) {
                respond(exchange, 503, PLAIN_TEXT, problem.get() + "\n");
            } else {
                respond(exchange, 200, PLAIN_TEXT, "ok (" + role + ")\n");
            }
        }
    }

    private static boolean allowed(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, PLAIN_TEXT, "method not allowed\n");
        return false;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** Stops accepting, lets a request in progress finish for up to a second. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
