package io.realmgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.proxy.access.Refusal;
import io.realmgate.proxy.access.Target;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connection's HTTP front end: takes one request at a time and turns it into a CONNECT
 * tunnel or a forwarded exchange. While a request is in progress the connection reads nothing more
 * (autoRead off); whatever one read already decoded waits in {@link #pending}, which is therefore
 * bounded by a single read.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);

    private enum State {
        IDLE,
        CONNECTING,
        FORWARDING,
        CLOSING
    }

    private final Supplier<ProxyFrontendSettings> currentSettings;

    /**
     * The settings in force for the request being handled: taken fresh for each request (hot
     * reload).
     */
    private ProxyFrontendSettings settings;

    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private State state = State.IDLE;
    private ForwardExchange exchange;
    private boolean clientInputClosed;
    private ChannelHandlerContext ctxOrNull;

    FrontendHandler(Supplier<ProxyFrontendSettings> settings) {
        this.currentSettings = settings;
        this.settings = settings.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case IDLE -> handleIdle(ctx, msg);
            case FORWARDING -> {
                if (msg instanceof HttpContent content && exchange.wantsRequestContent()) {
                    exchange.requestContent(content);
                } else {
                    pending.add(msg);
                }
            }
            case CONNECTING -> {
                // The decoder's end-of-request marker for the CONNECT itself carries nothing.
                if (msg instanceof ByteBuf) {
                    pending.add(msg);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            case CLOSING -> ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.FORWARDING) {
            exchange.flushUpstream();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (state == State.FORWARDING) {
            exchange.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client finished sending. Answer what it asked, then close.
            clientInputClosed = true;
            if (state == State.IDLE && pending.isEmpty()) {
                ctx.close();
            } else if (state == State.FORWARDING
                    && pending.isEmpty()
                    && exchange.wantsRequestContent()) {
                // The decoder has passed on all it could; a body still owed can never arrive.
                // Waiting would
                // leave the origin waiting too, until the idle timeout.
                exchange.clientFinishedEarly();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        releasePending();
        if (exchange != null) {
            exchange.clientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        HandlerErrors.closeOn(ctx, cause, LOG, settings.metrics()::handlerError);
    }

    private void handleIdle(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            // Stray content (for example the tail of a request we already refused): drop it.
            ReferenceCountUtil.release(msg);
            return;
        }
        long start = System.nanoTime();
        settings = currentSettings.get();
        try {
            DecoderResult result = request.decoderResult();
            if (result.isFailure()) {
                Throwable cause = result.cause();
                int status =
                        cause instanceof TooLongHttpHeaderException
                                ? 431
                                : cause instanceof TooLongHttpLineException ? 414 : 400;
                refuse(
                        ctx,
                        request,
                        "-",
                        new Refusal(
                                status,
                                Refusal.Reason.BAD_REQUEST,
                                "malformed request: " + cause.getMessage()),
                        start);
                return;
            }
            String te = request.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
            if (te != null && !te.trim().equalsIgnoreCase("chunked")) {
                // Codings other than plain chunked are where proxies and servers disagree on
                // framing.
                refuse(
                        ctx,
                        request,
                        "-",
                        Refusal.of(
                                Refusal.Reason.BAD_REQUEST,
                                "unsupported Transfer-Encoding '" + te + "'"),
                        start);
                return;
            }
            if (HttpMethod.CONNECT.equals(request.method())) {
                startTunnel(ctx, request, start);
            } else {
                startForward(ctx, request, start);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---- CONNECT ----

    private void startTunnel(ChannelHandlerContext ctx, HttpRequest request, long start) {
        state = State.CONNECTING;
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        // After a CONNECT the connection is either a tunnel or closed: no more HTTP to decode.
        // Bytes
        // the client sent early (a TLS ClientHello) arrive here raw and wait until the tunnel
        // opens.
        ctx.pipeline().remove(ProxyPipelines.DECODER);
        Target target;
        try {
            target = Target.parseAuthority(request.uri());
        } catch (IllegalArgumentException e) {
            refuse(
                    ctx,
                    request,
                    request.uri(),
                    Refusal.of(
                            Refusal.Reason.BAD_REQUEST, "bad CONNECT authority: " + e.getMessage()),
                    start);
            return;
        }
        settings.targets()
                .admit(target, ctx.executor())
                .addListener(
                        admitted -> {
                            if (!admitted.isSuccess()) {
                                refuse(
                                        ctx,
                                        request,
                                        target.toString(),
                                        refusalOf(admitted.cause()),
                                        start);
                                return;
                            }
                            InetSocketAddress address = (InetSocketAddress) admitted.getNow();
                            ChannelFuture dial =
                                    settings.dialer()
                                            .dial(
                                                    client.eventLoop(),
                                                    address,
                                                    ProxyPipelines.tunnelUpstream(
                                                            settings.metrics()));
                            dial.addListener(
                                    (ChannelFutureListener)
                                            connected -> {
                                                if (!connected.isSuccess()) {
                                                    refuse(
                                                            ctx,
                                                            request,
                                                            target.toString(),
                                                            refusalOfConnect(
                                                                    connected.cause(), target),
                                                            start);
                                                    return;
                                                }
                                                if (!client.isActive()) {
                                                    connected.channel().close();
                                                    return;
                                                }
                                                ProxyPipelines.openTunnel(
                                                        ctx,
                                                        connected.channel(),
                                                        drainPending(),
                                                        target.toString(),
                                                        start,
                                                        settings);
                                            });
                        });
    }

    private ArrayDeque<ByteBuf> drainPending() {
        ArrayDeque<ByteBuf> early = new ArrayDeque<>();
        for (Object o; (o = pending.poll()) != null; ) {
            early.add((ByteBuf) o);
        }
        return early;
    }

    // ---- absolute-URI forwarding ----

    private void startForward(ChannelHandlerContext ctx, HttpRequest request, long start) {
        ForwardRequest forward;
        try {
            forward = ForwardRequest.of(request);
        } catch (IllegalArgumentException e) {
            refuse(
                    ctx,
                    request,
                    request.uri(),
                    Refusal.of(Refusal.Reason.BAD_REQUEST, e.getMessage()),
                    start);
            return;
        }
        state = State.FORWARDING;
        ctx.channel().config().setAutoRead(false);
        exchange = new ForwardExchange(ctx, settings, forward, start, this::exchangeDone);
        exchange.start();
    }

    /** Called by the exchange once the response is complete (or the exchange failed). */
    private void exchangeDone(boolean keepAlive) {
        exchange = null;
        ChannelHandlerContext ctx = ctxOrNull;
        if (ctx == null || state == State.CLOSING) {
            return;
        }
        if (!keepAlive) {
            // The exchange closes the connection once its last bytes are out.
            state = State.CLOSING;
            releasePending();
            return;
        }
        state = State.IDLE;
        ctx.pipeline().fireUserEventTriggered(RequestBoundary.AWAITING_HEAD);
        replayPending(ctx);
        if (state == State.IDLE) {
            if (clientInputClosed) {
                ctx.close();
            } else {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            }
        }
    }

    /**
     * Feeds requests that arrived while busy (pipelining) through the same paths as fresh reads.
     */
    private void replayPending(ChannelHandlerContext ctx) {
        while (!pending.isEmpty()) {
            if (state == State.IDLE) {
                handleIdle(ctx, pending.poll());
            } else if (state == State.FORWARDING
                    && pending.peek() instanceof HttpContent
                    && exchange.wantsRequestContent()) {
                exchange.requestContent((HttpContent) pending.poll());
            } else {
                return;
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctxOrNull = ctx;
    }

    // ---- refusals ----

    private void refuse(
            ChannelHandlerContext ctx,
            HttpRequest request,
            String target,
            Refusal refusal,
            long start) {
        state = State.CLOSING;
        settings.metrics().refused(refusal.reason().name().toLowerCase(Locale.ROOT));
        // Bytes a client pipelined after a refused request go nowhere.
        releasePending();
        settings.accessLog()
                .record(
                        ctx.channel().remoteAddress(),
                        request.method().name(),
                        target,
                        refusal.status(),
                        0,
                        0,
                        start,
                        refusal.detail());
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(
                            ProxyResponses.error(
                                    refusal.status(), refusal.detail(), settings.via()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    static Refusal refusalOf(Throwable cause) {
        if (cause instanceof Refusal.RefusedException r) {
            return r.refusal();
        }
        return Refusal.of(Refusal.Reason.UPSTREAM_REFUSED, String.valueOf(cause.getMessage()));
    }

    static Refusal refusalOfConnect(Throwable cause, Target target) {
        if (cause instanceof ConnectTimeoutException) {
            return Refusal.of(
                    Refusal.Reason.UPSTREAM_TIMEOUT, "connecting to " + target + " timed out");
        }
        return Refusal.of(Refusal.Reason.UPSTREAM_REFUSED, "cannot connect to " + target);
    }

    private void releasePending() {
        for (Object o; (o = pending.poll()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }
}
