package io.realmgate.realm.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.realmgate.common.HandlerErrors;
import io.realmgate.realm.config.Origins;
import io.realmgate.realm.hub.ClientMessage;
import io.realmgate.realm.hub.Frames;
import io.realmgate.realm.hub.HubException;
import io.realmgate.realm.hub.Position;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.realm.ws.ReplayBudget;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a listener: one request at a time, dispatched by path. A WebSocket upgrade or an
 * event stream hands the connection over for good (see {@link RealmPipelines}); a long-poll holds
 * it until answered, then the connection takes requests again: those pipelined behind it (up to
 * {@link #MAX_PIPELINED}) are held and answered after it, in order. A publish the engine answers
 * later (the redis engine) holds the connection the same way.
 *
 * <pre>
 * GET  /realm          WebSocket (protocol v1)       GET /            demo page
 * GET  /stream?sub=..  event stream (SSE)            GET /realmgate.js browser client
 * GET  /poll?sub=..    long-poll                     GET /healthz, /readyz, /metrics
 * POST /publish        publish one message
 * </pre>
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);
    static final int MAX_POLL_WAIT_SECONDS = 30;
    static final int DEFAULT_POLL_WAIT_SECONDS = 25;

    /** What a connection taken past a connection cap may still ask for. */
    private static final Set<String> PROBE_PATHS = Set.of("/healthz", "/readyz", "/metrics");

    /** Where a browser of another site could act on the realm: these check the Origin. */
    private static final Set<String> CROSS_ORIGIN_PATHS =
            Set.of("/realm", "/stream", "/poll", "/publish");

    private final RealmContext realm;
    private final RealmMetrics.Listener listener;

    /** Requests held behind a long-poll; past that, the connection is closed after them. */
    static final int MAX_PIPELINED = 16;

    private LongPoll poll;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>();

    /** A publish waits for its engine's answer; requests behind it wait in {@link #pipelined}. */
    private boolean publishing;

    private boolean pipelineOverflow;

    HttpRouter(RealmContext realm, RealmMetrics.Listener listener) {
        this.realm = realm;
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (poll != null || publishing || !pipelined.isEmpty()) {
            // Pipelined behind a long-poll or a publish not yet stored: answered after the poll's
            // own answer, in order (RFC
            // 9112 9.3.2).
            if (pipelined.size() < MAX_PIPELINED) {
                pipelined.add(request);
            } else {
                request.release();
                pipelineOverflow = true; // answered no more: the connection ends after those queued
            }
            return;
        }
        try {
            route(ctx, request);
        } finally {
            request.release();
        }
    }

    /**
     * After a long-poll's answer (a task queued behind its write): the requests pipelined behind
     * it.
     */
    private void servePipelined(ChannelHandlerContext ctx) {
        while (poll == null && !publishing && !pipelined.isEmpty()) {
            FullHttpRequest request = pipelined.poll();
            try {
                if (!ctx.isRemoved() && ctx.channel().isActive()) {
                    route(ctx, request);
                }
            } finally {
                request.release();
            }
        }
        if (poll == null && !publishing && pipelineOverflow && ctx.channel().isActive()) {
            // After the answers already written have left (a plain close would drop what is still
            // queued).
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void releasePipelined() {
        FullHttpRequest r;
        while ((r = pipelined.poll()) != null) {
            r.release();
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            malformed(ctx, request.decoderResult().cause());
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(originForm(request.uri()));
        String path = query.path();
        HttpMethod method = request.method();
        Boolean probeOnly = ctx.channel().attr(ConnectionLimits.PROBE_ONLY).get();
        if (probeOnly != null && !PROBE_PATHS.contains(path)) {
            // Taken past a connection cap: probes and scrapes only, everything else is refused.
            realm.metrics().connectionRefused(probeOnly);
            realm.metrics().httpRefused(RealmMetrics.HttpRefusal.CONNECTION_CAP);
            FullHttpResponse r =
                    HttpResponses.text(
                            HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "realm at its connection limit\n");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r)
                    .addListener(
                            (ChannelFutureListener)
                                    f -> RealmPipelines.lingeringClose(f.channel()));
            return;
        }
        if (probeOnly != null) {
            keepAlive = false; // give the reserved place back at once
        }
        if (CROSS_ORIGIN_PATHS.contains(path) && !originAllowed(ctx, request)) {
            // Cross-site WebSocket hijacking and cross-site publishes: a page of another site may
            // make
            // a visitor's browser connect here, but not on the realm's behalf unless allowed.
            realm.metrics().originRefused();
            HttpResponses.send(
                    ctx,
                    HttpResponses.text(
                            HttpResponseStatus.FORBIDDEN,
                            "origin not allowed (see --allowed-origins)\n"),
                    false);
            return;
        }
        if (HttpMethod.OPTIONS.equals(method)) {
            preflight(ctx, keepAlive);
            return;
        }
        switch (path) {
            case "/realm" -> {
                if (!HttpMethod.GET.equals(method)) {
                    methodNotAllowed(ctx, "GET", keepAlive);
                } else if (!request.headers()
                        .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                    realm.metrics().httpRefused(RealmMetrics.HttpRefusal.UPGRADE_REQUIRED);
                    FullHttpResponse r =
                            HttpResponses.text(
                                    HttpResponseStatus.UPGRADE_REQUIRED,
                                    "/realm is a WebSocket endpoint (protocol v1, see docs/protocol.md)\n");
                    r.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
                    HttpResponses.send(ctx, r, keepAlive);
                } else {
                    upgrade(ctx, request);
                }
            }
            case "/stream" -> {
                if (HttpMethod.HEAD.equals(method)) {
                    // The head a GET would get, and no stream: a HEAD answer has no body to stream
                    // into.
                    FullHttpResponse r =
                            HttpResponses.full(
                                    HttpResponseStatus.OK,
                                    EventStreamSession.CONTENT_TYPE,
                                    new byte[0]);
                    r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                    HttpResponses.send(ctx, r, keepAlive);
                } else if (get(ctx, method, keepAlive)) {
                    stream(ctx, query);
                }
            }
            case "/poll" -> {
                if (get(ctx, method, keepAlive)) {
                    poll(ctx, query, keepAlive);
                }
            }
            case "/publish" -> {
                if (!HttpMethod.POST.equals(method)) {
                    methodNotAllowed(ctx, "POST", keepAlive);
                } else {
                    publish(ctx, request, keepAlive);
                }
            }
            case "/", "/index.html" -> {
                if (get(ctx, method, keepAlive)) {
                    HttpResponses.send(
                            ctx,
                            HttpResponses.full(
                                    HttpResponseStatus.OK,
                                    "text/html; charset=utf-8",
                                    realm.content().indexHtml()),
                            keepAlive);
                }
            }
            case "/realmgate.js" -> {
                if (get(ctx, method, keepAlive)) {
                    FullHttpResponse r =
                            HttpResponses.full(
                                    HttpResponseStatus.OK,
                                    "text/javascript; charset=utf-8",
                                    realm.content().clientJs());
                    HttpResponses.allowAnyOrigin(r.headers());
                    HttpResponses.send(ctx, r, keepAlive);
                }
            }
            case "/healthz" -> {
                if (get(ctx, method, keepAlive)) {
                    HttpResponses.send(
                            ctx, HttpResponses.text(HttpResponseStatus.OK, "ok\n"), keepAlive);
                }
            }
            case "/readyz" -> {
                if (get(ctx, method, keepAlive)) {
                    boolean ready = realm.ready().getAsBoolean();
                    HttpResponses.send(
                            ctx,
                            HttpResponses.text(
                                    ready
                                            ? HttpResponseStatus.OK
                                            : HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    ready
                                            ? "ready\n"
                                            : realm.hub().available()
                                                    ? "not ready\n"
                                                    : "not ready: "
                                                            + realm.hub().unavailableReason()
                                                            + "\n"),
                            keepAlive);
                }
            }
            case "/metrics" -> {
                if (get(ctx, method, keepAlive)) {
                    HttpResponses.send(
                            ctx,
                            HttpResponses.full(
                                    HttpResponseStatus.OK,
                                    "text/plain; version=0.0.4; charset=utf-8",
                                    realm.metrics().render().getBytes(StandardCharsets.UTF_8)),
                            keepAlive);
                }
            }
            default ->
                    HttpResponses.send(
                            ctx,
                            HttpResponses.text(HttpResponseStatus.NOT_FOUND, "not found\n"),
                            keepAlive);
        }
    }

    /**
     * RFC 6455 4.2.1, checked before Netty's handshaker sees the request (which would accept
     * versions 7 and 8, any key, and answer nothing at all to a missing {@code Connection:
     * Upgrade}).
     */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpHeaders h = request.headers();
        if (!h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            handshakeRefused(ctx, "a WebSocket upgrade needs 'Connection: Upgrade'\n");
            return;
        }
        String version = h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (!"13".equals(version == null ? null : version.trim())) {
            FullHttpResponse r =
                    HttpResponses.text(
                            HttpResponseStatus.UPGRADE_REQUIRED,
                            "only WebSocket version 13 (RFC 6455) is spoken here\n");
            r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            realm.metrics().protocolError();
            realm.metrics().httpRefused(RealmMetrics.HttpRefusal.WEBSOCKET_VERSION);
            HttpResponses.send(ctx, r, false);
            return;
        }
        if (!validKey(h.getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
            handshakeRefused(ctx, "Sec-WebSocket-Key must be one base64 value of 16 bytes\n");
            return;
        }
        RealmPipelines.upgradeToWebSocket(ctx, request, realm, listener);
    }

    static boolean validKey(List<String> keys) {
        if (keys.size() != 1) {
            return false;
        }
        String key = keys.get(0).trim();
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void handshakeRefused(ChannelHandlerContext ctx, String why) {
        realm.metrics().protocolError();
        realm.metrics().httpRefused(RealmMetrics.HttpRefusal.WEBSOCKET_HANDSHAKE);
        HttpResponses.send(ctx, HttpResponses.text(HttpResponseStatus.BAD_REQUEST, why), false);
    }

    /**
     * The HTTP codec could not read the request: {@code 414} for a request line, {@code 431} for a
     * header past its limit, else {@code 400}. The codec reads nothing more on this connection, so
     * it is closed after.
     */
    private void malformed(ChannelHandlerContext ctx, Throwable cause) {
        RealmMetrics.HttpRefusal why;
        String text;
        if (cause instanceof TooLongHttpLineException) {
            why = RealmMetrics.HttpRefusal.REQUEST_LINE_TOO_LONG;
            text = "request line longer than " + RealmPipelines.MAX_REQUEST_LINE + " bytes\n";
        } else if (cause instanceof TooLongHttpHeaderException) {
            why = RealmMetrics.HttpRefusal.HEADER_TOO_LARGE;
            text = "request header larger than " + RealmPipelines.MAX_HEADER + " bytes\n";
        } else {
            why = RealmMetrics.HttpRefusal.MALFORMED;
            text = "malformed request\n";
        }
        realm.metrics().httpRefused(why);
        HttpResponses.send(
                ctx, HttpResponses.text(HttpResponseStatus.valueOf(why.status), text), false);
    }

    private void stream(ChannelHandlerContext ctx, QueryStringDecoder query) {
        Map<String, Position> subs;
        try {
            subs = SubscriptionQuery.parse(query, realm.config().maxSubscriptions());
        } catch (IllegalArgumentException e) {
            badRequest(ctx, e.getMessage());
            return;
        }
        InetAddress client = FallbackLimits.client(ctx.channel());
        ReplayBudget budget = realm.fallback().replayBudget(client);
        if (replayRefused(ctx, subs, budget)) {
            return;
        }
        if (capRefused(
                ctx,
                realm.fallback().streams,
                RealmMetrics.Transport.STREAM,
                client,
                "--max-streams")) {
            return;
        }
        ctx.channel().closeFuture().addListener(f -> realm.fallback().streams.release(client));
        RealmPipelines.switchToEventStream(
                ctx, new EventStreamSession(realm, listener, subs, budget));
    }

    /**
     * {@code --replay-rate} for the fallback transports: a request that asks for {@code from} while
     * its address's budget is spent is refused whole with 429 (and the error {@code replay-rate}).
     */
    private boolean replayRefused(
            ChannelHandlerContext ctx, Map<String, Position> subs, ReplayBudget budget) {
        if (subs.values().stream().noneMatch(Position::replays)) {
            return false;
        }
        try {
            budget.admit();
            return false;
        } catch (HubException e) {
            realm.metrics().replayRefused();
            realm.metrics().httpRefused(RealmMetrics.HttpRefusal.REPLAY_RATE);
            FullHttpResponse r =
                    HttpResponses.full(
                            HttpResponseStatus.TOO_MANY_REQUESTS,
                            HttpResponses.JSON,
                            Frames.error(e, null).json());
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            HttpResponses.allowAnyOrigin(r.headers());
            HttpResponses.send(ctx, r, true);
            return true;
        }
    }

    /**
     * {@code --max-streams} / {@code --max-polls}: 503 when the cap (total or per address) is
     * reached.
     */
    private boolean capRefused(
            ChannelHandlerContext ctx,
            FallbackLimits.Cap cap,
            RealmMetrics.Transport transport,
            InetAddress client,
            String flag) {
        FallbackLimits.Refusal refusal = cap.acquire(client);
        if (refusal == null) {
            return false;
        }
        boolean perClient = refusal == FallbackLimits.Refusal.PER_CLIENT;
        realm.metrics().fallbackRefused(transport, perClient);
        realm.metrics()
                .httpRefused(
                        transport == RealmMetrics.Transport.STREAM
                                ? RealmMetrics.HttpRefusal.STREAM_CAP
                                : RealmMetrics.HttpRefusal.POLL_CAP);
        FullHttpResponse r =
                HttpResponses.full(
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        HttpResponses.JSON,
                        Frames.error(
                                        "unavailable",
                                        "too many "
                                                + (transport == RealmMetrics.Transport.STREAM
                                                        ? "event streams"
                                                        : "long-polls")
                                                + (perClient ? " from this address" : "")
                                                + " ("
                                                + flag
                                                + (perClient ? "-per-client" : "")
                                                + "); retry later",
                                        null)
                                .json());
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        HttpResponses.allowAnyOrigin(r.headers());
        HttpResponses.send(ctx, r, true);
        return true;
    }

    private void poll(ChannelHandlerContext ctx, QueryStringDecoder query, boolean keepAlive) {
        Map<String, Position> subs;
        int wait;
        try {
            subs = SubscriptionQuery.parse(query, realm.config().maxSubscriptions());
            String w =
                    query.parameters()
                            .getOrDefault(
                                    "wait", List.of(String.valueOf(DEFAULT_POLL_WAIT_SECONDS)))
                            .get(0);
            wait = Integer.parseInt(w);
            if (wait < 0 || wait > MAX_POLL_WAIT_SECONDS) {
                throw new IllegalArgumentException(
                        "wait must be 0 to " + MAX_POLL_WAIT_SECONDS + " seconds");
            }
        } catch (NumberFormatException e) {
            badRequest(ctx, "wait must be a whole number of seconds");
            return;
        } catch (IllegalArgumentException e) {
            badRequest(ctx, e.getMessage());
            return;
        }
        InetAddress client = FallbackLimits.client(ctx.channel());
        ReplayBudget budget = realm.fallback().replayBudget(client);
        if (replayRefused(ctx, subs, budget)) {
            return;
        }
        if (capRefused(
                ctx,
                realm.fallback().polls,
                RealmMetrics.Transport.LONGPOLL,
                client,
                "--max-polls")) {
            return;
        }
        poll =
                new LongPoll(
                        ctx,
                        realm,
                        listener,
                        subs,
                        wait,
                        keepAlive,
                        budget,
                        () -> {
                            poll = null;
                            realm.fallback().polls.release(client);
                            if (keepAlive) {
                                // Runs after the poll's answer is written (done comes first in
                                // LongPoll.answer).
                                ctx.executor().execute(() -> servePipelined(ctx));
                            } else {
                                releasePipelined(); // the poll's answer ends the connection
                            }
                        });
        poll.start();
    }

    /**
     * No Origin: not a browser (or a same-origin GET), allowed. Otherwise the realm's own origin
     * (the listener's scheme with the request's Host), an origin of {@code --allowed-origins}, or
     * any with {@code *}.
     */
    private boolean originAllowed(ChannelHandlerContext ctx, FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return true;
        }
        List<String> allowed = realm.config().allowedOrigins();
        if (allowed.contains(Origins.ANY)) {
            return true;
        }
        String canonical = Origins.canonical(origin);
        if (canonical == null) {
            return false; // "null" (sandboxed pages, file:) and anything that is not an http(s)
            // origin
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String scheme = ctx.pipeline().get(RealmPipelines.TLS) != null ? "https" : "http";
        if (host != null && canonical.equals(Origins.canonical(scheme + "://" + host.trim()))) {
            return true;
        }
        return allowed.contains(canonical);
    }

    /**
     * {@code application/json}, with or without parameters (charset): not a type a form or a beacon
     * may send.
     */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        return type.equalsIgnoreCase("application/json");
    }

    private void publish(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        if (!isJson(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            // text/plain and form types are sent cross-site without a preflight: not accepted.
            realm.metrics().protocolError();
            realm.metrics().httpRefused(RealmMetrics.HttpRefusal.CONTENT_TYPE);
            FullHttpResponse r =
                    HttpResponses.full(
                            HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                            HttpResponses.JSON,
                            Frames.error(
                                            "bad-request",
                                            "POST /publish takes Content-Type: application/json",
                                            null)
                                    .json());
            HttpResponses.allowAnyOrigin(r.headers());
            HttpResponses.send(ctx, r, keepAlive);
            return;
        }
        byte[] body = new byte[request.content().readableBytes()];
        request.content().getBytes(request.content().readerIndex(), body);
        ClientMessage m;
        CompletableFuture<Long> stored;
        try {
            m = ClientMessage.of(ClientMessage.readTree(body), ClientMessage.Op.PUBLISH, body);
            if (m.op() != ClientMessage.Op.PUBLISH) {
                throw new HubException("bad-request", "only publish is accepted here");
            }
            stored = realm.hub().publish(m.channel(), m.data());
        } catch (ClientMessage.Invalid e) {
            realm.metrics().protocolError();
            realm.metrics().httpRefused(RealmMetrics.HttpRefusal.BAD_MESSAGE);
            sendPublished(
                    ctx,
                    HttpResponses.full(
                            HttpResponseStatus.BAD_REQUEST, HttpResponses.JSON, e.toFrame().json()),
                    keepAlive);
            return;
        } catch (HubException e) {
            sendPublished(ctx, publishRefused(e), keepAlive);
            return;
        }
        if (stored.isDone()) {
            sendPublished(ctx, publishAnswer(m, stored), keepAlive);
            return;
        }
        // The engine answers later: requests behind this one wait, so answers keep their order.
        publishing = true;
        stored.whenComplete(
                (id, failure) ->
                        ctx.executor()
                                .execute(
                                        () -> {
                                            publishing = false;
                                            if (ctx.channel().isActive()) {
                                                sendPublished(
                                                        ctx, publishAnswer(m, stored), keepAlive);
                                            }
                                            servePipelined(ctx);
                                        }));
    }

    /** The answer to a publish whose future is complete. */
    private FullHttpResponse publishAnswer(ClientMessage m, CompletableFuture<Long> stored) {
        long id;
        try {
            id = stored.join();
        } catch (RuntimeException failure) {
            return publishRefused(HubException.of(failure));
        }
        return HttpResponses.full(
                HttpResponseStatus.OK, HttpResponses.JSON, Frames.ack(m.ref(), id).json());
    }

    private FullHttpResponse publishRefused(HubException e) {
        RealmMetrics.HttpRefusal why =
                switch (e.code()) {
                    case "too-many-channels" -> RealmMetrics.HttpRefusal.TOO_MANY_CHANNELS;
                    case HubException.UNAVAILABLE -> RealmMetrics.HttpRefusal.STORE_UNAVAILABLE;
                    default -> RealmMetrics.HttpRefusal.BAD_MESSAGE;
                };
        if (why != RealmMetrics.HttpRefusal.STORE_UNAVAILABLE) {
            realm.metrics().protocolError();
        }
        realm.metrics().httpRefused(why);
        FullHttpResponse r =
                HttpResponses.full(
                        HttpResponseStatus.valueOf(why.status),
                        HttpResponses.JSON,
                        Frames.error(e, null).json());
        if (why == RealmMetrics.HttpRefusal.STORE_UNAVAILABLE) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        }
        return r;
    }

    private void sendPublished(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        HttpResponses.allowAnyOrigin(r.headers());
        HttpResponses.send(ctx, r, keepAlive);
    }

    private void preflight(ChannelHandlerContext ctx, boolean keepAlive) {
        FullHttpResponse r = HttpResponses.full(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
        HttpResponses.allowAnyOrigin(r.headers());
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "content-type");
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        HttpResponses.send(ctx, r, keepAlive);
    }

    private boolean get(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive) {
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            return true;
        }
        methodNotAllowed(ctx, "GET", keepAlive);
        return false;
    }

    private void methodNotAllowed(ChannelHandlerContext ctx, String allow, boolean keepAlive) {
        realm.metrics().httpRefused(RealmMetrics.HttpRefusal.METHOD);
        FullHttpResponse r =
                HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        HttpResponses.send(ctx, r, keepAlive);
    }

    private void badRequest(ChannelHandlerContext ctx, String message) {
        realm.metrics().httpRefused(RealmMetrics.HttpRefusal.BAD_QUERY);
        FullHttpResponse r =
                HttpResponses.full(
                        HttpResponseStatus.BAD_REQUEST,
                        HttpResponses.JSON,
                        Frames.error("bad-request", message, null).json());
        HttpResponses.allowAnyOrigin(r.headers());
        HttpResponses.send(ctx, r, true);
    }

    /** A request relayed by a forward proxy may still carry its absolute URI. */
    private static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        try {
            URI u = URI.create(uri);
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        } catch (IllegalArgumentException e) {
            return uri;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle
                && idle.state() == IdleState.READER_IDLE
                && poll == null) {
            // An HTTP connection with no request for a ping interval: nothing is waiting on it.
            ctx.close();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (poll != null) {
            poll.cancel();
        }
        releasePipelined();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePipelined(); // handed over (upgrade, stream): what was pipelined behind is not
        // answered
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        HandlerErrors.closeOn(ctx, cause, LOG, realm.metrics()::handlerError);
    }
}
