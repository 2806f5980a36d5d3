package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies bytes from its channel to the peer channel: one relay per direction, one on each leg. Used
 * on NIO (and so behind a TLS-terminating listener); on epoll tunnels relay on their raw sockets
 * ({@link EpollTunnel}). Backpressure: when the peer cannot take more, this leg stops reading until
 * the peer drains ({@code autoRead}, never a growing buffer). Half-close: the FIN read here becomes
 * a FIN written to the peer after what was already relayed, and the other direction keeps flowing;
 * a leg closes once both of its directions are done.
 */
public final class TunnelRelay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelRelay.class);
    private final Channel peer;
    private final TunnelStats stats;
    private final boolean upstreamBound;

    /**
     * @param peer where bytes read on this leg go
     * @param upstreamBound true on the client leg (bytes travel client to target)
     */
    public TunnelRelay(Channel peer, TunnelStats stats, boolean upstreamBound) {
        this.peer = peer;
        this.stats = stats;
        this.upstreamBound = upstreamBound;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().closeFuture().addListener(f -> stats.legClosed());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!peer.isActive()) {
            buf.release();
            return;
        }
        if (upstreamBound) {
            stats.bytesUp += buf.readableBytes();
        } else {
            stats.bytesDown += buf.readableBytes();
        }
        peer.write(buf, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This leg drained what the peer sent it: let the peer read again.
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            // Everything read before the FIN is queued on the peer; the FIN goes after it.
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(
                            (ChannelFutureListener)
                                    f -> {
                                        if (peer instanceof DuplexChannel d && d.isActive()) {
                                            d.shutdownOutput().addListener(x -> closeIfDone(peer));
                                        } else {
                                            peer.close();
                                        }
                                    });
            closeIfDone(self);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static void closeIfDone(Channel ch) {
        if (ch instanceof DuplexChannel d && d.isInputShutdown() && d.isOutputShutdown()) {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset on one leg ends the tunnel: there is no way to carry on half of a byte stream.
        HandlerErrors.report(ctx, cause, LOG, stats.metrics()::handlerError);
        ctx.close();
        peer.close();
    }
}
