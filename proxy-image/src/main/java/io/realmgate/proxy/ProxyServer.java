package io.realmgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.realmgate.proxy.access.TargetGate;
import io.realmgate.proxy.access.TargetPolicy;
import io.realmgate.proxy.access.TargetResolver;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.http.ProxyFrontendSettings;
import io.realmgate.proxy.http.ProxyPipelines;
import io.realmgate.proxy.tunnel.UpstreamDialer;
import io.realmgate.proxy.tunnel.Watermarks;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy process's network side: one listener, its event loops, and every channel it opened. */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final ProxyConfig config;
    private final TargetResolver resolver;
    private final Transport transport = Transport.best();
    private final ChannelGroup channels = new DefaultChannelGroup("realmgate-proxy", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private ThreadPoolExecutor lookups;
    private Channel listener;

    public ProxyServer(ProxyConfig config) {
        this(config, TargetResolver.SYSTEM);
    }

    public ProxyServer(ProxyConfig config, TargetResolver resolver) {
        this.config = config;
        this.resolver = resolver;
    }

    public ProxyServer start() throws InterruptedException {
        acceptor = transport.newGroup(1, "proxy-accept");
        workers = transport.newGroup(0, "proxy-io");
        // DNS lookups block; they run here, never on an event loop. The queue bounds what waits.
        AtomicInteger n = new AtomicInteger();
        lookups = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "proxy-dns-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        lookups.allowCoreThreadTimeOut(true);
        TargetGate gate = new TargetGate(new TargetPolicy(config.allowConnect()), resolver, lookups);
        UpstreamDialer dialer = new UpstreamDialer(transport, config.connectTimeout());
        ProxyFrontendSettings settings = ProxyFrontendSettings.of(config, gate, dialer);
        ChannelGroup group = channels;
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Watermarks.DEFAULT)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        group.add((Channel) msg); // removed automatically when it closes
                        ctx.fireChannelRead(msg);
                    }
                })
                .childHandler(ProxyPipelines.client(settings));
        try {
            listener = b.bind(config.listen().toSocketAddress()).sync().channel();
        } catch (Exception e) {
            close();
            throw e;
        }
        LOG.info("realmgate proxy listening on {} ({} transport); {} target rule(s), clients {}, via {}",
                address(), transport.name().toLowerCase(java.util.Locale.ROOT), config.allowConnect().size(),
                config.allowClients(), config.via() ? "on as '" + config.name() + "'" : "off");
        if (config.allowConnect().isEmpty()) {
            LOG.warn("no allow-connect rule: every target is refused");
        }
        return this;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Client connections currently open (tunnels count their client leg). */
    public int openClientConnections() {
        return channels.size();
    }

    public Transport transport() {
        return transport;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (lookups != null) {
            lookups.shutdownNow();
        }
    }
}
