package io.realmgate.tests.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback echo server, plain or TLS, that honours half-close: when the client finishes sending,
 * it echoes what is left, then finishes sending too. Counts connections so tests can see that a
 * proxy did (or did not) reach it.
 */
public final class EchoServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger tlsHandshakes = new AtomicInteger();

    private EchoServer(int port, boolean tls) throws Exception {
        SslContext ssl =
                tls
                        ? SslContextBuilder.forServer(
                                        TestCertificates.get().server().toKeyManagerFactory())
                                .build()
                        : null;
        group =
                new MultiThreadIoEventLoopGroup(
                        2, new DefaultThreadFactory("echo", true), NioIoHandler.newFactory());
        listener =
                new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 2048)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(
                                new ChannelInitializer<>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        accepted.incrementAndGet();
                                        open.incrementAndGet();
                                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                                        if (ssl != null) {
                                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                                        }
                                        ch.pipeline().addLast(new Echo());
                                    }
                                })
                        .bind("127.0.0.1", port)
                        .sync()
                        .channel();
    }

    public static EchoServer plain(int port) throws Exception {
        return new EchoServer(port, false);
    }

    public static EchoServer tls(int port) throws Exception {
        return new EchoServer(port, true);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public int accepted() {
        return accepted.get();
    }

    public int openConnections() {
        return open.get();
    }

    public int tlsHandshakes() {
        return tlsHandshakes.get();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                tlsHandshakes.incrementAndGet();
            }
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                        .addListener(
                                (ChannelFutureListener)
                                        f -> {
                                            if (ctx.pipeline().get(SslHandler.class) != null) {
                                                ctx.close(); // TLS has no half-close of its
                                                // own: close_notify ends both
                                                // ways
                                            } else {
                                                ((DuplexChannel) ctx.channel())
                                                        .shutdownOutput()
                                                        .addListener(x -> ctx.close());
                                            }
                                        });
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
