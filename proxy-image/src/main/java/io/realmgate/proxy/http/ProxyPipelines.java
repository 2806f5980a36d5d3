package io.realmgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.realmgate.proxy.tunnel.TunnelRelay;
import io.realmgate.proxy.tunnel.TunnelStats;
import java.util.ArrayDeque;

/**
 * Every pipeline the proxy builds, in one place: the client connection as it arrives, the switch
 * to a raw tunnel after CONNECT, and the upstream leg of a forwarded request.
 *
 * <pre>
 * client, HTTP:    decoder - encoder - admission - frontend
 * client, tunnel:  relay(to upstream)
 * upstream tunnel: relay(to client)
 * upstream HTTP:   codec - response relay
 * </pre>
 */
public final class ProxyPipelines {
    static final String DECODER = "http-decoder";
    static final String ENCODER = "http-encoder";
    static final String ADMISSION = "admission";
    static final String FRONTEND = "frontend";
    static final String RELAY = "relay";

    /** The upstream leg of a tunnel has no handlers until {@link #openTunnel} puts the relay in. */
    static final ChannelHandler TUNNEL_UPSTREAM = new NoHandlers();

    private ProxyPipelines() {
    }

    /** The initializer for accepted client connections. */
    public static ChannelInitializer<Channel> client(ProxyFrontendSettings settings) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(DECODER, new HttpRequestDecoder(new HttpDecoderConfig()
                                .setMaxInitialLineLength(settings.maxRequestLine())
                                .setMaxHeaderSize(settings.maxHeaderBytes())
                                .setMaxChunkSize(64 * 1024)
                                .setAllowDuplicateContentLengths(false)))
                        .addLast(ENCODER, new HttpResponseEncoder())
                        .addLast(ADMISSION, new ClientAdmission(settings.clients(), settings.via()))
                        .addLast(FRONTEND, new FrontendHandler(settings));
            }
        };
    }

    static ChannelHandler forwardUpstream(ForwardResponseRelay relay) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast("http-codec", new HttpClientCodec(new HttpDecoderConfig().setMaxChunkSize(64 * 1024),
                                false, false))
                        .addLast(RELAY, relay);
            }
        };
    }

    /**
     * Turns the client connection into one leg of a tunnel: answers 200, drops the HTTP handlers,
     * relays the bytes the client sent early, and starts reading on both legs.
     */
    static void openTunnel(ChannelHandlerContext frontend, Channel upstream, ArrayDeque<ByteBuf> early,
                           String target, long start) {
        Channel client = frontend.channel();
        TunnelStats stats = new TunnelStats(client.remoteAddress(), target, start);
        client.pipeline().remove(ENCODER);
        client.writeAndFlush(ProxyResponses.CONNECTION_ESTABLISHED.duplicate());
        client.pipeline().replace(FRONTEND, RELAY, new TunnelRelay(upstream, stats, true));
        upstream.pipeline().addLast(RELAY, new TunnelRelay(client, stats, false));
        if (!early.isEmpty()) {
            for (ByteBuf b; (b = early.poll()) != null; ) {
                stats.countEarly(b.readableBytes());
                upstream.write(b, upstream.voidPromise());
            }
            upstream.flush();
        }
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    @ChannelHandler.Sharable
    private static final class NoHandlers extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
