package io.realmgate.realm.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * The end of one client connection's pipeline: reports the handshake, frames and the end to the
 * client.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
    private static final int ABNORMAL = 1006;

    private final RealmClient client;
    private CompletableFuture<Void> firstConnect;
    private int closeCode = ABNORMAL;
    private String closeReason = "";
    private Throwable cause;
    private boolean reported;
    private Channel channel;

    ClientSession(RealmClient client) {
        this.client = client;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    void onHandshake(CompletableFuture<Void> firstConnect) {
        this.firstConnect = firstConnect;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            client.opened(ctx.channel(), firstConnect);
            firstConnect = null;
        } else if (evt
                == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            cause = new RealmClientException("timeout", "WebSocket handshake timed out");
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame text) {
                client.onFrame(text);
            } else if (msg instanceof CloseWebSocketFrame close) {
                closeCode = close.statusCode() < 0 ? 1005 : close.statusCode();
                closeReason = close.reasonText();
                // Answer the close (RFC 6455 5.5.1), then let the server end the TCP connection.
                ctx.writeAndFlush(new CloseWebSocketFrame(closeCode == 1005 ? 1000 : closeCode, ""))
                        .addListener(f -> ctx.close());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (this.cause == null) {
            this.cause = cause;
        }
        ctx.close();
    }

    void failed(Throwable cause) {
        if (this.cause == null) {
            this.cause = cause;
        }
        report();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        report();
        ctx.fireChannelInactive();
    }

    private void report() {
        if (reported) {
            return;
        }
        reported = true;
        String reason = closeReason;
        if (closeCode == ABNORMAL && cause != null) {
            reason = String.valueOf(cause.getMessage());
        }
        client.ended(channel, closeCode, reason, cause, firstConnect);
    }
}
