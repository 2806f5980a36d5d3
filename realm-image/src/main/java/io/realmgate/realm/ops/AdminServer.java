package io.realmgate.realm.ops;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
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
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.realmgate.common.HandlerErrors;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener ({@code --admin HOST:PORT}), on a port of its own so that probes and metrics
 * scrapers never need the client ports, and clients never need this one: {@code /healthz} (the
 * process serves), {@code /readyz} (the realm takes connections; 503 once it is stopping) and
 * {@code /metrics} (Prometheus text). Nothing else is served here; GET and HEAD only.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private final Channel listener;

    public AdminServer(
            EventLoopGroup acceptor,
            EventLoopGroup workers,
            Class<? extends ServerChannel> channel,
            InetSocketAddress address,
            RealmMetrics metrics,
            Supplier<String> notReadyReason)
            throws InterruptedException {
        listener =
                new ServerBootstrap()
                        .group(acceptor, workers)
                        .channel(channel)
                        .childHandler(
                                new ChannelInitializer<>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        ch.pipeline()
                                                .addLast(
                                                        new ReadTimeoutHandler(30),
                                                        new HttpServerCodec(4096, 8192, 8192),
                                                        new HttpObjectAggregator(8192),
                                                        new Routes(metrics, notReadyReason));
                                    }
                                })
                        .bind(address)
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

    @ChannelHandler.Sharable
    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private static final String TEXT = "text/plain; charset=utf-8";
        private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
        private final RealmMetrics metrics;

        /** Null when ready. */
        private final Supplier<String> notReadyReason;

        Routes(RealmMetrics metrics, Supplier<String> notReadyReason) {
            this.metrics = metrics;
            this.notReadyReason = notReadyReason;
        }

        private FullHttpResponse readyz(boolean head) {
            String reason = notReadyReason.get();
            return reason == null
                    ? text(HttpResponseStatus.OK, "ready\n", TEXT, head)
                    : text(
                            HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "not ready: " + reason + "\n",
                            TEXT,
                            head);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String uri = req.uri();
            String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
            boolean head = req.method().equals(HttpMethod.HEAD);
            FullHttpResponse res;
            if (!req.decoderResult().isSuccess()) {
                res = text(HttpResponseStatus.BAD_REQUEST, "bad request\n", TEXT, false);
            } else if (!req.method().equals(HttpMethod.GET) && !head) {
                res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", TEXT, false);
                res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                res =
                        switch (path) {
                            case "/healthz" -> text(HttpResponseStatus.OK, "ok\n", TEXT, head);
                            case "/readyz" -> readyz(head);
                            case "/metrics" ->
                                    text(HttpResponseStatus.OK, metrics.render(), PROMETHEUS, head);
                            default ->
                                    text(HttpResponseStatus.NOT_FOUND, "not found\n", TEXT, head);
                        };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var written = ctx.writeAndFlush(res);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** A HEAD answer has the headers of the GET answer and no body. */
        private static FullHttpResponse text(
                HttpResponseStatus status, String body, String type, boolean head) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r =
                    new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            status,
                            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return r;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HandlerErrors.closeOn(ctx, cause, LOG, metrics::handlerError);
        }
    }
}
