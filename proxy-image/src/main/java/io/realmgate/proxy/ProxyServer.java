package io.realmgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.ListenerAddresses;
import io.realmgate.common.Transport;
import io.realmgate.proxy.access.AuthThrottle;
import io.realmgate.proxy.access.ProxyUsers;
import io.realmgate.proxy.access.TargetGate;
import io.realmgate.proxy.access.TargetPolicy;
import io.realmgate.proxy.access.TargetResolver;
import io.realmgate.proxy.config.ConfigException;
import io.realmgate.proxy.config.FileStamp;
import io.realmgate.proxy.config.ListenAddress;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.http.ConnectionLimiter;
import io.realmgate.proxy.http.ProxyFrontendSettings;
import io.realmgate.proxy.http.ProxyPipelines;
import io.realmgate.proxy.http.TransparentPipelines;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.AdminServer;
import io.realmgate.proxy.ops.ProxyMetrics;
import io.realmgate.proxy.tls.ReloadingServerTls;
import io.realmgate.proxy.tunnel.RelayMode;
import io.realmgate.proxy.tunnel.UpstreamDialer;
import io.realmgate.proxy.tunnel.Watermarks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy process's network side: its listeners (explicit proxy, optional transparent and admin),
 * the event loops, every client channel, and the things that change while it runs (config reload,
 * certificate reload, drain).
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    private final TargetResolver resolver;

    /**
     * Chosen at start: epoll (tunnels spliced) unless NIO is asked for or the listener terminates
     * TLS.
     */
    private final Transport preferred;

    private Transport transport;
    private final ChannelGroup clients =
            new DefaultChannelGroup("realmgate-clients", GlobalEventExecutor.INSTANCE);
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final AtomicReference<ProxyConfig> config = new AtomicReference<>();
    private final AtomicReference<ProxyFrontendSettings> settings = new AtomicReference<>();
    private final io.realmgate.proxy.http.AuthCache authCache =
            new io.realmgate.proxy.http.AuthCache();
    private final AuthThrottle authThrottle = new AuthThrottle(5, Duration.ofMinutes(1));
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private ThreadPoolExecutor blocking;
    private ConnectionLimiter limiter;
    private ReloadingServerTls tls;
    private Channel listener;
    private Channel transparentListener;

    /** Every listening socket (several per address with SO_REUSEPORT). */
    private final List<Channel> extraListeners = new CopyOnWriteArrayList<>();

    private AdminServer admin;
    private ScheduledExecutorService watcherThread;
    private volatile boolean draining;

    /** Warm-up tunnels to run before the listeners open (TunnelWarmUp); none unless asked for. */
    private int warmUpTunnels;

    private TunnelWarmUp.Outcome warmUp =
            new TunnelWarmUp.Outcome(0, Duration.ZERO, Optional.empty());
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * The transport {@code REALMGATE_TRANSPORT} asks for (an invalid value is an
     * IllegalArgumentException).
     */
    public ProxyServer(ProxyConfig config) {
        this(config, TargetResolver.SYSTEM);
    }

    public ProxyServer(ProxyConfig config, TargetResolver resolver) {
        this(config, resolver, environmentTransport());
    }

    /**
     * @param preferred the transport asked for (ProxyMain reads it from {@code
     *     REALMGATE_TRANSPORT}; tests choose); a TLS listener runs on NIO whatever this says
     */
    public ProxyServer(ProxyConfig config, TargetResolver resolver, Transport preferred) {
        this.config.set(config);
        this.resolver = resolver;
        this.preferred = preferred;
    }

    private static Transport environmentTransport() {
        try {
            return Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Asks {@link #start()} to run this many tunnels through the proxy's own pipeline on loopback
     * before any listener opens (and so before readiness), so the first clients meet compiled code.
     */
    public ProxyServer warmUpWith(int tunnels) {
        this.warmUpTunnels = tunnels;
        return this;
    }

    /** What the start's warm-up did. */
    TunnelWarmUp.Outcome warmUpOutcome() {
        return warmUp;
    }

    public ProxyServer start() throws InterruptedException, IOException {
        ProxyConfig c = config.get();
        // A TLS listener must decrypt, so its tunnels copy; copying tunnels run on NIO (see
        // RelayMode).
        transport = c.tls().isPresent() ? Transport.NIO : preferred;
        acceptor = transport.newGroup(1, "proxy-accept");
        workers = transport.newGroup(0, "proxy-io");
        // DNS lookups and bcrypt block; they run here, never on an event loop. The queue bounds
        // what waits.
        AtomicInteger n = new AtomicInteger();
        blocking =
                new ThreadPoolExecutor(
                        4,
                        4,
                        30,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(1024),
                        r -> {
                            Thread t = new Thread(r, "proxy-blocking-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        blocking.allowCoreThreadTimeOut(true);
        try {
            settings.set(buildSettings(c));
            warmUp = TunnelWarmUp.run(c, transport, workers, this::buildSettings, warmUpTunnels);
            limiter =
                    new ConnectionLimiter(
                            c.limits().maxConnections(),
                            c.limits().maxConnectionsPerClient(),
                            metrics,
                            AccessLog.toLogger());
            metrics.openConnectionsFrom(limiter::open);
            if (c.tls().isPresent()) {
                tls = new ReloadingServerTls(c.tls().get());
                metrics.certificateExpiry(tls::notAfter);
            }
            listener =
                    bind(c.listen(), ProxyPipelines.client(settings::get, limiter, tls, authCache));
            if (c.transparent().isPresent()) {
                transparentListener =
                        bind(
                                c.transparent().get().listen(),
                                TransparentPipelines.client(
                                        settings::get,
                                        limiter,
                                        c.transparent().get().targetPort()));
            }
            if (c.admin().isPresent()) {
                admin =
                        new AdminServer(
                                transport, acceptor, c.admin().get(), metrics, () -> !draining);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info(
                "realmgate proxy listening on {}{} ({} transport); {} target rule(s), clients {}, via {}{}{}",
                address(),
                c.tls().isPresent() ? " with TLS" : "",
                transport.name().toLowerCase(Locale.ROOT),
                c.allowConnect().size(),
                c.allowClients(),
                c.via() ? "on as '" + c.name() + "'" : "off",
                c.usersFile().isPresent() ? ", proxy auth required" : "",
                transparentListener != null
                        ? ", transparent on " + transparentListener.localAddress()
                        : "");
        if (warmUp.tunnels() > 0 || warmUp.stoppedBy().isPresent()) {
            LOG.info(
                    "warmed up with {} loopback tunnel(s) in {} ms before listening{}",
                    warmUp.tunnels(),
                    warmUp.took().toMillis(),
                    warmUp.stoppedBy().map(why -> ", stopped by " + why).orElse(""));
        }
        if (c.allowConnect().isEmpty()) {
            LOG.warn("no allow-connect rule: every target is refused");
        }
        return this;
    }

    private ProxyFrontendSettings buildSettings(ProxyConfig c) throws IOException {
        return buildSettings(c, metrics, AccessLog.toLogger());
    }

    /**
     * The front-end settings for {@code c}, counting into {@code metrics} and writing {@code
     * accessLog}: the proxy's own, or the warm-up's (package-private for its test).
     */
    ProxyFrontendSettings buildSettings(ProxyConfig c, ProxyMetrics metrics, AccessLog accessLog)
            throws IOException {
        TargetGate gate = new TargetGate(new TargetPolicy(c.allowConnect()), resolver, blocking);
        UpstreamDialer dialer = new UpstreamDialer(transport, c.timeouts().connect(), metrics);
        Optional<ProxyUsers> users =
                c.usersFile().isPresent()
                        ? Optional.of(ProxyUsers.load(c.usersFile().get()))
                        : Optional.empty();
        return ProxyFrontendSettings.of(
                c,
                gate,
                dialer,
                users,
                authThrottle,
                blocking,
                metrics,
                RelayMode.configured(),
                accessLog);
    }

    /**
     * Binds a listener. With epoll, every event loop gets its own listening socket on the same port
     * (SO_REUSEPORT): the kernel spreads connections over them and each connection is served by the
     * loop that accepted it, so setting up a tunnel involves no hand-off between threads. NIO has
     * one acceptor that hands connections to the loops.
     */
    private Channel bind(ListenAddress where, ChannelInitializer<Channel> childInit)
            throws InterruptedException {
        if (transport != Transport.EPOLL) {
            Channel ch =
                    serverBootstrap(acceptor, workers, childInit)
                            .bind(ListenerAddresses.of(where.host(), where.port()))
                            .sync()
                            .channel();
            extraListeners.add(ch);
            return ch;
        }
        InetSocketAddress address = ListenerAddresses.of(where.host(), where.port());
        Channel first = null;
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            Channel ch =
                    serverBootstrap(loop, loop, childInit)
                            .option(UnixChannelOption.SO_REUSEPORT, true)
                            .bind(
                                    first == null
                                            ? address
                                            : (InetSocketAddress) first.localAddress())
                            .sync()
                            .channel();
            extraListeners.add(ch);
            if (first == null) {
                first = ch;
            }
        }
        return first;
    }

    private ServerBootstrap serverBootstrap(
            EventLoopGroup parent, EventLoopGroup child, ChannelInitializer<Channel> init) {
        return new ServerBootstrap()
                .group(parent, child)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Watermarks.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, Watermarks.reads())
                .handler(new Tracker(clients))
                .childHandler(init);
    }

    /**
     * Watches the config file, the users file it names and the TLS files for changes, once a
     * second, through symbolic links (a Kubernetes volume update swaps them; see {@link
     * FileStamp}). {@code reparse} reads the file and applies the command-line overrides again; a
     * result that does not parse keeps the old config. A changed users file reloads the config too,
     * which reads the users anew.
     */
    public void watchConfig(Callable<ProxyConfig> reparse, Path file) {
        AtomicReference<List<Optional<FileStamp>>> lastSeen = new AtomicReference<>(watched(file));
        // File reads, YAML parsing, bcrypt users and TLS contexts are built here, never on an event
        // loop.
        watcherThread =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "proxy-config-watch");
                            t.setDaemon(true);
                            return t;
                        });
        watcherThread.scheduleWithFixedDelay(
                () -> {
                    if (tls != null) {
                        tls.checkForChanges();
                    }
                    List<Optional<FileStamp>> now = watched(file);
                    if (now.equals(lastSeen.get())) {
                        return;
                    }
                    lastSeen.set(now);
                    try {
                        reload(reparse.call());
                        // The new config may name another users file.
                        lastSeen.set(watched(file));
                    } catch (ConfigException e) {
                        LOG.error(
                                "config file {} changed but is invalid, keeping the previous config: {}",
                                file,
                                e.getMessage());
                    } catch (Exception e) {
                        LOG.error(
                                "config file {} changed but could not be applied, keeping the previous config: {}",
                                file,
                                e.toString());
                    }
                },
                WATCH_INTERVAL.toMillis(),
                WATCH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The stamps of the config file (when there is one) and of the current config's users file. */
    private List<Optional<FileStamp>> watched(Path file) {
        List<Optional<FileStamp>> stamps = new ArrayList<>();
        if (file != null) {
            stamps.add(FileStamp.of(file));
        }
        config.get().usersFile().ifPresent(users -> stamps.add(FileStamp.of(users)));
        return stamps;
    }

    /** Applies a new config to requests that arrive from now on; open tunnels are left alone. */
    public void reload(ProxyConfig next) throws IOException {
        ProxyConfig previous = config.get();
        if (!next.listen().equals(previous.listen())
                || !next.tls().equals(previous.tls())
                || !next.admin().equals(previous.admin())
                || !next.transparent().equals(previous.transparent())) {
            LOG.warn(
                    "listener settings (listen, tls, admin, transparent) change only on restart; applying the rest");
        }
        ProxyFrontendSettings s = buildSettings(next);
        settings.set(s);
        limiter.setLimits(next.limits().maxConnections(), next.limits().maxConnectionsPerClient());
        config.set(next);
        authCache.clear();
        LOG.info(
                "config reloaded: {} target rule(s), clients {}",
                next.allowConnect().size(),
                next.allowClients());
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public Optional<InetSocketAddress> transparentAddress() {
        return Optional.ofNullable(transparentListener)
                .map(ch -> (InetSocketAddress) ch.localAddress());
    }

    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin).map(AdminServer::address);
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** Client connections currently open (tunnels count their client leg). */
    public int openClientConnections() {
        return clients.size();
    }

    /** The open client channels, for tests that act on the server's side of a connection. */
    ChannelGroup clientChannels() {
        return clients;
    }

    public Transport transport() {
        return transport;
    }

    /**
     * Graceful drain: stop accepting, report not ready, let open connections finish for up to the
     * drain timeout, then close what is left. Returns the number of connections that had to be cut.
     */
    public int drain() {
        draining = true;
        Duration grace = config.get().timeouts().drain();
        closeListeners();
        LOG.info(
                "draining: {} connection(s) open, waiting up to {} s",
                clients.size(),
                grace.toSeconds());
        long deadline = System.nanoTime() + grace.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int cut = clients.size();
        if (cut > 0) {
            LOG.warn("drain period over: closing {} connection(s)", cut);
        }
        close();
        return cut;
    }

    private void closeListeners() {
        for (Channel ch : extraListeners) {
            ch.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining = true;
        if (watcherThread != null) {
            watcherThread.shutdownNow();
        }
        closeListeners();
        if (admin != null) {
            admin.close();
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (blocking != null) {
            blocking.shutdownNow();
        }
    }

    /** Adds every accepted channel to the group (which drops it when it closes). */
    @ChannelHandler.Sharable
    private static final class Tracker extends ChannelInboundHandlerAdapter {
        private final ChannelGroup group;

        Tracker(ChannelGroup group) {
            this.group = group;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            group.add((Channel) msg);
            ctx.fireChannelRead(msg);
        }
    }
}
