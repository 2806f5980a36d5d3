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
 * The fan-out run's connection to a Centrifugo node: its JSON client protocol over wss at {@code
 * /connection/websocket} (see {@link CentrifugoFrames}), anonymous (the node allows it), publishing
 * over the same connection and waiting for each publish's reply, as the realm's client waits for
 * its ack.
 */
final class CentrifugoClient implements FanOutClient {
    static final Factory FACTORY =
            (node, proxy, group) -> {
                if (proxy != null) {
                    throw new IllegalArgumentException(
                            "the Centrifugo client connects directly only, not through a proxy");
                }
                return new CentrifugoClient(node, group);
            };

    private static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    private static final SslContext SSL = sslContext();

    private final InetSocketAddress node;
    private final EventLoopGroup group;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Void>> replies = new ConcurrentHashMap<>();
    private final Map<String, LongConsumer> subscriptions = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean closing;
    private volatile boolean lost;

    private CentrifugoClient(InetSocketAddress node, EventLoopGroup group) {
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
        URI uri = URI.create("wss://127.0.0.1:" + node.getPort() + "/connection/websocket");
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
                                        // No Origin: Centrifugo checks one only when it is sent,
                                        // as a browser would.
                                        .generateOriginHeader(false)
                                        .maxFramePayloadLength(MAX_FRAME_BYTES)
                                        .handshakeTimeoutMillis(ProxyBench.TIMEOUT_MS)
                                        .build()));
                p.addLast("whole-frames", new WebSocketFrameAggregator(MAX_FRAME_BYTES));
                p.addLast("centrifugo", new Session());
            }
        };
    }

    @Override
    public CompletableFuture<?> subscribe(String channelName, LongConsumer delivered) {
        subscriptions.put(channelName, delivered);
        long id = ids.incrementAndGet();
        return send(id, CentrifugoFrames.subscribe(id, channelName));
    }

    @Override
    public CompletableFuture<?> publish(String channelName, String payloadJson) {
        long id = ids.incrementAndGet();
        return send(id, CentrifugoFrames.publish(id, channelName, payloadJson));
    }

    private CompletableFuture<Void> send(long id, String command) {
        return send(channel, id, command);
    }

    private CompletableFuture<Void> send(Channel ch, long id, String command) {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        if (ch == null || !ch.isActive()) {
            reply.completeExceptionally(
                    new IOException(
                            "the connection to Centrifugo at "
                                    + node
                                    + (ch == null ? " was never made" : " is closed")
                                    + (lost ? " (closed by Centrifugo)" : "")));
            return reply;
        }
        replies.put(id, reply);
        ch.writeAndFlush(new TextWebSocketFrame(command))
                .addListener(
                        w -> {
                            if (!w.isSuccess()) {
                                replies.remove(id);
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

    /** The protocol on the event loop: the connect command, replies, publications, pings. */
    private final class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt
                    == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                            .HANDSHAKE_COMPLETE) {
                long id = ids.incrementAndGet();
                send(ctx.channel(), id, CentrifugoFrames.connect(id))
                        .whenComplete(
                                (ok, e) -> {
                                    if (e != null) {
                                        connected.completeExceptionally(e);
                                    } else {
                                        connected.complete(null);
                                    }
                                });
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame)
                throws IOException {
            for (CentrifugoFrames.Message m : CentrifugoFrames.read(frame.text())) {
                if (m instanceof CentrifugoFrames.Publication pub) {
                    LongConsumer l = subscriptions.get(pub.channel());
                    if (l != null) {
                        l.accept(pub.data().path("t").asLong(-1));
                    }
                } else if (m instanceof CentrifugoFrames.Reply r) {
                    CompletableFuture<Void> reply = replies.remove(r.id());
                    if (reply != null) {
                        if (r.error() == null) {
                            reply.complete(null);
                        } else {
                            reply.completeExceptionally(
                                    new IOException("Centrifugo answered " + r.error()));
                        }
                    }
                } else if (m instanceof CentrifugoFrames.Ping) {
                    ctx.writeAndFlush(new TextWebSocketFrame(CentrifugoFrames.pong()));
                } else if (m instanceof CentrifugoFrames.Disconnect) {
                    lost = true;
                }
                // other pushes (join, leave, …): nothing this run asked for
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!closing) {
                lost = true;
            }
            failAll(
                    new IOException(
                            "the connection to Centrifugo at "
                                    + node
                                    + " closed"
                                    + (connected.isDone() ? "" : " before the connect reply")));
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
