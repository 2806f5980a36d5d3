package io.realmgate.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.proxy.access.Refusal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One absolute-URI request relayed to its origin and the response relayed back, both streamed:
 * bodies pass through in chunks under the same autoRead backpressure as tunnels, never buffered
 * whole. The upstream connection serves this one exchange ({@code Connection: close}); the client
 * connection stays open for the next request when both sides allow it.
 *
 * <p>A response the origin leaves incomplete (its connection closed or reset before the last chunk
 * or the last Content-Length byte) is aborted: the client connection is closed without a
 * terminating chunk, so the client sees a truncated message, never a clean end it could take for
 * the whole response (RFC 9112 §8). A body the origin delimits by closing is complete at a clean
 * close, and incomplete at a reset.
 */
final class ForwardExchange {
    /** Why an exchange was cut off after it began; the label of the aborts metric. */
    private enum Abort {
        UPSTREAM_CLOSED,
        UPSTREAM_RESET,
        UPSTREAM_MALFORMED,
        CLIENT_CLOSED,
        REQUEST_BODY;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final ChannelHandlerContext clientCtx;
    private final Channel client;
    private final ProxyFrontendSettings settings;
    private final ForwardRequest forward;
    private final long start;

    /**
     * Told once, at the end: true when the client connection may take another request; false when
     * the exchange closes it.
     */
    private final Consumer<Boolean> done;

    private final ArrayDeque<HttpContent> early = new ArrayDeque<>();
    private final boolean clientWantsKeepAlive;

    private Channel upstream;
    private boolean requestComplete;
    private boolean responseStarted;

    /**
     * The origin's last response part has arrived. The exchange finishes once it is flushed to the
     * client; the upstream connection closing in between is no failure.
     */
    private boolean responseComplete;

    private boolean informational;
    private boolean finished;
    private boolean keepAlive;
    private int status;
    private long bytesUp;
    private long bytesDown;

    ForwardExchange(
            ChannelHandlerContext clientCtx,
            ProxyFrontendSettings settings,
            ForwardRequest forward,
            long start,
            Consumer<Boolean> done) {
        this.clientCtx = clientCtx;
        this.client = clientCtx.channel();
        this.settings = settings;
        this.forward = forward;
        this.start = start;
        this.done = done;
        HttpRequest req = forward.request();
        this.clientWantsKeepAlive =
                HttpUtil.isKeepAlive(req) && req.protocolVersion().equals(HttpVersion.HTTP_1_1);
    }

    void start() {
        settings.targets()
                .admit(forward.target(), client.eventLoop())
                .addListener(
                        admitted -> {
                            if (finished) {
                                return;
                            }
                            if (!admitted.isSuccess()) {
                                refuse(FrontendHandler.refusalOf(admitted.cause()));
                                return;
                            }
                            settings.dialer()
                                    .dial(
                                            client.eventLoop(),
                                            (InetSocketAddress) admitted.getNow(),
                                            ProxyPipelines.forwardUpstream(
                                                    new ForwardResponseRelay(
                                                            this, settings.metrics())))
                                    .addListener(
                                            (ChannelFutureListener)
                                                    connected -> {
                                                        if (finished) {
                                                            connected.channel().close();
                                                        } else if (!connected.isSuccess()) {
                                                            refuse(
                                                                    FrontendHandler
                                                                            .refusalOfConnect(
                                                                                    connected
                                                                                            .cause(),
                                                                                    forward
                                                                                            .target()));
                                                        } else {
                                                            upstreamConnected(connected.channel());
                                                        }
                                                    });
                        });
    }

    private void upstreamConnected(Channel ch) {
        upstream = ch;
        HttpRequest original = forward.request();
        HttpHeaders headers = original.headers().copy();
        HopByHopHeaders.strip(headers);
        headers.set(HttpHeaderNames.HOST, forward.authority());
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpRequest head =
                new DefaultHttpRequest(
                        HttpVersion.HTTP_1_1, original.method(), forward.originForm(), headers);
        settings.via().addTo(head, ViaHeader.versionOf(original));
        upstream.write(head, upstream.voidPromise());
        for (HttpContent c; (c = early.poll()) != null; ) {
            upstream.write(c, upstream.voidPromise());
        }
        upstream.flush();
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(!requestComplete && upstream.isWritable());
    }

    // ---- client to upstream ----

    boolean wantsRequestContent() {
        return !requestComplete && !finished;
    }

    void requestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            String why = "malformed request body: " + content.decoderResult().cause().getMessage();
            content.release();
            if (responseStarted) {
                abort(Abort.REQUEST_BODY, why);
            } else {
                refuse(Refusal.of(Refusal.Reason.BAD_REQUEST, why));
            }
            return;
        }
        bytesUp += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            requestComplete = true;
            client.config().setAutoRead(false);
        }
        if (upstream == null) {
            early.add(content);
            return;
        }
        upstream.write(content, upstream.voidPromise());
        if (!upstream.isWritable()) {
            client.config().setAutoRead(false);
        }
    }

    /**
     * The client shut its output before the end of the request body: the request can never
     * complete.
     */
    void clientFinishedEarly() {
        String why =
                "request body cut short: the client finished sending after "
                        + bytesUp
                        + " body byte(s)";
        if (responseStarted) {
            abort(Abort.REQUEST_BODY, why);
        } else {
            refuse(Refusal.of(Refusal.Reason.BAD_REQUEST, why));
        }
    }

    void flushUpstream() {
        if (upstream != null) {
            upstream.flush();
        }
    }

    void clientWritabilityChanged() {
        if (upstream != null) {
            upstream.config().setAutoRead(client.isWritable());
        }
    }

    void upstreamWritabilityChanged() {
        if (!requestComplete && upstream.isWritable()) {
            client.config().setAutoRead(true);
        }
    }

    /**
     * The client connection closed (or reset) before the exchange ended: the origin's connection
     * goes too, so an endless stream or a long poll does not keep running for nobody.
     */
    void clientClosed() {
        abort(Abort.CLIENT_CLOSED, "client closed before the response was complete");
    }

    // ---- upstream to client ----

    void response(HttpObject msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            if (responseStarted) {
                abort(
                        Abort.UPSTREAM_MALFORMED,
                        "malformed response: " + msg.decoderResult().cause().getMessage());
            } else {
                refuse(
                        Refusal.of(
                                Refusal.Reason.UPSTREAM_REFUSED,
                                "malformed response from " + forward.target()));
            }
            return;
        }
        if (msg instanceof HttpResponse response) {
            responseHead(response);
        }
        if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (informational) {
                // The end of a 100 Continue: the real response follows.
                if (last) {
                    informational = false;
                }
                client.write(content, client.voidPromise());
                return;
            }
            bytesDown += content.content().readableBytes();
            if (last) {
                responseComplete = true;
                client.writeAndFlush(content)
                        .addListener(
                                f -> {
                                    if (f.isSuccess()) {
                                        finish();
                                    } else {
                                        clientClosed();
                                    }
                                });
            } else {
                client.write(content, client.voidPromise());
                if (!client.isWritable()) {
                    upstream.config().setAutoRead(false);
                }
            }
        }
    }

    private void responseHead(HttpResponse response) {
        int code = response.status().code();
        informational = code >= 100 && code < 200;
        HttpHeaders h = response.headers();
        HopByHopHeaders.strip(h);
        settings.via().addTo(response, ViaHeader.versionOf(response));
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (informational) {
            client.write(response, client.voidPromise());
            return;
        }
        status = code;
        responseStarted = true;
        // An early response (the request body is still arriving) ends the connection: the rest of
        // that body cannot be told apart from the next request.
        keepAlive = clientWantsKeepAlive && requestComplete;
        boolean bodyless =
                forward.request().method().equals(HttpMethod.HEAD) || code == 204 || code == 304;
        if (!bodyless
                && !h.contains(HttpHeaderNames.CONTENT_LENGTH)
                && !HttpUtil.isTransferEncodingChunked(response)) {
            // The origin delimits the body by closing; re-frame it as chunked so the client
            // connection survives.
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        client.write(response, client.voidPromise());
    }

    void responseReadComplete() {
        client.flush();
    }

    /**
     * The origin sent its FIN (the upstream connection allows half-closure, so this comes as an
     * input shutdown, not as the channel going inactive) or the connection closed. The decoder in
     * front has already passed on every part the closing could complete (the end of a body
     * delimited by close); whatever is still missing never comes.
     */
    void upstreamEnded() {
        upstreamLost(Abort.UPSTREAM_CLOSED, "closed");
    }

    /**
     * The upstream connection failed (a reset, or an error in its pipeline). Told before the
     * connection closes, so that the end of a body delimited by close, which the decoder produces
     * at the close, is not taken for a complete response.
     */
    void upstreamFailed(Throwable cause) {
        // A defect is logged by HandlerErrors; the access log only names what happened.
        upstreamLost(Abort.UPSTREAM_RESET, HandlerErrors.peerCaused(cause) ? "reset" : "failed");
    }

    private void upstreamLost(Abort abort, String how) {
        if (finished || responseComplete) {
            return;
        }
        if (!responseStarted) {
            refuse(
                    Refusal.of(
                            Refusal.Reason.UPSTREAM_REFUSED,
                            forward.target() + " " + how + " without a response"));
        } else {
            abort(abort, "upstream " + how + " mid-response after " + bytesDown + " body byte(s)");
        }
    }

    // ---- endings ----

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        log(null);
        settings.metrics().requestForwarded(bytesUp, bytesDown);
        upstream.close();
        if (!keepAlive) {
            client.close(); // the last response part is already flushed
        }
        done.accept(keepAlive);
    }

    private void refuse(Refusal refusal) {
        if (finished) {
            return;
        }
        finished = true;
        status = refusal.status();
        settings.metrics().refused(refusal.reason().name().toLowerCase(Locale.ROOT));
        releaseEarly();
        log(refusal.detail());
        if (upstream != null) {
            upstream.close();
        }
        if (client.isActive()) {
            clientCtx
                    .writeAndFlush(
                            ProxyResponses.error(
                                    refusal.status(), refusal.detail(), settings.via()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        done.accept(false);
    }

    /**
     * Ends an exchange that cannot complete: both connections close at once. Nothing more is
     * written to the client, in particular no terminating chunk; what was already flushed stays
     * delivered, and the close tells the client its message is incomplete.
     */
    private void abort(Abort abort, String why) {
        if (finished) {
            return;
        }
        finished = true;
        settings.metrics().forwardAborted(abort.label());
        releaseEarly();
        log(why);
        if (upstream != null) {
            upstream.close();
        }
        client.close();
        done.accept(false);
    }

    private void releaseEarly() {
        for (HttpContent c; (c = early.poll()) != null; ) {
            c.release();
        }
    }

    private void log(String note) {
        settings.accessLog()
                .record(
                        client.remoteAddress(),
                        forward.request().method().name(),
                        forward.target().toString(),
                        status,
                        bytesUp,
                        bytesDown,
                        start,
                        note);
    }
}
