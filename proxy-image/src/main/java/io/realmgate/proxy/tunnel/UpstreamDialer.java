package io.realmgate.proxy.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.realmgate.common.Transport;
import io.realmgate.proxy.ops.ProxyMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Opens the upstream leg on the client's own event loop, so both legs of a tunnel share one thread
 * and relay without cross-thread hand-offs. It starts with autoRead off: nothing is read from the
 * target before the relay is in place.
 */
public final class UpstreamDialer {
    private final Transport transport;
    private final Duration connectTimeout;
    private final ProxyMetrics metrics;

    public UpstreamDialer(Transport transport, Duration connectTimeout, ProxyMetrics metrics) {
        this.transport = transport;
        this.connectTimeout = connectTimeout;
        this.metrics = metrics;
    }

    public ChannelFuture dial(
            EventLoop loop, InetSocketAddress address, ChannelHandler initializer) {
        long start = System.nanoTime();
        ChannelFuture f =
                new Bootstrap()
                        .group(loop)
                        .channel(transport.channel())
                        .option(
                                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .option(ChannelOption.AUTO_READ, false)
                        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Watermarks.DEFAULT)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, Watermarks.reads())
                        .handler(initializer)
                        .connect(address);
        f.addListener(
                done -> {
                    if (done.isSuccess()) {
                        metrics.upstreamConnected(System.nanoTime() - start);
                    }
                });
        return f;
    }

    /** The upstream channel type, for callers that need it in a pipeline. */
    public Class<? extends Channel> channelType() {
        return transport.channel();
    }
}
