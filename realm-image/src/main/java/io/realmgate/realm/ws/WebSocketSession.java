package io.realmgate.realm.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.realm.http.RealmContext;
import io.realmgate.realm.hub.ClientMessage;
import io.realmgate.realm.hub.Frame;
import io.realmgate.realm.hub.Frames;
import io.realmgate.realm.hub.HubException;
import io.realmgate.realm.hub.Outbox;
import io.realmgate.realm.hub.Subscriptions;
import io.realmgate.realm.ops.RealmMetrics;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection speaking protocol v1: reads client messages (whole, after the frame
 * aggregator), answers them, and writes the frames its {@link Outbox} holds while the socket is
 * writable. While the socket is not writable it also stops reading: each message it reads may add
 * an answer, so a client that does not read cannot make it queue without bound.
 */
public final class WebSocketSession extends ChannelInboundHandlerAdapter implements Outbox.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketSession.class);

    /**
     * How long a close frame may take to leave before the connection is cut. It waits behind what
     * is already queued for the socket (up to the high water mark) and the kernel's send buffer
     * (megabytes once autotuned): a dropped slow consumer that still reads gets its 4008 if it
     * reads that much in this time; one that stopped reading holds its connection no longer than
     * this.
     */
    private static final long CLOSE_GRACE_MILLIS = 10_000;

    private final RealmContext realm;
    private final RealmMetrics.Listener listener;
    private final WebSocketServerHandshaker handshaker;
    private ChannelHandlerContext ctx;
    private Outbox outbox;
    private Subscriptions subscriptions;
    private ReplayBudget replay;
    private boolean closing;

    public WebSocketSession(
            RealmContext realm,
            RealmMetrics.Listener listener,
            WebSocketServerHandshaker handshaker) {
        this.realm = realm;
        this.listener = listener;
        this.handshaker = handshaker;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        outbox =
                new Outbox(
                        ctx.executor(),
                        realm.config().queueEvents(),
                        realm.config().queueBytes(),
                        this);
        subscriptions = new Subscriptions(realm.hub(), outbox, realm.config().maxSubscriptions());
        replay = new ReplayBudget(realm.config().replayRate());
        // Charged when the engine delivers a replay, which the redis engine does after a read.
        outbox.chargeReplaysTo(replay::charge);
        realm.metrics().connectionOpened(RealmMetrics.Transport.WEBSOCKET, listener);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof TextWebSocketFrame text) {
                onMessage(text.content());
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(
                        new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (close.content().readableBytes() >= 2 && !validCloseCode(close.statusCode())) {
                    // Netty's decoder lets codes of 5000 and above through; RFC 6455 7.4 does not.
                    realm.metrics().protocolError();
                    close(CloseCodes.PROTOCOL_ERROR, "invalid close code " + close.statusCode());
                    return;
                }
                closing = true;
                subscriptions.close();
                // Echo the close (RFC 6455 5.5.1); the handshaker closes the connection after it.
                handshaker.close(ctx, close.retain());
            } else if (msg instanceof BinaryWebSocketFrame) {
                realm.metrics().protocolError();
                close(CloseCodes.UNSUPPORTED_DATA, "protocol v1 takes JSON text frames only");
            }
            // Pongs only prove the peer is alive; reading them already reset the idle timer.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onMessage(ByteBuf content) {
        ClientMessage m;
        try {
            m = ClientMessage.parse(ByteBufUtil.getBytes(content));
        } catch (ClientMessage.Invalid e) {
            realm.metrics().protocolError();
            outbox.deliver(e.toFrame());
            return;
        }
        try {
            switch (m.op()) {
                case SUBSCRIBE -> {
                    if (m.from() < 0) {
                        subscriptions.subscribe(m.channel(), m.position(), m.ref());
                    } else {
                        try {
                            replay.admit();
                        } catch (HubException e) {
                            realm.metrics().replayRefused();
                            throw e;
                        }
                        subscriptions.subscribe(m.channel(), m.position(), m.ref());
                    }
                }
                case UNSUBSCRIBE -> subscriptions.unsubscribe(m.channel());
                case PUBLISH -> {
                    JsonNode ref = m.ref();
                    // The ack waits until the engine stored the event; an engine answers acks in
                    // the order of the publishes, and the outbox keeps that order.
                    realm.hub()
                            .publish(m.channel(), m.data())
                            .whenComplete(
                                    (id, failure) -> {
                                        if (failure == null) {
                                            outbox.deliver(Frames.ack(ref, id));
                                        } else {
                                            outbox.deliver(
                                                    Frames.error(HubException.of(failure), ref));
                                        }
                                    });
                }
            }
        } catch (HubException e) {
            realm.metrics().protocolError();
            outbox.deliver(Frames.error(e, m.ref()));
        }
    }

    // ---- Outbox.Sink: writing queued frames ----

    @Override
    public boolean ready() {
        return ctx.channel().isWritable() && !closing;
    }

    @Override
    public void write(Frame frame) {
        // Ready-made frame bytes, past the WebSocket encoder (TextFrames says why).
        ctx.write(TextFrames.encode(ctx.alloc(), frame.json()), ctx.voidPromise());
        if (frame.kind() == Frame.Kind.EVENT) {
            realm.metrics().delivered(RealmMetrics.Transport.WEBSOCKET);
        }
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void overflow() {
        realm.metrics().slowConsumer();
        close(CloseCodes.SLOW_CONSUMER, "slow consumer: reconnect and resume with from");
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        ctx.channel().config().setAutoRead(writable);
        if (writable) {
            outbox.drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (idle.isFirst()) {
                // Nothing heard for a ping interval: ask. Any answer (or any message) resets the
                // timer.
                ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER), ctx.voidPromise());
            } else {
                realm.metrics().deadPeer();
                close(CloseCodes.PING_TIMEOUT, "no answer to ping");
            }
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // A fragmented message grew past --max-message (a single too-large frame is refused by
            // the decoder itself, which sends 1009 and closes).
            realm.metrics().protocolError();
            close(
                    CloseCodes.MESSAGE_TOO_BIG,
                    "message larger than " + realm.config().maxMessageBytes() + " bytes");
        } else if (cause instanceof CorruptedWebSocketFrameException corrupt) {
            // The decoder and the UTF-8 validator only report (closeOnProtocolViolation off): the
            // matching close frame (1002/1007/1009) is sent here, also after an invalid close
            // frame.
            realm.metrics().protocolError();
            String reason =
                    corrupt.getMessage() == null
                            ? corrupt.closeStatus().reasonText()
                            : corrupt.getMessage();
            close(
                    corrupt.closeStatus().code(),
                    reason.length() > 100 ? reason.substring(0, 100) : reason);
        } else {
            HandlerErrors.closeOn(ctx, cause, LOG, realm.metrics()::handlerError);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        subscriptions.close();
        realm.metrics().connectionClosed(RealmMetrics.Transport.WEBSOCKET, listener);
        ctx.fireChannelInactive();
    }

    /** RFC 6455 7.4: the codes a peer may send (1004-1006 and 1015 never travel in a frame). */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /**
     * Sends a close frame (after what is already in the socket) and cuts the connection soon after.
     * Only for ending a connection because of its client: each call is counted by code.
     */
    void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        realm.metrics().webSocketRefused(code);
        subscriptions.close();
        ctx.channel().config().setAutoRead(true);
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason))
                .addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
