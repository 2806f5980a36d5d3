package io.realmgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses request heads with obsolete line folding (a header line that starts with a space or tab).
 * Netty's decoder would join such a line to the previous header, while another server in the chain
 * may not: that disagreement is a request-smuggling vector, so the proxy answers 400 and closes
 * instead of guessing. It watches raw bytes from the start of a head to its blank line, then lets
 * bytes through unexamined until the front end announces the next head.
 */
final class RequestHeadGuard extends ChannelInboundHandlerAdapter {
    private final ViaHeader via;
    private boolean inHead = true;
    private boolean atLineStart = true;
    private int lineLength;
    private int linesInHead;
    private boolean refused;

    RequestHeadGuard(ViaHeader via) {
        this.via = via;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inHead && msg instanceof ByteBuf buf && !scan(buf)) {
            refused = true;
            buf.release();
            ctx.channel().config().setAutoRead(false);
            ctx.pipeline()
                    .fireUserEventTriggered(RequestBoundary.AWAITING_HEAD); // stops the head timer
            ctx.pipeline().remove(ProxyPipelines.DECODER);
            ctx.channel()
                    .writeAndFlush(
                            ProxyResponses.error(400, "obsolete line folding in request head", via))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Returns false on a folded line. */
    private boolean scan(ByteBuf buf) {
        for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end && inHead; i++) {
            byte b = buf.getByte(i);
            if (b == '\n') {
                if (lineLength > 0) {
                    linesInHead++;
                } else if (linesInHead > 0) {
                    inHead = false; // the blank line: the head is complete
                } // blank lines before the request line are tolerated (RFC 9112 section 2.2)
                lineLength = 0;
                atLineStart = true;
            } else if (b != '\r') { // a bare CR is the decoder's to refuse
                if (atLineStart && linesInHead > 0 && (b == ' ' || b == '\t')) {
                    return false;
                }
                atLineStart = false;
                lineLength++;
            }
        }
        return true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == RequestBoundary.AWAITING_HEAD && !refused) {
            inHead = true;
            atLineStart = true;
            lineLength = 0;
            linesInHead = 0;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
