package io.realmgate.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.proxy.ops.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The upstream leg of a forwarded request: hands each decoded response part to its exchange. */
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
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.upstreamInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        HandlerErrors.closeOn(ctx, cause, LOG, metrics::handlerError);
    }
}
