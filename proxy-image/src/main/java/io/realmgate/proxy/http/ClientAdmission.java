package io.realmgate.proxy.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.proxy.access.ClientPolicy;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.ProxyMetrics;
import java.net.InetSocketAddress;

/**
 * Apache's {@code Allow from}: a client outside the allowed blocks gets 403 to its first request
 * and the connection closes; nothing it sends reaches the rest of the pipeline. An allowed client's
 * pipeline drops this handler at once.
 */
final class ClientAdmission extends ChannelInboundHandlerAdapter {
    private final ClientPolicy policy;
    private final ViaHeader via;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private boolean refused;
    private boolean answered;
    private long start;

    ClientAdmission(ClientPolicy policy, ViaHeader via, ProxyMetrics metrics, AccessLog accessLog) {
        this.policy = policy;
        this.via = via;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        if (remote != null && policy.admits(remote.getAddress())) {
            ctx.pipeline().remove(this);
        } else {
            refused = true;
            start = System.nanoTime();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!refused) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (msg instanceof HttpRequest req && !answered) {
                answered = true;
                metrics.refused("client_not_allowed");
                accessLog.record(
                        ctx.channel().remoteAddress(),
                        req.method().name(),
                        "-",
                        403,
                        0,
                        0,
                        start,
                        "client not allowed");
                ctx.writeAndFlush(ProxyResponses.error(403, "client address not allowed", via))
                        .addListener(ChannelFutureListener.CLOSE);
                ctx.channel().config().setAutoRead(false);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }
}
