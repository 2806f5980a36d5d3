package io.realmgate.tests.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal WebSocket server on {@code /realm} that echoes text frames, plain (ws) or TLS (wss),
 * standing in for a realm where a test only needs a real WebSocket peer.
 */
public final class WebSocketEchoServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listener;
    private final AtomicInteger upgrades = new AtomicInteger();

    private WebSocketEchoServer(int port, boolean tls) throws Exception {
        SslContext ssl =
                tls
                        ? SslContextBuilder.forServer(
                                        TestCertificates.get().server().toKeyManagerFactory())
                                .build()
                        : null;
        group =
                new MultiThreadIoEventLoopGroup(
                        1, new DefaultThreadFactory("ws-echo", true), NioIoHandler.newFactory());
        listener =
                new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .childHandler(
                                new ChannelInitializer<>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        if (ssl != null) {
                                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                                        }
                                        ch.pipeline()
                                                .addLast(
                                                        new HttpServerCodec(),
                                                        new HttpObjectAggregator(65536),
                                                        new WebSocketServerProtocolHandler(
                                                                "/realm"),
                                                        new Echo());
                                    }
                                })
                        .bind("127.0.0.1", port)
                        .sync()
                        .channel();
    }

    public static WebSocketEchoServer wss(int port) throws Exception {
        return new WebSocketEchoServer(port, true);
    }

    public static WebSocketEchoServer ws(int port) throws Exception {
        return new WebSocketEchoServer(port, false);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** WebSocket handshakes completed. */
    public int upgrades() {
        return upgrades.get();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Echo extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                upgrades.incrementAndGet();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
        }
    }
}
