package io.realmgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.Transport;
import io.realmgate.tests.peers.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLException;

/**
 * What the side-by-side fan-out's raw clients share ({@link RealmRawClient}, {@link
 * CentrifugoClient}), so that both systems are driven by the same connection code: one wss
 * connection to a node on loopback, the same pipeline, commands matched to their replies by a key,
 * deliveries handed to the subscription's consumer. A subclass knows its protocol: what to send
 * once the upgrade is done ({@link #upgraded}) and how to read a server frame ({@link #read}).
 */
abstract class WssBenchClient implements FanOutClient {
    private static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    private static final SslContext SSL = sslContext();

    private final String peer;
    private final String path;
    final InetSocketAddress node;
    private final EventLoopGroup group;
    private final Map<String, CompletableFuture<Void>> replies = new ConcurrentHashMap<>();
    private final Map<String, LongConsumer> subscriptions = new ConcurrentHashMap<>();
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean closing;
    private volatile boolean lost;

    /**
     * @param peer the system's name in messages ("the realm", "Centrifugo")
     * @param path the WebSocket endpoint's path
     */
    WssBenchClient(String peer, String path, InetSocketAddress node, EventLoopGroup group) {
        this.peer = peer;
        this.path = path;
        this.node = node;
        this.group = group;
    }

    private static SslContext sslContext() {
        try {
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm("HTTPS")
                    .trustManager(TestCertificates.get().ca().getCertificate())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the client TLS context", e);
        }
    }

    /** On the event loop, once the upgrade is done: complete {@link #connected}, or send first. */
    abstract void upgraded(ChannelHandlerContext ctx);

    /**
     * On the event loop: one server frame, whose messages go to {@link #reply}, {@link #deliver}.
     */
    abstract void read(ChannelHandlerContext ctx, String text) throws IOException;

    @Override
    public CompletableFuture<?> connect() {
        Transport transport;
        try {
            transport = Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            return CompletableFuture.failedFuture(e);
        }
        URI uri = URI.create("wss://127.0.0.1:" + node.getPort() + path);
        ChannelFuture f =
                new Bootstrap()
                        .group(group)
                        .channel(transport.channel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, ProxyBench.TIMEOUT_MS)
                        .handler(initializer(uri))
                        .connect(node);
        channel = f.channel();
        f.addListener(
                done -> {
                    if (!done.isSuccess()) {
                        connected.completeExceptionally(done.cause());
                    }
                });
        return connected;
    }

    /** The whole pipeline, in one place: TLS, HTTP for the upgrade, WebSocket, the protocol. */
    private ChannelInitializer<Channel> initializer(URI uri) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                // Here and not only after connect() returns: under load the handshake can complete
                // before the calling thread gets to store it.
                channel = ch;
                ChannelPipeline p = ch.pipeline();
                p.addLast("tls", SSL.newHandler(ch.alloc(), "127.0.0.1", node.getPort()));
                p.addLast("http", new HttpClientCodec());
                p.addLast("upgrade-response", new HttpObjectAggregator(64 * 1024));
                p.addLast(
                        "websocket",
                        new WebSocketClientProtocolHandler(
                                WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(uri)
                                        // No Origin: not a browser (Centrifugo checks one only
                                        // when it is sent).
                                        .generateOriginHeader(false)
                                        .maxFramePayloadLength(MAX_FRAME_BYTES)
                                        .handshakeTimeoutMillis(ProxyBench.TIMEOUT_MS)
                                        .build()));
                p.addLast("whole-frames", new WebSocketFrameAggregator(MAX_FRAME_BYTES));
                p.addLast("protocol", new Session());
            }
        };
    }

    /** Registers the consumer of a channel's deliveries, then sends the subscribe command. */
    CompletableFuture<Void> subscribe(
            String channelName, LongConsumer delivered, String key, String command) {
        subscriptions.put(channelName, delivered);
        return send(key, command);
    }

    CompletableFuture<Void> send(String key, String command) {
        return send(channel, key, command);
    }

    /** Sends a command whose reply carries {@code key}; the future completes with that reply. */
    CompletableFuture<Void> send(Channel ch, String key, String command) {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        if (ch == null || !ch.isActive()) {
            reply.completeExceptionally(
                    new IOException(
                            "the connection to "
                                    + peer
                                    + " at "
                                    + node
                                    + (ch == null ? " was never made" : " is closed")
                                    + (lost ? " (closed by " + peer + ")" : "")));
            return reply;
        }
        replies.put(key, reply);
        ch.writeAndFlush(new TextWebSocketFrame(command))
                .addListener(
                        w -> {
                            if (!w.isSuccess()) {
                                replies.remove(key);
                                reply.completeExceptionally(w.cause());
                            }
                        });
        return reply;
    }

    /** A reply to the command sent with {@code key}: success when {@code error} is null. */
    void reply(String key, String error) {
        CompletableFuture<Void> reply = replies.remove(key);
        if (reply != null) {
            if (error == null) {
                reply.complete(null);
            } else {
                reply.completeExceptionally(new IOException(peer + " answered " + error));
            }
        }
    }

    /** An event of a subscribed channel: its payload's send time {@code t} to the consumer. */
    void deliver(String channelName, long sentAt) {
        LongConsumer l = subscriptions.get(channelName);
        if (l != null) {
            l.accept(sentAt);
        }
    }

    /** The server ended the session (it will close the connection). */
    void markLost() {
        lost = true;
    }

    @Override
    public boolean lost() {
        return lost;
    }

    @Override
    public void close() {
        closing = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private void failAll(Throwable cause) {
        connected.completeExceptionally(cause);
        replies.values().forEach(r -> r.completeExceptionally(cause));
        replies.clear();
    }

    /** The connection's events on the event loop, handed to the protocol. */
    private final class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt
                    == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                            .HANDSHAKE_COMPLETE) {
                upgraded(ctx);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame)
                throws IOException {
            read(ctx, frame.text());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!closing) {
                lost = true;
            }
            failAll(
                    new IOException(
                            "the connection to "
                                    + peer
                                    + " at "
                                    + node
                                    + " closed"
                                    + (connected.isDone() ? "" : " before it was ready")));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A benchmark connection: the failure goes to whoever waits on it, and the run notes
            // it.
            failAll(cause);
            ctx.close();
        }
    }
}
