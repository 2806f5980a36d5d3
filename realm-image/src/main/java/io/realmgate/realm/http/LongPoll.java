package io.realmgate.realm.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.realmgate.realm.hub.Frame;
import io.realmgate.realm.hub.HubException;
import io.realmgate.realm.hub.Outbox;
import io.realmgate.realm.hub.Position;
import io.realmgate.realm.hub.Subscriptions;
import io.realmgate.realm.ops.RealmMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One long-poll request: subscribes like any connection (so replay and ids are the same as on a
 * WebSocket), then answers {@code {"frames":[...]}} as soon as an event or error is there, or with
 * just the {@code subscribed} frames when {@code wait} seconds pass. The client polls again with
 * {@code sub=NAME:LASTID}. If a burst overflows the queue the answer goes out at once with what
 * fitted, in order; the client's next poll resumes after it from retention, so nothing is skipped.
 */
final class LongPoll implements Outbox.Sink {
    private final ChannelHandlerContext ctx;
    private final RealmContext realm;
    private final RealmMetrics.Listener listener;
    private final Map<String, Position> subs;
    private final int waitSeconds;
    private final boolean keepAlive;
    private final Runnable done;
    private final io.realmgate.realm.ws.ReplayBudget replay;
    private final Outbox outbox;
    private final Subscriptions subscriptions;
    private final List<Frame> collected = new ArrayList<>();
    private boolean hasNews;
    private boolean finished;

    /**
     * {@code wait=0}: answer once every subscription is in place (its {@code subscribed} frame
     * came, with the replay in the same batch), which an engine with a store elsewhere does after
     * {@link #start} returned.
     */
    private boolean answerWhenPlaced;

    private int placed;
    private ScheduledFuture<?> timer;

    /** The longest a {@code wait=0} poll waits for its subscriptions to be in place. */
    static final int PLACE_WAIT_SECONDS = 5;

    LongPoll(
            ChannelHandlerContext ctx,
            RealmContext realm,
            RealmMetrics.Listener listener,
            Map<String, Position> subs,
            int waitSeconds,
            boolean keepAlive,
            io.realmgate.realm.ws.ReplayBudget replay,
            Runnable done) {
        this.replay = replay;
        this.ctx = ctx;
        this.realm = realm;
        this.listener = listener;
        this.subs = subs;
        this.waitSeconds = waitSeconds;
        this.keepAlive = keepAlive;
        this.done = done;
        this.outbox =
                new Outbox(
                        ctx.executor(),
                        realm.config().queueEvents(),
                        realm.config().queueBytes(),
                        this);
        // The router admitted the replay; what it replays is charged as the engine delivers it.
        outbox.chargeReplaysTo(replay::charge);
        this.subscriptions =
                new Subscriptions(realm.hub(), outbox, realm.config().maxSubscriptions());
    }

    void start() {
        realm.metrics().connectionOpened(RealmMetrics.Transport.LONGPOLL, listener);
        for (Map.Entry<String, Position> e : subs.entrySet()) {
            try {
                subscriptions.subscribe(e.getKey(), e.getValue(), null);
            } catch (HubException ex) {
                collected.add(io.realmgate.realm.hub.Frames.error(ex, null));
                hasNews = true;
            }
        }
        if (hasNews) {
            answer();
            return;
        }
        if (waitSeconds == 0) {
            answerWhenPlaced = true;
            // The memory engine queued everything already; the drain task that follows this one
            // delivers it, and this task, after it, answers with the replay.
            ctx.executor()
                    .execute(
                            () -> {
                                if (placed >= subscriptions.size()) {
                                    answer();
                                }
                            });
            // Another engine's answers may be slow (Redis away): never hold a wait=0 poll long.
            timer = ctx.executor().schedule(this::answer, PLACE_WAIT_SECONDS, TimeUnit.SECONDS);
        } else {
            timer = ctx.executor().schedule(this::answer, waitSeconds, TimeUnit.SECONDS);
        }
    }

    @Override
    public boolean ready() {
        return !finished;
    }

    @Override
    public void write(Frame frame) {
        collected.add(frame);
        if (frame.kind() == Frame.Kind.SUBSCRIBED) {
            placed++;
        }
        if (frame.kind() != Frame.Kind.SUBSCRIBED) {
            hasNews = true;
        }
        if (frame.kind() == Frame.Kind.EVENT) {
            realm.metrics().delivered(RealmMetrics.Transport.LONGPOLL);
        }
    }

    @Override
    public void flush() {
        if (hasNews || (answerWhenPlaced && placed >= subscriptions.size())) {
            answer();
        }
    }

    @Override
    public void overflow() {
        outbox.drain();
        answer();
    }

    void cancel() {
        if (!finished) {
            finished = true;
            end();
        }
    }

    private void answer() {
        if (finished) {
            return;
        }
        finished = true;
        end();
        if (!ctx.channel().isActive()) {
            return;
        }
        int size = 12;
        for (Frame f : collected) {
            size += f.size() + 1;
        }
        ByteBuf body = ctx.alloc().buffer(size);
        body.writeCharSequence("{\"frames\":[", StandardCharsets.US_ASCII);
        for (int i = 0; i < collected.size(); i++) {
            if (i > 0) {
                body.writeByte(',');
            }
            body.writeBytes(collected.get(i).json());
        }
        body.writeCharSequence("]}", StandardCharsets.US_ASCII);
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpResponses.allowAnyOrigin(r.headers());
        collected.clear();
        HttpResponses.send(ctx, r, keepAlive);
    }

    private void end() {
        if (timer != null) {
            timer.cancel(false);
        }
        subscriptions.close();
        realm.metrics().connectionClosed(RealmMetrics.Transport.LONGPOLL, listener);
        done.run();
    }
}
