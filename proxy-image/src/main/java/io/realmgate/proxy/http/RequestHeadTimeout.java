package io.realmgate.proxy.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client gets a fixed time to send a complete request head, counted from the moment the proxy is
 * ready for it; then 408 and close. This is what defeats slowloris, which keeps connections open by
 * sending a header byte now and then: an idle timeout alone never fires on it.
 */
final class RequestHeadTimeout extends ChannelInboundHandlerAdapter {
    private final Duration timeout;
    private final ViaHeader via;
    private ScheduledFuture<?> timer;

    RequestHeadTimeout(Duration timeout, ViaHeader via) {
        this.timeout = timeout;
        this.via = via;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == RequestBoundary.AWAITING_HEAD) {
            arm(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer =
                ctx.executor()
                        .schedule(
                                () -> {
                                    if (ctx.channel().isActive()) {
                                        ctx.channel().config().setAutoRead(false);
                                        ctx.writeAndFlush(
                                                        ProxyResponses.error(
                                                                408,
                                                                "request head not received within "
                                                                        + timeout.toMillis()
                                                                        + " ms",
                                                                via))
                                                .addListener(ChannelFutureListener.CLOSE);
                                    }
                                },
                                timeout.toNanos(),
                                TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
