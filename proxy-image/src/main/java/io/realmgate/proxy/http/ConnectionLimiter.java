package io.realmgate.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.ProxyMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps client connections, all clients together and per client address, so one client (or a flood)
 * cannot take every file descriptor. Over a cap, the connection gets 503 and is closed before any
 * request is read. Shared by every client channel of a listener.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final byte[] TOO_MANY =
            ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                            + "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n")
                    .getBytes(StandardCharsets.US_ASCII);

    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perClient =
            new ConcurrentHashMap<>();
    private volatile int maxTotal;
    private volatile int maxPerClient;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;

    public ConnectionLimiter(
            int maxTotal, int maxPerClient, ProxyMetrics metrics, AccessLog accessLog) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    /** New limits apply to connections that arrive from now on. */
    public void setLimits(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    public int open() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long start = System.nanoTime();
        InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        AtomicInteger mine = perClient.computeIfAbsent(client, k -> new AtomicInteger());
        int all = total.incrementAndGet();
        int own = mine.incrementAndGet();
        ctx.channel()
                .closeFuture()
                .addListener(
                        f -> {
                            total.decrementAndGet();
                            if (mine.decrementAndGet() == 0) {
                                perClient.remove(client, mine);
                            }
                        });
        if (all > maxTotal || own > maxPerClient) {
            metrics.refused("connection_limit");
            accessLog.record(
                    ctx.channel().remoteAddress(),
                    "-",
                    "-",
                    503,
                    0,
                    0,
                    start,
                    all > maxTotal ? "proxy connection limit" : "per-client connection limit");
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
