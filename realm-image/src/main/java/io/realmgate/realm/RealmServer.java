package io.realmgate.realm;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.ListenerAddresses;
import io.realmgate.common.Transport;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.http.ConnectionLimits;
import io.realmgate.realm.http.RealmContext;
import io.realmgate.realm.http.RealmPipelines;
import io.realmgate.realm.http.StaticContent;
import io.realmgate.realm.hub.Engine;
import io.realmgate.realm.hub.Hub;
import io.realmgate.realm.hub.MemoryEngine;
import io.realmgate.realm.hub.redis.RedisEngine;
import io.realmgate.realm.ops.AdminServer;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.realm.tls.CertificateSource;
import io.realmgate.realm.tls.DevelopmentCertificate;
import io.realmgate.realm.tls.ReloadingCertificate;
import io.realmgate.realm.ws.CloseCodes;
import io.realmgate.realm.ws.WebSocketSession;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realm process's network side: the hub, up to two listeners, their event loops and every
 * channel they opened.
 */
public final class RealmServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RealmServer.class);

    /** Per-connection socket buffering before the outbound queue takes over (see Outbox). */
    private static final WriteBufferWaterMark WATERMARKS =
            new WriteBufferWaterMark(
                    RealmConfig.OUTBOUND_LOW_WATER_BYTES, RealmConfig.OUTBOUND_HIGH_WATER_BYTES);

    private final RealmConfig config;
    private final Transport transport;
    private final RealmMetrics metrics = new RealmMetrics();
    private final Hub hub;
    private final ChannelGroup channels =
            new DefaultChannelGroup("realmgate-realm", GlobalEventExecutor.INSTANCE);
    private volatile boolean ready;
    private final AtomicBoolean closed = new AtomicBoolean();
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private CertificateSource certificates;
    private Channel wsListener;
    private Channel wssListener;
    private AdminServer admin;

    /**
     * On the transport {@code REALMGATE_TRANSPORT} asks for (an invalid value is an
     * IllegalArgumentException).
     */
    public RealmServer(RealmConfig config) {
        this(config, environmentTransport());
    }

    /**
     * @param transport the transport asked for (RealmMain reads it from {@code
     *     REALMGATE_TRANSPORT})
     */
    public RealmServer(RealmConfig config, Transport transport) {
        this.config = config;
        this.transport = transport;
        this.hub = new Hub(engine(config, metrics), metrics);
    }

    /** The engine {@code --engine} names; nothing connects before {@link #start()}. */
    private static Engine engine(RealmConfig config, RealmMetrics metrics) {
        if (config.engine().equals(RealmConfig.REDIS)) {
            return new RedisEngine(
                    new RedisEngine.Connection(
                            config.redisUrl().value(),
                            config.redisUrl().toString(),
                            config.redisPasswordFile(),
                            config.redisKeyPrefix(),
                            config.redisCaFile()),
                    config.retainEvents(),
                    config.retainBytes(),
                    config.retainAge(),
                    config.maxChannels(),
                    metrics);
        }
        return new MemoryEngine(
                config.retainEvents(), config.retainBytes(), config.maxChannels(), metrics);
    }

    private static Transport environmentTransport() {
        try {
            return Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private volatile ConnectionLimits limits;

    /** Client connections held now, both listeners (null before start). */
    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Descriptors kept beyond the connection caps: listeners, the admin port, certificate files,
     * logs, the JVM.
     */
    static final int DESCRIPTOR_RESERVE = 256;

    /**
     * {@code --max-connections}, lowered if the process's descriptor limit could not hold it plus
     * the probe-only reserve and {@link #DESCRIPTOR_RESERVE}: at the cap, accepting must still
     * work.
     */
    static int maxConnections(int configured) {
        long fds = -1;
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            fds = unix.getMaxFileDescriptorCount();
        }
        long room = fds - ConnectionLimits.RESERVE - DESCRIPTOR_RESERVE;
        if (fds > 0 && configured > room) {
            int lowered = (int) Math.max(1, room);
            LOG.warn(
                    "--max-connections {} does not fit the descriptor limit {} (ulimit -n); using {}",
                    configured,
                    fds,
                    lowered);
            return lowered;
        }
        return configured;
    }

    public RealmServer start() throws Exception {
        try {
            if (config.wssEnabled()) {
                certificates =
                        config.selfSigned()
                                ? selfSigned()
                                : new ReloadingCertificate(
                                        config.tlsCert(),
                                        config.tlsKey(),
                                        config.certPoll(),
                                        metrics::certificateReloaded);
                metrics.certificateExpiry(certificates::notAfter);
            }
            acceptor = transport.newGroup(1, "realm-accept");
            // One event loop per CPU, not Netty's default of two: nothing blocks a loop, so a
            // second one per CPU only adds the thread switches of every hand-over between
            // connections (a publisher's event to its subscribers' loops) (decisions.md, "The
            // realm's fan-out against Centrifugo: the cost per frame").
            int loops = Runtime.getRuntime().availableProcessors();
            workers = transport.newGroup(loops, "realm-io");
            // The engine's connections (Redis) run on the same loops: no hand-over between an
            // engine's threads and the clients' (decisions.md, "the fan-out's warm-up and the
            // redis round trip").
            hub.engine().start(workers, loops, transport.channel());
            limits =
                    new ConnectionLimits(
                            maxConnections(config.maxConnections()),
                            config.maxConnectionsPerClient());
            RealmContext context =
                    new RealmContext(
                            config, hub, metrics, StaticContent.load(), this::ready, limits);
            if (config.wsEnabled()) {
                wsListener =
                        bind(
                                config.wsPort(),
                                RealmPipelines.accepted(context, RealmMetrics.Listener.WS, null));
            }
            if (config.wssEnabled()) {
                wssListener =
                        bind(
                                config.wssPort(),
                                RealmPipelines.accepted(
                                        context, RealmMetrics.Listener.WSS, certificates));
            }
            if (config.adminEnabled()) {
                admin =
                        new AdminServer(
                                acceptor,
                                workers,
                                transport.serverChannel(),
                                ListenerAddresses.of(config.adminHost(), config.adminPort()),
                                metrics,
                                this::notReadyReason);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        ready = true;
        LOG.info(
                "realmgate realm listening: ws {}, wss {}, admin {} ({} transport); {} engine, retain {} events /"
                        + " {} bytes per channel, up to {} channels",
                wsListener != null ? "on " + wsAddress() : "off",
                wssListener != null ? "on " + wssAddress() : "off",
                admin != null ? "on " + adminAddress() : "off",
                transport.name().toLowerCase(Locale.ROOT),
                hub.engine().name(),
                config.retainEvents(),
                config.retainBytes(),
                config.maxChannels());
        return this;
    }

    /**
     * Ready while started and not stopping, and while the engine can store events (a realm whose
     * store is away takes no new clients; its connected ones stay and catch up later).
     */
    public boolean ready() {
        return ready && hub.available();
    }

    /** Why the realm is not ready, for {@code /readyz}; null when it is. */
    public String notReadyReason() {
        if (!ready) {
            return "the realm is not started or is stopping";
        }
        return hub.available() ? null : hub.unavailableReason();
    }

    private CertificateSource selfSigned() throws Exception {
        DevelopmentCertificate dev = new DevelopmentCertificate();
        LOG.warn(
                "*** --self-signed: serving wss with a certificate made at start-up, for DEVELOPMENT ONLY; "
                        + "nothing trusts it. Certificate: {}  SPKI sha256 (for Chromium's "
                        + "--ignore-certificate-errors-spki-list): {} ***",
                dev.certificateFile(),
                dev.spkiSha256());
        return dev;
    }

    private Channel bind(int port, ChannelHandler initializer) throws InterruptedException {
        ChannelGroup group = channels;
        ServerBootstrap b =
                new ServerBootstrap()
                        .group(acceptor, workers)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATERMARKS)
                        .handler(
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        group.add((Channel) msg); // removed automatically when it
                                        // closes
                                        ctx.fireChannelRead(msg);
                                    }
                                })
                        .childHandler(initializer);
        return b.bind(ListenerAddresses.of(config.bind(), port)).sync().channel();
    }

    public InetSocketAddress wsAddress() {
        return wsListener == null ? null : (InetSocketAddress) wsListener.localAddress();
    }

    public InetSocketAddress wssAddress() {
        return wssListener == null ? null : (InetSocketAddress) wssListener.localAddress();
    }

    /** The admin listener's address, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public RealmMetrics metrics() {
        return metrics;
    }

    public Hub hub() {
        return hub;
    }

    /** The development certificate when started with {@code --self-signed}, else null. */
    public DevelopmentCertificate developmentCertificate() {
        return certificates instanceof DevelopmentCertificate d ? d : null;
    }

    /** Connections currently open on either listener. */
    public int openConnections() {
        return channels.size();
    }

    /** The open client channels, for tests that act on the server's side of a connection. */
    ChannelGroup clientChannels() {
        return channels;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        ready = false;
        if (wsListener != null) {
            wsListener.close().syncUninterruptibly();
        }
        if (wssListener != null) {
            wssListener.close().syncUninterruptibly();
        }
        // WebSocket clients hear why (1001 going away) and reconnect elsewhere; the rest just
        // closes.
        channels.writeAndFlush(
                        new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "realm shutting down"),
                        ch -> ch.pipeline().get(WebSocketSession.class) != null)
                .awaitUninterruptibly(1, TimeUnit.SECONDS);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Last of the listeners: /readyz answers 503 while the connections close.
        if (admin != null) {
            admin.close();
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        // Before the loops stop: the engine's connections run on them.
        hub.close();
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (certificates != null) {
            certificates.close();
        }
    }
}
