package io.realmgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.realmgate.common.HandlerErrors;
import io.realmgate.proxy.ops.ProxyMetrics;
import io.realmgate.proxy.tunnel.EpollTunnel;
import io.realmgate.proxy.tunnel.RelayMode;
import io.realmgate.proxy.tunnel.TunnelRelay;
import io.realmgate.proxy.tunnel.TunnelStats;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every pipeline the proxy builds, in one place: the client connection as it arrives, the switch to
 * a raw tunnel after CONNECT, and the upstream leg of a forwarded request.
 *
 * <pre>
 * client, HTTP:    limiter - [tls] - idle - idle-closer - head-guard - decoder - encoder - head-timeout
 *                  - admission - [auth] - frontend
 * client, tunnel:  limiter - [tls] - idle - idle-closer - relay(to upstream)
 * upstream tunnel: relay(to client)
 * epoll tunnel:    both channels deregistered, their sockets driven by EpollTunnel (no TLS, epoll only)
 * upstream HTTP:   codec - response relay
 * warm-up echo:    echo (the loopback target of the start's warm-up tunnels, TunnelWarmUp)
 * </pre>
 */
public final class ProxyPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyPipelines.class);
    static final String TLS = "tls";
    static final String HEAD_GUARD = "head-guard";
    static final String DECODER = "http-decoder";
    static final String ENCODER = "http-encoder";
    static final String HEAD_TIMEOUT = "head-timeout";
    static final String ADMISSION = "admission";
    static final String AUTH = "auth";
    static final String FRONTEND = "frontend";
    static final String RELAY = "relay";

    /** The HTTP-only handlers a tunnel no longer needs. */
    private static final List<String> HTTP_ONLY =
            List.of(HEAD_GUARD, HEAD_TIMEOUT, ADMISSION, AUTH);

    static final String IDLE = "idle";
    static final String IDLE_CLOSER = "idle-closer";

    /**
     * The idle-timeout handlers, replaced by the splice tunnel's own clock when a tunnel splices.
     */
    private static final List<String> IDLE_HANDLERS = List.of(IDLE, IDLE_CLOSER);

    /**
     * The upstream leg's last handler from the start: it closes the leg on an exception that
     * nothing else handled (a connect that fails can still deliver a read error), rather than let
     * it reach the pipeline's tail, which only logs. The relays go in front of it.
     */
    static ChannelHandler tunnelUpstream(ProxyMetrics metrics) {
        return new UpstreamLastHandler(metrics);
    }

    private ProxyPipelines() {}

    /**
     * The initializer for accepted client connections.
     *
     * @param settings current settings; read once per connection here and once per request by the
     *     front end
     * @param limiter shared connection counter, first in every pipeline
     * @param tls when non-null, the current server TLS context (swapped when certificates change)
     */
    public static ChannelInitializer<Channel> client(
            Supplier<ProxyFrontendSettings> settings,
            ChannelHandler limiter,
            Supplier<SslContext> tls,
            AuthCache authCache) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ProxyFrontendSettings s = settings.get();
                ChannelPipeline p = ch.pipeline();
                p.addLast("limiter", limiter);
                if (tls != null) {
                    p.addLast(TLS, tls.get().newHandler(ch.alloc()));
                }
                p.addLast(
                                IDLE,
                                new IdleStateHandler(
                                        0, 0, s.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(IDLE_CLOSER, IdleCloser.INSTANCE)
                        .addLast(HEAD_GUARD, new RequestHeadGuard(s.via()))
                        .addLast(
                                DECODER,
                                new HttpRequestDecoder(
                                        new HttpDecoderConfig()
                                                .setMaxInitialLineLength(s.maxRequestLine())
                                                .setMaxHeaderSize(s.maxHeaderBytes())
                                                .setMaxChunkSize(64 * 1024)
                                                .setAllowDuplicateContentLengths(false)))
                        .addLast(ENCODER, new HttpResponseEncoder())
                        .addLast(HEAD_TIMEOUT, new RequestHeadTimeout(s.headerTimeout(), s.via()))
                        .addLast(
                                ADMISSION,
                                new ClientAdmission(
                                        s.clients(), s.via(), s.metrics(), s.accessLog()));
                s.users()
                        .ifPresent(
                                users ->
                                        p.addLast(
                                                AUTH,
                                                new ProxyAuthenticator(
                                                        users,
                                                        authCache,
                                                        s.authThrottle(),
                                                        s.workers(),
                                                        s.via(),
                                                        s.metrics(),
                                                        s.accessLog())));
                p.addLast(FRONTEND, new FrontendHandler(settings));
            }
        };
    }

    static ChannelHandler forwardUpstream(ForwardResponseRelay relay) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(
                                "http-codec",
                                new HttpClientCodec(
                                        new HttpDecoderConfig().setMaxChunkSize(64 * 1024),
                                        false,
                                        false))
                        .addLast(RELAY, relay);
            }
        };
    }

    /**
     * Turns the client connection into one leg of a tunnel: answers 200, drops the HTTP handlers,
     * relays the bytes the client sent early, and starts reading on both legs.
     */
    static void openTunnel(
            ChannelHandlerContext frontend,
            Channel upstream,
            ArrayDeque<ByteBuf> early,
            String target,
            long start,
            ProxyFrontendSettings settings) {
        Channel client = frontend.channel();
        TunnelStats stats =
                new TunnelStats(
                        client.remoteAddress(),
                        target,
                        start,
                        settings.metrics(),
                        settings.accessLog());
        ChannelPipeline p = client.pipeline();
        p.remove(ENCODER);
        for (String name : HTTP_ONLY) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        early.forEach(b -> stats.countEarly(b.readableBytes()));
        if (RelayMode.epollTunnel(client, upstream, p.get(TLS) != null)) {
            p.remove(FRONTEND);
            epollTunnel(
                    client,
                    upstream,
                    early,
                    ProxyResponses.CONNECTION_ESTABLISHED.duplicate(),
                    stats,
                    settings);
            return;
        }
        client.writeAndFlush(ProxyResponses.CONNECTION_ESTABLISHED.duplicate());
        settings.metrics().tunnelRelayed(RelayMode.CHANNEL);
        p.replace(FRONTEND, RELAY, new TunnelRelay(upstream, stats, true));
        upstream.pipeline().addFirst(RELAY, new TunnelRelay(client, stats, false));
        if (!early.isEmpty()) {
            for (ByteBuf b; (b = early.poll()) != null; ) {
                upstream.write(b, upstream.voidPromise());
            }
            upstream.flush();
        }
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    /**
     * Hands a plain tunnel to {@link EpollTunnel}, which keeps its own idle clock: the client's
     * idle handlers go (they would see a silent channel and close it).
     *
     * @param forClient bytes the client gets before the target's (the CONNECT answer), or null
     */
    static void epollTunnel(
            Channel client,
            Channel upstream,
            ArrayDeque<ByteBuf> early,
            ByteBuf forClient,
            TunnelStats stats,
            ProxyFrontendSettings settings) {
        ChannelPipeline p = client.pipeline();
        for (String name : IDLE_HANDLERS) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        ArrayDeque<ByteBuf> down = new ArrayDeque<>(1);
        if (forClient != null) {
            down.add(forClient);
        }
        EpollTunnel.handOff(
                client, upstream, early, down, stats, settings.idleTimeout(), settings.relay());
    }

    /**
     * The warm-up's loopback echo target: what it reads goes back; it closes when the peer does.
     */
    public static ChannelHandler warmUpEcho() {
        return WarmUpEcho.INSTANCE;
    }

    @ChannelHandler.Sharable
    private static final class WarmUpEcho extends ChannelInboundHandlerAdapter {
        static final WarmUpEcho INSTANCE = new WarmUpEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // The read buffer goes back as it is; the write releases it.
            ctx.writeAndFlush(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // Half-closure is on (the proxy's child option): the peer's end of input closes the
            // echo.
            if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HandlerErrors.closeOn(ctx, cause, LOG, () -> {});
        }
    }

    @ChannelHandler.Sharable
    private static final class UpstreamLastHandler extends ChannelInboundHandlerAdapter {
        private final ProxyMetrics metrics;

        UpstreamLastHandler(ProxyMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HandlerErrors.closeOn(ctx, cause, LOG, metrics::handlerError);
        }
    }
}
