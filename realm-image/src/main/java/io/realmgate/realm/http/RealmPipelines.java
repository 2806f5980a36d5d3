package io.realmgate.realm.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.realm.tls.CertificateSource;
import io.realmgate.realm.tls.HandshakeOutcome;
import io.realmgate.realm.tls.PlainHttpOnTlsPort;
import io.realmgate.realm.ws.WebSocketSession;
import java.util.concurrent.TimeUnit;

/**
 * Every pipeline the realm builds, in one place.
 *
 * <pre>
 * accepted:      [tls] - idle - header-deadline - http-codec - header-seen - http-aggregator - router
 * WebSocket:     [tls] - idle (reader only) - wsdecoder/wsencoder - ws-utf8 - ws-aggregator - ws-session
 * event stream:  [tls] - idle - http-codec - stream
 *
 * [tls] on the wss listener:  plain-http-probe (until the first byte) - tls - tls-outcome
 * </pre>
 *
 * The TLS handshake and the first request's header share one deadline, {@code --header-timeout}
 * from the accept: the SslHandler's handshake timeout and {@link HeaderDeadline} are both armed
 * with it when the connection is set up.
 *
 * <p>A long-poll stays on the accepted pipeline (the router answers it when events come or time
 * runs out).
 */
public final class RealmPipelines {
    static final String TLS = "tls";
    static final String PLAIN_HTTP_PROBE = "plain-http-probe";
    static final String TLS_OUTCOME = "tls-outcome";

    /** The HTTP codec's limits: past them, 414 and 431. */
    static final int MAX_REQUEST_LINE = 8192;

    static final int MAX_HEADER = 16 * 1024;
    static final String IDLE = "idle";
    static final String HTTP_CODEC = "http-codec";
    static final String HTTP_AGGREGATOR = "http-aggregator";
    static final String ROUTER = "router";
    static final String WS_UTF8 = "ws-utf8";
    static final String WS_AGGREGATOR = "ws-aggregator";
    static final String WS_SESSION = "ws-session";
    static final String STREAM = "stream";
    static final String HEADER_DEADLINE = "header-deadline";
    static final String HEADER_SEEN = "header-seen";

    /** Room for a publish body of the largest message plus its envelope. */
    private static final int HTTP_ENVELOPE = 1024;

    private RealmPipelines() {}

    /** The initializer for one listener; {@code tls} is null on the plain listener. */
    public static ChannelInitializer<Channel> accepted(
            RealmContext realm, RealmMetrics.Listener listener, CertificateSource tls) {
        long idle = realm.config().pingInterval().toMillis();
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                ConnectionLimits.Admission admission = realm.limits().admit(ch);
                switch (admission) {
                    case REFUSED_TOTAL, REFUSED_CLIENT -> {
                        // Far past the cap: closed before anything is read, no handler, no buffer.
                        realm.metrics()
                                .connectionRefused(
                                        admission == ConnectionLimits.Admission.REFUSED_CLIENT);
                        ch.close();
                        return;
                    }
                    case PROBE_ONLY_TOTAL, PROBE_ONLY_CLIENT ->
                            ch.attr(ConnectionLimits.PROBE_ONLY)
                                    .set(admission == ConnectionLimits.Admission.PROBE_ONLY_CLIENT);
                    default -> {}
                }
                if (tls != null) {
                    p.addLast(PLAIN_HTTP_PROBE, new PlainHttpOnTlsPort());
                    // Taken per connection: a reloaded certificate applies from the next connection
                    // on.
                    SslHandler ssl = tls.current().newHandler(ch.alloc());
                    // Not Netty's 10 s: a client that dribbles its hello is held no longer than a
                    // slow header.
                    ssl.setHandshakeTimeoutMillis(realm.config().headerTimeout().toMillis());
                    p.addLast(TLS, ssl);
                    p.addLast(TLS_OUTCOME, new HandshakeOutcome(realm.metrics()));
                }
                // Reader idle drives WebSocket pings and idle HTTP closes; writer idle drives
                // stream heartbeats.
                p.addLast(IDLE, new IdleStateHandler(idle, idle, 0, TimeUnit.MILLISECONDS));
                HeaderDeadline deadline =
                        new HeaderDeadline(
                                realm.config().headerTimeout().toMillis(), realm.metrics());
                p.addLast(HEADER_DEADLINE, deadline.bytes());
                p.addLast(
                        HTTP_CODEC,
                        new HttpServerCodec(
                                new HttpDecoderConfig()
                                        .setMaxInitialLineLength(MAX_REQUEST_LINE)
                                        .setMaxHeaderSize(MAX_HEADER)
                                        .setMaxChunkSize(16 * 1024)));
                p.addLast(HEADER_SEEN, deadline.requests());
                p.addLast(
                        HTTP_AGGREGATOR,
                        new ClosingAggregator(
                                realm.config().maxMessageBytes() + HTTP_ENVELOPE, realm.metrics()));
                p.addLast(ROUTER, new HttpRouter(realm, listener));
            }
        };
    }

    /**
     * Answers the upgrade and turns the connection into a WebSocket session. Runs on the event loop
     * before the next read, so no frame can reach a handler that does not expect it.
     */
    static void upgradeToWebSocket(
            ChannelHandlerContext router,
            FullHttpRequest request,
            RealmContext realm,
            RealmMetrics.Listener listener) {
        Channel ch = router.channel();
        noMoreRequests(ch.pipeline());
        int max = realm.config().maxMessageBytes();
        String scheme = ch.pipeline().get(TLS) != null ? "wss" : "ws";
        WebSocketServerHandshakerFactory factory =
                new WebSocketServerHandshakerFactory(
                        scheme
                                + "://"
                                + request.headers().get(HttpHeaderNames.HOST, "localhost")
                                + "/realm",
                        null,
                        WebSocketDecoderConfig.newBuilder()
                                .maxFramePayloadLength(max)
                                .expectMaskedFrames(true)
                                .allowMaskMismatch(false)
                                .allowExtensions(false)
                                // The session sends the close frame itself: Netty's decoder answers
                                // an invalid
                                // close frame with an empty buffer instead of a 1002 close frame.
                                .closeOnProtocolViolation(false)
                                .build());
        WebSocketServerHandshaker handshaker = factory.newHandshaker(request);
        if (handshaker == null) {
            realm.metrics().httpRefused(RealmMetrics.HttpRefusal.WEBSOCKET_VERSION);
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch)
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        handshaker
                .handshake(ch, request)
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        f.channel().close();
                                    }
                                });
        // The handshaker swapped the HTTP codec for the WebSocket codec; frames come next.
        ChannelPipeline p = ch.pipeline();
        // Reader idle only: a WebSocket has no use for writer idle (pings follow what is read),
        // and watching writes costs a promise and a listener per frame written (decisions.md,
        // "The realm's fan-out against Centrifugo: the cost per frame").
        p.replace(
                IDLE,
                IDLE,
                new IdleStateHandler(
                        realm.config().pingInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addBefore(ROUTER, WS_UTF8, new Utf8FrameValidator(false));
        p.addBefore(ROUTER, WS_AGGREGATOR, new WebSocketFrameAggregator(max));
        p.replace(ROUTER, WS_SESSION, new WebSocketSession(realm, listener, handshaker));
    }

    /**
     * Answers a body larger than the limit with 413 and closes the connection, keep-alive or not:
     * reading on would mean reading (and discarding) a body of any size the client announced.
     */
    static final class ClosingAggregator extends HttpObjectAggregator {
        private final RealmMetrics metrics;

        ClosingAggregator(int maxContentLength, RealmMetrics metrics) {
            super(maxContentLength);
            this.metrics = metrics;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            metrics.httpRefused(RealmMetrics.HttpRefusal.BODY_TOO_LARGE);
            // The aggregator releases the oversized message itself.
            FullHttpResponse r =
                    HttpResponses.text(
                            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "request body larger than " + maxContentLength() + " bytes\n");
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r)
                    .addListener((ChannelFutureListener) f -> lingeringClose(f.channel()));
        }
    }

    /**
     * How long, and how many bytes, a refused request's rest is read and dropped before the
     * connection is cut.
     */
    static final long LINGER_MILLIS = 2000;

    static final long LINGER_BYTES = 1024 * 1024;

    /**
     * Closes after an answer the client may still be sending a body to: shuts our side down first
     * and drops what still comes (for a bounded time and size). Closing at once with unread bytes
     * makes the kernel send a reset, and the reset can destroy the answer before the client read
     * it.
     */
    static void lingeringClose(Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        if (!(ch instanceof DuplexChannel duplex) || ch.pipeline().get(TLS) != null) {
            ch.close();
            return;
        }
        ChannelPipeline p = ch.pipeline();
        p.addFirst(
                "linger",
                new ChannelInboundHandlerAdapter() {
                    private long dropped;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof ByteBuf b) {
                            dropped += b.readableBytes();
                        }
                        ReferenceCountUtil.release(msg);
                        if (dropped > LINGER_BYTES) {
                            ctx.close();
                        }
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof ChannelInputShutdownEvent) {
                            ctx.close();
                        }
                        ReferenceCountUtil.release(evt);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // First in the pipeline, so only the socket's own errors start here: the
                        // connection's last
                        // handler (router or session) reports and closes (HandlerErrors), as for
                        // any other error.
                        ctx.fireExceptionCaught(cause);
                    }
                });
        ch.config().setAutoRead(true);
        duplex.shutdownOutput();
        ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The connection leaves HTTP: no request header is due any more. */
    private static void noMoreRequests(ChannelPipeline p) {
        if (p.get(HEADER_DEADLINE) != null) {
            p.remove(HEADER_DEADLINE);
        }
        if (p.get(HEADER_SEEN) != null) {
            p.remove(HEADER_SEEN);
        }
    }

    /** Turns the connection into an event stream; the stream handler writes the response head. */
    static void switchToEventStream(ChannelHandlerContext router, EventStreamSession stream) {
        ChannelPipeline p = router.pipeline();
        noMoreRequests(p);
        // Nothing more is read as HTTP: a stream is the connection's last response.
        p.remove(HTTP_AGGREGATOR);
        p.replace(ROUTER, STREAM, stream);
    }
}
