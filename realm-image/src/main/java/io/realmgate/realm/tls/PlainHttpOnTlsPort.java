package io.realmgate.realm.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.realm.ops.RealmMetrics.TlsFailure;
import java.nio.charset.StandardCharsets;

/**
 * In front of the {@link io.netty.handler.ssl.SslHandler}, for the first bytes only: a connection
 * that starts with an ASCII capital letter is plain HTTP ({@code GET / HTTP/1.1}) sent to the TLS
 * port, since a TLS record starts with a content type of 20 to 23 and an SSLv2-style hello with its
 * top bit set. It gets a fixed {@code 400} in clear text saying so, and the connection is closed;
 * nothing of the request is read further or echoed. The handshake failure that follows is counted
 * as {@code not-tls}. Anything else goes on to the SslHandler, which refuses non-TLS bytes itself.
 */
public final class PlainHttpOnTlsPort extends ChannelInboundHandlerAdapter {
    private static final byte[] ANSWER;

    static {
        byte[] body =
                "this port speaks TLS: use https:// or wss://\n"
                        .getBytes(StandardCharsets.US_ASCII);
        String head =
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                        + body.length
                        + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        ANSWER = new byte[h.length + body.length];
        System.arraycopy(h, 0, ANSWER, 0, h.length);
        System.arraycopy(body, 0, ANSWER, h.length, body.length);
    }

    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused request, until the close
            return;
        }
        if (!(msg instanceof ByteBuf b) || !b.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        byte first = b.getByte(b.readerIndex());
        if (first < 'A' || first > 'Z') {
            ctx.pipeline().remove(this); // one look at the first byte is all it takes
            ctx.fireChannelRead(msg);
            return;
        }
        refused = true;
        ReferenceCountUtil.release(msg);
        HandshakeOutcome.endingAs(ctx.channel(), TlsFailure.NOT_TLS);
        // Written and closed from here, in front of the SslHandler: in clear text, and no TLS alert
        // after it.
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
    }
}
