package io.realmgate.realm.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A Java client for a realm (protocol v1 over {@code ws://} or {@code wss://}), optionally through
 * an HTTP CONNECT forward proxy with Basic proxy authentication.
 *
 * <p>After the first successful {@link #connect()}, a lost connection is re-established with
 * exponential back-off, and every subscription resumes after the last id it delivered: events still
 * retained by the realm arrive, none twice. If the realm lost the history those ids belong to (its
 * epoch changed: it restarted), the subscription's {@link EventListener#onReset} is told, and the
 * new history's retained events follow from its start. Publishes in flight when a connection is
 * lost fail with code {@code connection-lost} (the realm may or may not have retained them);
 * publishes while disconnected fail with {@code not-connected}.
 *
 * <p>All state lives on one event loop; listeners are called there and must not block. Methods may
 * be called from any thread.
 */
public final class RealmClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI uri;
    private final Builder settings;
    private final SslContext ssl;
    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final EventLoop loop;
    private final ConnectionListener connectionListener;

    // ---- state, event loop only ----
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<Long>> publishes = new HashMap<>();
    private long nextRef;
    private Channel channel;
    private boolean open;
    private boolean everConnected;
    private boolean closed;
    private int failures;
    private volatile int lastCloseCode;
    private volatile String lastCloseReason;

    private static final class Subscription {
        final String channel;
        final EventListener listener;
        final long requestedFrom;

        /**
         * Last id delivered (or the position announced by {@code subscribed}); -1 while unknown.
         */
        long cursor = -1;

        /** The epoch of the history {@link #cursor} belongs to; null until the realm named it. */
        String epoch;

        String pendingRef;
        CompletableFuture<Long> confirmed;

        Subscription(
                String channel,
                long requestedFrom,
                EventListener listener,
                CompletableFuture<Long> confirmed) {
            this.channel = channel;
            this.listener = listener;
            this.requestedFrom = requestedFrom;
            this.cursor = requestedFrom;
            this.confirmed = confirmed;
        }
    }

    private RealmClient(Builder b) {
        this.uri = b.uri;
        this.settings = b;
        String scheme = uri.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("realm URI must be ws:// or wss://, not " + uri);
        }
        try {
            this.ssl = "wss".equals(scheme) ? clientContext(b.trusted) : null;
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
        this.ownGroup = b.group == null;
        this.group = ownGroup ? transport().newGroup(1, "realm-client") : b.group;
        this.loop = group.next();
        this.connectionListener = b.connectionListener;
    }

    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    public static Builder builder(String uri) {
        return new Builder(URI.create(uri));
    }

    // ---- public API ----

    /** Opens the connection; the future completes once the WebSocket handshake is done. */
    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> dial(done));
        return done;
    }

    /**
     * Subscribes to live events; the future completes with the channel's newest id at subscription.
     */
    public CompletableFuture<Long> subscribe(String channel, EventListener listener) {
        return subscribe(channel, -1, listener);
    }

    /**
     * Subscribes and replays the retained events after {@code from} first ({@code from < 0}: live
     * only). The future completes with the channel's newest id when the subscription took effect.
     */
    public CompletableFuture<Long> subscribe(String channel, long from, EventListener listener) {
        CompletableFuture<Long> confirmed = new CompletableFuture<>();
        loop.execute(
                () -> {
                    if (closed) {
                        confirmed.completeExceptionally(
                                new RealmClientException("closed", "the client is closed"));
                        return;
                    }
                    Subscription s = new Subscription(channel, from, listener, confirmed);
                    Subscription old = subscriptions.put(channel, s);
                    if (old != null && old.confirmed != null) {
                        old.confirmed.completeExceptionally(
                                new RealmClientException("replaced", "subscribed again"));
                    }
                    if (open) {
                        sendSubscribe(s);
                    }
                });
        return confirmed;
    }

    public void unsubscribe(String channel) {
        loop.execute(
                () -> {
                    if (subscriptions.remove(channel) != null && open) {
                        ObjectNode m =
                                JSON.createObjectNode()
                                        .put("op", "unsubscribe")
                                        .put("channel", channel);
                        send(m);
                    }
                });
    }

    /**
     * Publishes {@code dataJson} (any JSON value, as text); completes with the event's id once the
     * realm retained it.
     */
    public CompletableFuture<Long> publish(String channel, String dataJson) {
        JsonNode data;
        try {
            // Checked to be one JSON value, then sent as written: a tree would turn 1e400 into a
            // double.
            JSON.reader()
                    .with(
                            com.fasterxml.jackson.databind.DeserializationFeature
                                    .FAIL_ON_TRAILING_TOKENS)
                    .readTree(dataJson);
            data =
                    JSON.getNodeFactory()
                            .rawValueNode(
                                    new com.fasterxml.jackson.databind.util.RawValue(
                                            dataJson.strip()));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("data is not JSON: " + e.getMessage()));
        }
        CompletableFuture<Long> acked = new CompletableFuture<>();
        loop.execute(
                () -> {
                    if (!open) {
                        acked.completeExceptionally(
                                new RealmClientException(
                                        "not-connected", "not connected to " + uri));
                        return;
                    }
                    String ref = "p" + (++nextRef);
                    publishes.put(ref, acked);
                    ObjectNode m =
                            JSON.createObjectNode()
                                    .put("op", "publish")
                                    .put("channel", channel)
                                    .put("ref", ref);
                    m.set("data", data);
                    send(m);
                });
        return acked;
    }

    /**
     * The last close code the server sent (0 before any close; 1006 for a connection lost without
     * one).
     */
    public int lastCloseCode() {
        return lastCloseCode;
    }

    public String lastCloseReason() {
        return lastCloseReason;
    }

    public URI uri() {
        return uri;
    }

    /** Closes the connection (close code 1000) and stops reconnecting. */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(
                () -> {
                    closed = true;
                    failAll(new RealmClientException("closed", "the client is closed"));
                    if (channel != null && channel.isActive()) {
                        channel.writeAndFlush(
                                        new io.netty.handler.codec.http.websocketx
                                                .CloseWebSocketFrame(1000, "bye"))
                                .addListener(f -> channel.close());
                        channel.closeFuture().addListener(f -> done.complete(null));
                        loop.schedule(() -> channel.close(), 2, TimeUnit.SECONDS);
                    } else {
                        done.complete(null);
                    }
                });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing is best effort; the event loop shutdown below ends what is left
        }
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    // ---- connecting ----

    private void dial(CompletableFuture<Void> firstConnect) {
        if (closed || channel != null) {
            if (firstConnect != null) {
                firstConnect.completeExceptionally(
                        new IllegalStateException(closed ? "closed" : "already connecting"));
            }
            return;
        }
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : ssl != null ? 443 : 80;
        InetSocketAddress target =
                settings.proxy != null
                        ? InetSocketAddress.createUnresolved(host, port)
                        : new InetSocketAddress(host, port);
        ClientSession session = new ClientSession(this);
        Bootstrap b =
                new Bootstrap()
                        .group(loop)
                        .channel(transport().channel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(
                                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                                (int) settings.connectTimeout.toMillis())
                        .handler(
                                ClientPipelines.initializer(
                                        settings, ssl, uri, host, port, session));
        if (settings.proxy != null) {
            // The proxy resolves the target's name (often one only it can resolve, such as a
            // cluster Service);
            // without this, the bootstrap would look the name up here first and fail.
            b.resolver(io.netty.resolver.NoopAddressResolverGroup.INSTANCE);
        }
        // With a proxy, the proxy handler turns this connect to the target into one to the proxy
        // plus a CONNECT.
        ChannelFuture f = b.connect(target);
        channel = f.channel();
        session.onHandshake(firstConnect);
        f.addListener(
                x -> {
                    if (!x.isSuccess()) {
                        session.failed(x.cause());
                    }
                });
    }

    /** Called by the session once the WebSocket handshake completed. */
    void opened(Channel ch, CompletableFuture<Void> firstConnect) {
        if (ch != channel) {
            return;
        }
        open = true;
        failures = 0;
        boolean reconnect = everConnected;
        everConnected = true;
        for (Subscription s : subscriptions.values()) {
            sendSubscribe(s);
        }
        if (firstConnect != null) {
            firstConnect.complete(null);
        }
        connectionListener.connected(reconnect);
    }

    /** Called by the session when the connection ended, or never came up. */
    void ended(
            Channel ch,
            int code,
            String reason,
            Throwable cause,
            CompletableFuture<Void> firstConnect) {
        if (ch != channel) {
            return;
        }
        boolean wasOpen = open;
        channel = null;
        open = false;
        lastCloseCode = code;
        lastCloseReason = reason;
        RealmClientException lost =
                new RealmClientException(
                        "connection-lost",
                        "connection to "
                                + uri
                                + " ended ("
                                + code
                                + (reason == null || reason.isEmpty() ? "" : " " + reason)
                                + ")");
        for (CompletableFuture<Long> p : publishes.values()) {
            p.completeExceptionally(lost);
        }
        publishes.clear();
        if (firstConnect != null && !firstConnect.isDone()) {
            firstConnect.completeExceptionally(cause != null ? cause : lost);
        }
        if (wasOpen) {
            connectionListener.disconnected(code, reason);
        }
        if (!closed && everConnected && settings.reconnect) {
            failures++;
            long base =
                    Math.min(
                            settings.maxBackoff.toMillis(),
                            settings.minBackoff.toMillis() << Math.min(16, failures - 1));
            long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
            loop.schedule(() -> dial(null), delay, TimeUnit.MILLISECONDS);
        }
    }

    // ---- protocol ----

    private void sendSubscribe(Subscription s) {
        String ref = "s" + (++nextRef);
        s.pendingRef = ref;
        ObjectNode m =
                JSON.createObjectNode()
                        .put("op", "subscribe")
                        .put("channel", s.channel)
                        .put("ref", ref);
        if (s.cursor >= 0) {
            m.put("from", s.cursor);
            if (s.epoch != null) {
                m.put("epoch", s.epoch);
            }
        }
        send(m);
    }

    private void send(ObjectNode m) {
        try {
            channel.writeAndFlush(
                    new TextWebSocketFrame(JSON.writeValueAsString(m)), channel.voidPromise());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Handles one server frame (event loop). */
    void onFrame(TextWebSocketFrame frame) {
        JsonNode m;
        byte[] bytes = ByteBufUtil.getBytes(frame.content());
        try {
            m = JSON.readTree(bytes);
        } catch (IOException e) {
            return; // not from a realm speaking v1
        }
        String op = m.path("op").asText();
        switch (op) {
            case "event" -> {
                Subscription s = subscriptions.get(m.path("channel").asText());
                long id = m.path("id").asLong();
                if (s == null || (s.cursor >= 0 && id <= s.cursor)) {
                    return; // unsubscribed meanwhile, or already delivered before a reconnect
                }
                s.cursor = id;
                byte[] raw = io.realmgate.realm.hub.RawJson.member(JSON, bytes, "data");
                s.listener.onEvent(
                        new RealmEvent(
                                s.channel,
                                id,
                                raw != null
                                        ? new String(raw, java.nio.charset.StandardCharsets.UTF_8)
                                        : m.path("data").toString()));
            }
            case "subscribed" -> {
                Subscription s = subscriptions.get(m.path("channel").asText());
                if (s == null) {
                    return;
                }
                long id = m.path("id").asLong();
                String epoch = m.path("epoch").isTextual() ? m.path("epoch").asText() : null;
                if (m.path("reset").isTextual()) {
                    // The history our ids belong to is gone: the realm replays the new one from
                    // its start, so every id counts as unseen again.
                    PositionReset reset =
                            new PositionReset(
                                    s.channel,
                                    m.path("reset").asText(),
                                    s.epoch,
                                    s.cursor,
                                    epoch,
                                    id);
                    s.cursor = 0;
                    s.epoch = epoch;
                    s.listener.onReset(reset);
                } else {
                    // Unknown position: start here. Ahead of a realm without epochs (it
                    // restarted): follow the realm.
                    s.cursor = s.cursor < 0 ? id : Math.min(s.cursor, id);
                    if (epoch != null) {
                        s.epoch = epoch;
                    }
                }
                if (s.confirmed != null && m.path("ref").asText().equals(s.pendingRef)) {
                    s.confirmed.complete(id);
                    s.confirmed = null;
                }
            }
            case "ack" -> {
                CompletableFuture<Long> p = publishes.remove(m.path("ref").asText());
                if (p != null) {
                    p.complete(m.path("id").asLong());
                }
            }
            case "error" -> onError(m);
            default -> {
                // a later protocol version's frame: ignored
            }
        }
    }

    private void onError(JsonNode m) {
        String code = m.path("code").asText();
        String message = m.path("message").asText();
        String ref = m.path("ref").asText(null);
        if (ref != null) {
            CompletableFuture<Long> p = publishes.remove(ref);
            if (p != null) {
                p.completeExceptionally(new RealmClientException(code, message));
                return;
            }
            for (Subscription s : new ArrayList<>(subscriptions.values())) {
                if (ref.equals(s.pendingRef)
                        && !code.equals("replay-truncated")
                        && !code.equals("from-ahead")) {
                    subscriptions.remove(s.channel);
                    if (s.confirmed != null) {
                        s.confirmed.completeExceptionally(new RealmClientException(code, message));
                    }
                    return;
                }
            }
        }
        connectionListener.error(code, message);
    }

    private void failAll(RealmClientException e) {
        for (CompletableFuture<Long> p : publishes.values()) {
            p.completeExceptionally(e);
        }
        publishes.clear();
        for (Subscription s : subscriptions.values()) {
            if (s.confirmed != null) {
                s.confirmed.completeExceptionally(e);
            }
        }
    }

    /** The transport {@code REALMGATE_TRANSPORT} asks for, as for the realm itself. */
    private static Transport transport() {
        try {
            return Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static SslContext clientContext(List<X509Certificate> trusted) throws SSLException {
        SslContextBuilder b =
                SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
        if (!trusted.isEmpty()) {
            b.trustManager(trusted.toArray(new X509Certificate[0]));
        }
        return b.build();
    }

    /** How to reach the realm. */
    public static final class Builder {
        final URI uri;
        InetSocketAddress proxy;
        String proxyUser;
        String proxyPassword;
        final List<X509Certificate> trusted = new ArrayList<>();
        boolean reconnect = true;
        Duration minBackoff = Duration.ofMillis(100);
        Duration maxBackoff = Duration.ofSeconds(5);
        Duration connectTimeout = Duration.ofSeconds(10);
        int maxFrameBytes = 16 * 1024 * 1024;
        EventLoopGroup group;
        ConnectionListener connectionListener = new ConnectionListener() {};

        private Builder(URI uri) {
            this.uri = uri;
        }

        /**
         * Tunnel through this HTTP forward proxy with CONNECT (for {@code ws://} as well, as
         * browsers do).
         */
        public Builder proxy(InetSocketAddress proxy) {
            this.proxy = proxy;
            return this;
        }

        /** Basic proxy authentication ({@code Proxy-Authorization}) for the CONNECT. */
        public Builder proxyAuth(String user, String password) {
            this.proxyUser = user;
            this.proxyPassword = password;
            return this;
        }

        /**
         * Trust these certificates (a CA, or the server's own) instead of the JVM's default trust
         * store.
         */
        public Builder trust(X509Certificate... certificates) {
            trusted.addAll(List.of(certificates));
            return this;
        }

        /** Trust the certificates in this PEM file. */
        public Builder trustPem(java.nio.file.Path pem) {
            try (var in = java.nio.file.Files.newInputStream(pem)) {
                var cf = java.security.cert.CertificateFactory.getInstance("X.509");
                for (var c : cf.generateCertificates(in)) {
                    trusted.add((X509Certificate) c);
                }
            } catch (IOException | java.security.cert.CertificateException e) {
                throw new IllegalArgumentException(
                        "cannot read certificates from " + pem + ": " + e.getMessage(), e);
            }
            return this;
        }

        public Builder reconnect(Duration min, Duration max) {
            this.reconnect = true;
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        public Builder noReconnect() {
            this.reconnect = false;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /**
         * Share an event loop group (many clients in one process); the client does not shut it
         * down.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        public Builder listener(ConnectionListener listener) {
            this.connectionListener = listener;
            return this;
        }

        public RealmClient build() {
            return new RealmClient(this);
        }
    }
}
