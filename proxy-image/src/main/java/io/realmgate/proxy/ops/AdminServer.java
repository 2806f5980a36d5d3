package io.realmgate.proxy.ops;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.realmgate.common.HandlerErrors;
import io.realmgate.common.ListenerAddresses;
import io.realmgate.common.Transport;
import io.realmgate.proxy.config.ListenAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener, on its own port so that it is never reachable through the proxy's policy:
 * {@code /metrics} (Prometheus text), {@code /healthz} (the process serves), {@code /readyz} (the
 * proxy takes new connections; 503 while draining).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private final Channel listener;

    public AdminServer(
            Transport transport,
            EventLoopGroup group,
            ListenAddress listen,
            ProxyMetrics metrics,
            BooleanSupplier ready)
            throws InterruptedException {
        listener =
                new ServerBootstrap()
                        .group(group)
                        .channel(transport.serverChannel())
                        .childHandler(
                                new ChannelInitializer<>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        ch.pipeline()
                                                .addLast(
                                                        new HttpServerCodec(4096, 8192, 8192),
                                                        new HttpObjectAggregator(8192),
                                                        new Routes(metrics, ready));
                                    }
                                })
                        .bind(ListenerAddresses.of(listen.host(), listen.port()))
                        .sync()
                        .channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }

    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ProxyMetrics metrics;
        private final BooleanSupplier ready;

        Routes(ProxyMetrics metrics, BooleanSupplier ready) {
            this.metrics = metrics;
            this.ready = ready;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path =
                    req.uri().contains("?")
                            ? req.uri().substring(0, req.uri().indexOf('?'))
                            : req.uri();
            FullHttpResponse res;
            if (!req.decoderResult().isSuccess()) {
                res = text(HttpResponseStatus.BAD_REQUEST, "bad request\n", "text/plain");
            } else if (!req.method().equals(HttpMethod.GET)
                    && !req.method().equals(HttpMethod.HEAD)) {
                res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain");
            } else {
                res =
                        switch (path) {
                            case "/metrics" ->
                                    text(
                                            HttpResponseStatus.OK,
                                            metrics.scrape(),
                                            "text/plain; version=0.0.4; charset=utf-8");
                            case "/healthz" -> text(HttpResponseStatus.OK, "ok\n", "text/plain");
                            case "/readyz" ->
                                    ready.getAsBoolean()
                                            ? text(HttpResponseStatus.OK, "ready\n", "text/plain")
                                            : text(
                                                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                                                    "draining\n",
                                                    "text/plain");
                            default ->
                                    text(HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain");
                        };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r =
                    new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
            return r;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HandlerErrors.closeOn(ctx, cause, LOG, metrics::handlerError);
        }
    }
}
