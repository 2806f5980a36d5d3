package io.realmgate.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.proxy.ops.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream leg of a forwarded request: hands each decoded response part to its exchange, and
 * tells it when the origin's side ends (FIN, reset, close) so an incomplete response is aborted.
 */
final class ForwardResponseRelay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardResponseRelay.class);
    private final ForwardExchange exchange;
    private final ProxyMetrics metrics;

    ForwardResponseRelay(ForwardExchange exchange, ProxyMetrics metrics) {
        this.exchange = exchange;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject o) {
            exchange.response(o);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        exchange.responseReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        exchange.upstreamWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The origin's FIN: the connection allows half-closure, so it stays open and no
            // channelInactive would come. The decoder in front has already turned the FIN into the
            // end of a body delimited by close, if that is what the response had.
            exchange.upstreamEnded();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.upstreamEnded();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Before the close: a reset must not let the decoder's end-at-close pass for a whole body.
        exchange.upstreamFailed(cause);
        HandlerErrors.closeOn(ctx, cause, LOG, metrics::handlerError);
    }
}
