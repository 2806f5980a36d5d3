package io.realmgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.proxy.access.Target;
import io.realmgate.proxy.tunnel.ClientHelloSni;
import io.realmgate.proxy.tunnel.RelayMode;
import io.realmgate.proxy.tunnel.TunnelRelay;
import io.realmgate.proxy.tunnel.TunnelStats;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transparent listener's front end: reads the TLS ClientHello, takes the SNI name as the target
 * host, asks the same target policy as CONNECT, and on success relays the ClientHello and
 * everything after it without terminating TLS. No SNI, not TLS, or a refused target: the connection
 * is closed and nothing is forwarded. The client's own address must be allowed too.
 */
final class SniRouter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SniRouter.class);
    private final Supplier<ProxyFrontendSettings> currentSettings;
    private final int targetPort;
    private CompositeByteBuf hello;
    private boolean routing;
    private long start;

    SniRouter(Supplier<ProxyFrontendSettings> settings, int targetPort) {
        this.currentSettings = settings;
        this.targetPort = targetPort;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start = System.nanoTime();
        hello = ctx.alloc().compositeBuffer();
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!currentSettings.get().clients().admits(remote.getAddress())) {
            refuse(ctx, "-", "client not allowed", "client_not_allowed");
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (routing || !(msg instanceof ByteBuf buf) || hello == null) {
            if (routing && hello != null && msg instanceof ByteBuf b) {
                hello.addComponent(true, b); // arrived while dialling; sent after the ClientHello
                return;
            }
            ReferenceCountUtil.release(msg); // refused or closed: nothing is forwarded
            return;
        }
        hello.addComponent(true, buf);
        ClientHelloSni.Result r = ClientHelloSni.read(hello);
        if (r instanceof ClientHelloSni.NeedMore) {
            if (hello.readableBytes() > ClientHelloSni.MAX_RECORD) {
                refuse(ctx, "-", "ClientHello too large", "transparent_bad_hello");
            }
            return;
        }
        if (r instanceof ClientHelloSni.NotTls n) {
            refuse(ctx, "-", n.why(), "transparent_not_tls");
            return;
        }
        if (r instanceof ClientHelloSni.NoServerName) {
            refuse(ctx, "-", "ClientHello without a server name", "transparent_no_sni");
            return;
        }
        String name = ((ClientHelloSni.ServerName) r).name();
        Target target;
        try {
            target = Target.parse(name, targetPort);
        } catch (IllegalArgumentException e) {
            refuse(ctx, name, "bad server name: " + e.getMessage(), "transparent_bad_sni");
            return;
        }
        route(ctx, target);
    }

    private void route(ChannelHandlerContext ctx, Target target) {
        routing = true;
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        ProxyFrontendSettings settings = currentSettings.get();
        settings.targets()
                .admit(target, ctx.executor())
                .addListener(
                        admitted -> {
                            if (!admitted.isSuccess()) {
                                refuse(
                                        ctx,
                                        target.toString(),
                                        FrontendHandler.refusalOf(admitted.cause()).detail(),
                                        "target_not_allowed");
                                return;
                            }
                            settings.dialer()
                                    .dial(
                                            client.eventLoop(),
                                            (InetSocketAddress) admitted.getNow(),
                                            ProxyPipelines.tunnelUpstream(settings.metrics()))
                                    .addListener(
                                            (ChannelFutureListener)
                                                    connected -> {
                                                        if (!connected.isSuccess()) {
                                                            refuse(
                                                                    ctx,
                                                                    target.toString(),
                                                                    "cannot connect",
                                                                    "upstream_refused");
                                                            return;
                                                        }
                                                        Channel upstream = connected.channel();
                                                        if (!client.isActive() || hello == null) {
                                                            upstream.close();
                                                            return;
                                                        }
                                                        TunnelStats stats =
                                                                new TunnelStats(
                                                                        client.remoteAddress(),
                                                                        target.toString(),
                                                                        start,
                                                                        settings.metrics(),
                                                                        settings.accessLog());
                                                        ByteBuf first = hello;
                                                        hello = null;
                                                        stats.countEarly(first.readableBytes());
                                                        if (RelayMode.epollTunnel(
                                                                client, upstream, false)) {
                                                            ctx.pipeline().remove(this);
                                                            ArrayDeque<ByteBuf> early =
                                                                    new ArrayDeque<>(1);
                                                            early.add(first);
                                                            ProxyPipelines.epollTunnel(
                                                                    client, upstream, early, null,
                                                                    stats, settings);
                                                            return;
                                                        }
                                                        settings.metrics()
                                                                .tunnelRelayed(RelayMode.CHANNEL);
                                                        ctx.pipeline()
                                                                .replace(
                                                                        this,
                                                                        ProxyPipelines.RELAY,
                                                                        new TunnelRelay(
                                                                                upstream, stats,
                                                                                true));
                                                        upstream.pipeline()
                                                                .addFirst(
                                                                        ProxyPipelines.RELAY,
                                                                        new TunnelRelay(
                                                                                client, stats,
                                                                                false));
                                                        upstream.writeAndFlush(first);
                                                        upstream.config().setAutoRead(true);
                                                        client.config().setAutoRead(true);
                                                    });
                        });
    }

    private void refuse(ChannelHandlerContext ctx, String target, String why, String reason) {
        ProxyFrontendSettings settings = currentSettings.get();
        settings.metrics().refused(reason);
        settings.accessLog()
                .record(ctx.channel().remoteAddress(), "SNI", target, 0, 0, 0, start, why);
        release();
        ctx.close(); // nothing was forwarded; the client sees its TLS handshake fail
    }

    private void release() {
        if (hello != null) {
            hello.release();
            hello = null;
        }
    }

    /**
     * The client shut its side before its ClientHello was complete: nothing more can come, so there
     * is nothing to route. (The listener allows half-closed connections for the tunnels it relays;
     * without this a client that connects and sends its FIN at once, as a TCP probe does, would be
     * held until the idle timeout.)
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !routing && hello != null) {
            refuse(ctx, "-", "closed before a complete ClientHello", "transparent_bad_hello");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        HandlerErrors.closeOn(ctx, cause, LOG, currentSettings.get().metrics()::handlerError);
    }
}
