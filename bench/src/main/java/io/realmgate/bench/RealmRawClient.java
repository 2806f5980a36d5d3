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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLException;

/**
 * The side-by-side fan-out run's connection to a realm: protocol v1 over wss at {@code /realm} (see
 * {@link RealmFrames}), built like {@link CentrifugoClient} (the same pipeline, one tree parse per
 * server frame, one command tree per publish), so that in "Realm fan-out against Centrifugo" the
 * two systems are driven by the same kind of client. The realm's own Java client ({@link
 * RealmFanOutClient}) does more per delivery (it keeps {@code data} byte for byte, resumes, dedups)
 * and was the bottleneck of those rows on the client's CPU.
 */
final class RealmRawClient implements FanOutClient {
    static final Factory FACTORY =
            (node, proxy, group) -> {
                if (proxy != null) {
                    throw new IllegalArgumentException(
                            "the raw realm client connects directly only, not through a proxy");
                }
                return new RealmRawClient(node, group);
            };

    private static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    private static final SslContext SSL = sslContext();

    private final InetSocketAddress node;
    private final EventLoopGroup group;
    private final AtomicLong refs = new AtomicLong();
    private final Map<String, CompletableFuture<Void>> replies = new ConcurrentHashMap<>();
    private final Map<String, LongConsumer> subscriptions = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean closing;
    private volatile boolean lost;

    private RealmRawClient(InetSocketAddress node, EventLoopGroup group) {
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

    @Override
    public CompletableFuture<?> connect() {
        Transport transport;
        try {
            transport = Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            return CompletableFuture.failedFuture(e);
        }
        URI uri = URI.create("wss://127.0.0.1:" + node.getPort() + "/realm");
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
                                        // No Origin, as for Centrifugo: not a browser.
                                        .generateOriginHeader(false)
                                        .maxFramePayloadLength(MAX_FRAME_BYTES)
                                        .handshakeTimeoutMillis(ProxyBench.TIMEOUT_MS)
                                        .build()));
                p.addLast("whole-frames", new WebSocketFrameAggregator(MAX_FRAME_BYTES));
                p.addLast("realm", new Session());
            }
        };
    }

    @Override
    public CompletableFuture<?> subscribe(String channelName, LongConsumer delivered) {
        subscriptions.put(channelName, delivered);
        String ref = "s" + refs.incrementAndGet();
        return send(ref, RealmFrames.subscribe(ref, channelName));
    }

    @Override
    public CompletableFuture<?> publish(String channelName, String payloadJson) {
        String ref = "p" + refs.incrementAndGet();
        return send(ref, RealmFrames.publish(ref, channelName, payloadJson));
    }

    private CompletableFuture<Void> send(String ref, String command) {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            reply.completeExceptionally(
                    new IOException(
                            "the connection to the realm at "
                                    + node
                                    + (ch == null ? " was never made" : " is closed")
                                    + (lost ? " (closed by the realm)" : "")));
            return reply;
        }
        replies.put(ref, reply);
        ch.writeAndFlush(new TextWebSocketFrame(command))
                .addListener(
                        w -> {
                            if (!w.isSuccess()) {
                                replies.remove(ref);
                                reply.completeExceptionally(w.cause());
                            }
                        });
        return reply;
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

    /** The protocol on the event loop: replies (ack, subscribed, error) and events. */
    private final class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt
                    == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                            .HANDSHAKE_COMPLETE) {
                connected.complete(null);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame)
                throws IOException {
            RealmFrames.Message m = RealmFrames.read(frame.text());
            if (m instanceof RealmFrames.Event e) {
                LongConsumer l = subscriptions.get(e.channel());
                if (l != null) {
                    l.accept(e.data().path("t").asLong(-1));
                }
            } else if (m instanceof RealmFrames.Reply r) {
                CompletableFuture<Void> reply = replies.remove(r.ref());
                if (reply != null) {
                    if (r.error() == null) {
                        reply.complete(null);
                    } else {
                        reply.completeExceptionally(
                                new IOException("the realm answered " + r.error()));
                    }
                }
            }
            // anything else (an error without a ref): nothing this run asked for
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!closing) {
                lost = true;
            }
            failAll(
                    new IOException(
                            "the connection to the realm at "
                                    + node
                                    + " closed"
                                    + (connected.isDone() ? "" : " before the upgrade")));
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
