package io.realmgate.realm.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.realm.hub.Frame;
import io.realmgate.realm.hub.Frames;
import io.realmgate.realm.hub.HubException;
import io.realmgate.realm.hub.Outbox;
import io.realmgate.realm.hub.Position;
import io.realmgate.realm.hub.Subscriptions;
import io.realmgate.realm.ops.RealmMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event stream ({@code text/event-stream}): each server frame of protocol v1 is one SSE message,
 * {@code data: <frame JSON>}. No SSE {@code id:} is sent: a browser's automatic reconnect would
 * resume only one channel, so the browser client reconnects by itself with {@code sub=NAME:LASTID}
 * for each channel. Heartbeat comments keep proxies from timing the stream out.
 */
final class EventStreamSession extends ChannelInboundHandlerAdapter implements Outbox.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(EventStreamSession.class);
    static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

    private final RealmContext realm;
    private final RealmMetrics.Listener listener;
    private final Map<String, Position> subs;
    private final io.realmgate.realm.ws.ReplayBudget replay;
    private ChannelHandlerContext ctx;
    private Outbox outbox;
    private Subscriptions subscriptions;
    private boolean ending;

    EventStreamSession(
            RealmContext realm,
            RealmMetrics.Listener listener,
            Map<String, Position> subs,
            io.realmgate.realm.ws.ReplayBudget replay) {
        this.realm = realm;
        this.replay = replay;
        this.listener = listener;
        this.subs = subs;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        realm.metrics().connectionOpened(RealmMetrics.Transport.STREAM, listener);
        outbox =
                new Outbox(
                        ctx.executor(),
                        realm.config().queueEvents(),
                        realm.config().queueBytes(),
                        this);
        // The router admitted the replay; what it replays is charged as the engine delivers it.
        outbox.chargeReplaysTo(replay::charge);
        subscriptions = new Subscriptions(realm.hub(), outbox, realm.config().maxSubscriptions());
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        head.headers()
                .set(
                        "X-Accel-Buffering",
                        "no"); // tells buffering reverse proxies to pass each event on
        HttpResponses.allowAnyOrigin(head.headers());
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        // A first comment so that the head and some body leave at once (some proxies hold a
        // bodiless head).
        ctx.writeAndFlush(
                new DefaultHttpContent(
                        ctx.alloc()
                                .buffer(16)
                                .writeBytes(": realm\n\n".getBytes(StandardCharsets.US_ASCII))));
        for (Map.Entry<String, Position> e : subs.entrySet()) {
            try {
                subscriptions.subscribe(e.getKey(), e.getValue(), null);
            } catch (HubException ex) {
                outbox.deliver(Frames.error(ex, null));
            }
        }
    }

    @Override
    public boolean ready() {
        return ctx.channel().isWritable() && !ending;
    }

    @Override
    public void write(Frame frame) {
        // The SSE message is encoded once per frame and shared by every stream (Frame.sse()).
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(frame.sse())), ctx.voidPromise());
        if (frame.kind() == Frame.Kind.EVENT) {
            realm.metrics().delivered(RealmMetrics.Transport.STREAM);
        }
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void overflow() {
        // Too slow: end the stream. The client reconnects with its last ids and replays from
        // retention.
        realm.metrics().slowConsumer();
        ending = true;
        subscriptions.close();
        Frame error =
                Frames.error(
                        "slow-consumer",
                        "the stream fell too far behind and is closed; reconnect from the last id",
                        null);
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(error.sse())));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                .addListener(ChannelFutureListener.CLOSE);
        // A peer that reads nothing never lets those bytes out: do not wait for it.
        ctx.executor().schedule(() -> ctx.close(), 2, TimeUnit.SECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            outbox.drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // A stream is the connection's last response; anything the client sends now is ignored.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle
                && idle.state() == IdleState.WRITER_IDLE
                && !ending) {
            ctx.writeAndFlush(
                    new DefaultHttpContent(
                            ctx.alloc()
                                    .buffer(4)
                                    .writeBytes(":\n\n".getBytes(StandardCharsets.US_ASCII))));
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        subscriptions.close();
        realm.metrics().connectionClosed(RealmMetrics.Transport.STREAM, listener);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        HandlerErrors.closeOn(ctx, cause, LOG, realm.metrics()::handlerError);
    }
}
