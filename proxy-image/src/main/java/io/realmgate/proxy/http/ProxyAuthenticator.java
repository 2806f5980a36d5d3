package io.realmgate.proxy.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.proxy.access.AuthThrottle;
import io.realmgate.proxy.access.ProxyUsers;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.ProxyMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Basic proxy authentication: every request must carry valid {@code Proxy-Authorization}, or it
 * gets 407 with {@code Proxy-Authenticate} and the connection closes. bcrypt runs on a worker pool,
 * never on the event loop; while it runs the connection reads nothing and holds what one read had
 * already decoded. Verified credentials are remembered for a few minutes by digest (never the
 * password) so keep-alive clients and tunnel bursts do not pay bcrypt each time. The header never
 * reaches the log, and is removed before forwarding (see {@link HopByHopHeaders}).
 */
final class ProxyAuthenticator extends ChannelInboundHandlerAdapter {
    private final ProxyUsers users;
    private final AuthCache cache;
    private final AuthThrottle throttle;
    private final Executor workers;
    private final ViaHeader via;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean verifying;
    private boolean refused;

    ProxyAuthenticator(
            ProxyUsers users,
            AuthCache cache,
            AuthThrottle throttle,
            Executor workers,
            ViaHeader via,
            ProxyMetrics metrics,
            AccessLog accessLog) {
        this.users = users;
        this.cache = cache;
        this.throttle = throttle;
        this.workers = workers;
        this.via = via;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (verifying) {
            held.add(msg);
            return;
        }
        if (!(msg instanceof HttpRequest request) || request.decoderResult().isFailure()) {
            ctx.fireChannelRead(
                    msg); // request bodies of verified requests, and malformed heads (answered 400
            // downstream)
            return;
        }
        InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        String header = request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
        Optional<ProxyUsers.Credentials> credentials = ProxyUsers.Credentials.parse(header);
        if (credentials.isPresent() && cache.contains(credentials.get().fingerprint())) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (credentials.isEmpty()) {
            refuse(ctx, request, 407, "proxy authentication required", "auth_missing");
            ReferenceCountUtil.release(msg);
            return;
        }
        if (throttle.blocked(client)) {
            refuse(
                    ctx,
                    request,
                    429,
                    "too many failed proxy logins; try again later",
                    "auth_throttled");
            ReferenceCountUtil.release(msg);
            return;
        }
        verifying = true;
        held.add(msg);
        ctx.channel().config().setAutoRead(false);
        try {
            workers.execute(
                    () -> {
                        boolean ok = users.verify(header).isPresent();
                        ctx.executor()
                                .execute(
                                        () ->
                                                verified(
                                                        ctx,
                                                        request,
                                                        credentials.get(),
                                                        client,
                                                        ok));
                    });
        } catch (RejectedExecutionException e) {
            verified(ctx, request, credentials.get(), client, false);
        }
    }

    private void verified(
            ChannelHandlerContext ctx,
            HttpRequest request,
            ProxyUsers.Credentials credentials,
            InetAddress client,
            boolean ok) {
        verifying = false;
        if (!ok) {
            throttle.failed(client);
            refuse(ctx, request, 407, "proxy credentials not accepted", "auth_failed");
            releaseHeld();
            return;
        }
        throttle.succeeded(client);
        cache.add(credentials.fingerprint());
        // Hand over in order; the front end decides when to read again.
        while (!held.isEmpty() && !verifying && !refused) {
            channelRead(ctx, held.poll());
        }
    }

    private void refuse(
            ChannelHandlerContext ctx, HttpRequest request, int status, String why, String reason) {
        refused = true;
        metrics.refused(reason);
        accessLog.record(
                ctx.channel().remoteAddress(),
                request.method().name(),
                "-",
                status,
                0,
                0,
                System.nanoTime(),
                why);
        ctx.channel().config().setAutoRead(false);
        FullHttpResponse r = ProxyResponses.error(status, why, via);
        if (status == 407) {
            r.headers()
                    .set(
                            HttpHeaderNames.PROXY_AUTHENTICATE,
                            "Basic realm=\"realmgate\", charset=\"UTF-8\"");
        }
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseHeld() {
        for (Object o; (o = held.poll()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }
}
