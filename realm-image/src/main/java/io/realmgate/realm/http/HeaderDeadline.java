package io.realmgate.realm.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.realm.tls.HandshakeOutcome;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code --header-timeout} against slowloris: a request's whole header must arrive within the
 * timeout, counted from the connection's accept for the first request (on the wss listener, the TLS
 * handshake included) and from the first byte of each later one. Bytes that trickle in do not
 * extend it (the idle timeout would be reset by each). Two handlers share the state: {@link
 * #bytes()} before the HTTP codec sees the first byte, {@link #requests()} after it sees the header
 * decoded and the request's end.
 */
final class HeaderDeadline {
    private final long millis;
    private final RealmMetrics metrics;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean awaitingHeader = true;

    HeaderDeadline(long millis, RealmMetrics metrics) {
        this.millis = millis;
        this.metrics = metrics;
    }

    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                arm(ctx); // the first request's header is due from the accept on
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                disarm();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (awaitingHeader && timer == null && msg instanceof ByteBuf b && b.isReadable()) {
                    arm(ctx);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    ChannelHandler requests() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                disarm();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    awaitingHeader = false;
                    disarm();
                }
                if (msg instanceof LastHttpContent) {
                    awaitingHeader = true; // armed again by the next request's first byte
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void arm(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        disarm();
        timer = ctx.executor().schedule(this::expire, millis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        if (!awaitingHeader || !ctx.channel().isActive()) {
            return;
        }
        if (HandshakeOutcome.handshakePending(ctx.channel())) {
            // Still in the TLS handshake: a 408 could not be sent. The SslHandler's own timeout,
            // armed with the
            // same value a moment earlier, normally has closed it already; counted as a TLS timeout
            // either way.
            HandshakeOutcome.end(ctx.channel(), RealmMetrics.TlsFailure.TIMEOUT);
            return;
        }
        metrics.headerTimeout();
        FullHttpResponse r =
                HttpResponses.text(
                        HttpResponseStatus.REQUEST_TIMEOUT, "request header took too long\n");
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Written from behind the codec, so that the codec encodes it.
        ChannelHandlerContext codec = ctx.pipeline().context(RealmPipelines.HEADER_SEEN);
        if (codec == null) {
            ctx.close();
            return;
        }
        // Then a lingering close: bytes may still trickle in.
        codec.writeAndFlush(r)
                .addListener(
                        (ChannelFutureListener) f -> RealmPipelines.lingeringClose(f.channel()));
    }
}
