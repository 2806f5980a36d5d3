package io.realmgate.realm.ops;

import io.realmgate.realm.hub.HubStats;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The realm's counters and gauges, written as Prometheus text by {@link #render()}. A handful of
 * fixed series does not need a metrics library: each is a {@link LongAdder} or an {@link
 * AtomicLong}, cheap to bump from any event loop.
 */
public final class RealmMetrics implements HubStats {
    /** How a connection receives: the labels of {@code realmgate_realm_connections}. */
    public enum Transport {
        WEBSOCKET("websocket"),
        STREAM("stream"),
        LONGPOLL("longpoll");

        final String label;

        Transport(String label) {
            this.label = label;
        }
    }

    /** Which listener a connection came in on. */
    public enum Listener {
        WS,
        WSS
    }

    /**
     * Why the realm refused an HTTP request: the labels of {@code
     * realmgate_realm_http_refusals_total}. Each reason has one status; a 404 (nothing there) is
     * not a refusal and not counted.
     */
    public enum HttpRefusal {
        MALFORMED(400, "malformed"),
        REQUEST_LINE_TOO_LONG(414, "request-line-too-long"),
        HEADER_TOO_LARGE(431, "header-too-large"),
        HEADER_TIMEOUT(408, "header-timeout"),
        BODY_TOO_LARGE(413, "body-too-large"),
        METHOD(405, "method"),
        ORIGIN(403, "origin"),
        UPGRADE_REQUIRED(426, "upgrade-required"),
        WEBSOCKET_VERSION(426, "websocket-version"),
        WEBSOCKET_HANDSHAKE(400, "websocket-handshake"),
        BAD_QUERY(400, "bad-query"),
        CONTENT_TYPE(415, "content-type"),
        BAD_MESSAGE(400, "bad-message"),
        TOO_MANY_CHANNELS(503, "too-many-channels"),
        REPLAY_RATE(429, "replay-rate"),
        CONNECTION_CAP(503, "connection-cap"),
        STREAM_CAP(503, "stream-cap"),
        POLL_CAP(503, "poll-cap"),
        /** A publish whose event the engine could not store (its store is unreachable). */
        STORE_UNAVAILABLE(503, "store-unavailable");

        public final int status;
        final String label;

        HttpRefusal(int status, String label) {
            this.status = status;
            this.label = label;
        }
    }

    /**
     * Why a TLS handshake on the wss listener failed: the labels of {@code
     * realmgate_realm_tls_handshake_failures_total}.
     */
    public enum TlsFailure {
        /** Not complete within {@code --header-timeout} of the accept. */
        TIMEOUT("timeout"),
        /** The first bytes were not a TLS record (garbage, or plain HTTP sent to the TLS port). */
        NOT_TLS("not-tls"),
        /** The client closed the connection before the handshake completed. */
        CLOSED("closed"),
        /** A second handshake the client started on an established TLS 1.2 connection: refused. */
        RENEGOTIATION("renegotiation"),
        /**
         * Anything else: no protocol or cipher in common, an alert from the client (an untrusted
         * certificate), ...
         */
        OTHER("other");

        final String label;

        TlsFailure(String label) {
            this.label = label;
        }
    }

    /**
     * The close codes the realm sends when it ends a WebSocket for what the client did (or did not
     * do).
     */
    private static final int[] REFUSAL_CLOSE_CODES = {1002, 1003, 1007, 1009, 4000, 4008};

    private final AtomicLong[][] open =
            new AtomicLong[Transport.values().length][Listener.values().length];
    private final LongAdder[] opened = new LongAdder[Transport.values().length];
    private final LongAdder[] delivered = new LongAdder[Transport.values().length];
    private final AtomicLong subscriptions = new AtomicLong();
    private final AtomicLong channels = new AtomicLong();
    private final AtomicLong retainedEvents = new AtomicLong();
    private final AtomicLong retainedBytes = new AtomicLong();
    private final AtomicLong listening = new AtomicLong();
    private volatile boolean retainedElsewhere;
    private final LongAdder published = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final LongAdder originRefusals = new LongAdder();
    private final LongAdder refusedTotalCap = new LongAdder();
    private final LongAdder[][] fallbackRefused = new LongAdder[Transport.values().length][2];
    private final LongAdder replayRefused = new LongAdder();
    private final LongAdder refusedClientCap = new LongAdder();
    private final LongAdder headerTimeouts = new LongAdder();
    private final LongAdder deadPeers = new LongAdder();
    private final LongAdder certReloads = new LongAdder();
    private volatile Supplier<Instant> certificateNotAfter;
    private final LongAdder[] httpRefusals = adders(HttpRefusal.values().length);
    private final LongAdder[] tlsFailures = adders(TlsFailure.values().length);
    private final LongAdder[] refusalCloses = adders(REFUSAL_CLOSE_CODES.length);
    private final LongAdder otherCloses = new LongAdder();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public RealmMetrics() {
        for (Transport t : Transport.values()) {
            for (Listener l : Listener.values()) {
                open[t.ordinal()][l.ordinal()] = new AtomicLong();
            }
            opened[t.ordinal()] = new LongAdder();
            delivered[t.ordinal()] = new LongAdder();
            fallbackRefused[t.ordinal()][0] = new LongAdder();
            fallbackRefused[t.ordinal()][1] = new LongAdder();
        }
    }

    public void connectionOpened(Transport t, Listener l) {
        open[t.ordinal()][l.ordinal()].incrementAndGet();
        opened[t.ordinal()].increment();
    }

    public void connectionClosed(Transport t, Listener l) {
        open[t.ordinal()][l.ordinal()].decrementAndGet();
    }

    public long openConnections(Transport t) {
        long n = 0;
        for (Listener l : Listener.values()) {
            n += open[t.ordinal()][l.ordinal()].get();
        }
        return n;
    }

    public void delivered(Transport t) {
        delivered[t.ordinal()].increment();
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    /**
     * A connection refused at the cap: {@code perClient} for the per-address cap, else the total
     * one.
     */
    public void connectionRefused(boolean perClient) {
        (perClient ? refusedClientCap : refusedTotalCap).increment();
    }

    public long connectionsRefused() {
        return refusedTotalCap.sum() + refusedClientCap.sum();
    }

    /**
     * An event stream or long-poll refused (503) at its cap: {@code perClient} for the per-address
     * one.
     */
    public void fallbackRefused(Transport t, boolean perClient) {
        fallbackRefused[t.ordinal()][perClient ? 1 : 0].increment();
    }

    public long fallbackRefused(Transport t) {
        return fallbackRefused[t.ordinal()][0].sum() + fallbackRefused[t.ordinal()][1].sum();
    }

    /** A replay ({@code from}) refused by {@code --replay-rate}, on any transport. */
    public void replayRefused() {
        replayRefused.increment();
    }

    public long replaysRefused() {
        return replayRefused.sum();
    }

    /**
     * An HTTP request refused; the older per-cause counters (origin, header timeout) are bumped by
     * their own methods.
     */
    public void httpRefused(HttpRefusal why) {
        httpRefusals[why.ordinal()].increment();
    }

    public long httpRefusals(HttpRefusal why) {
        return httpRefusals[why.ordinal()].sum();
    }

    public void tlsHandshakeFailed(TlsFailure why) {
        tlsFailures[why.ordinal()].increment();
    }

    public long tlsHandshakeFailures(TlsFailure why) {
        return tlsFailures[why.ordinal()].sum();
    }

    /**
     * A WebSocket the realm closed with {@code code} because of its client (not a shutdown, not an
     * echoed close).
     */
    public void webSocketRefused(int code) {
        for (int i = 0; i < REFUSAL_CLOSE_CODES.length; i++) {
            if (REFUSAL_CLOSE_CODES[i] == code) {
                refusalCloses[i].increment();
                return;
            }
        }
        otherCloses.increment();
    }

    public long webSocketRefusals(int code) {
        for (int i = 0; i < REFUSAL_CLOSE_CODES.length; i++) {
            if (REFUSAL_CLOSE_CODES[i] == code) {
                return refusalCloses[i].sum();
            }
        }
        return otherCloses.sum();
    }

    /**
     * Counted in {@code realmgate_realm_header_timeouts_total} and as the {@code header-timeout}
     * HTTP refusal.
     */
    public void headerTimeout() {
        headerTimeouts.increment();
        httpRefused(HttpRefusal.HEADER_TIMEOUT);
    }

    public long headerTimeouts() {
        return headerTimeouts.sum();
    }

    /**
     * Counted in {@code realmgate_realm_origin_refusals_total} and as the {@code origin} HTTP
     * refusal.
     */
    public void originRefused() {
        originRefusals.increment();
        httpRefused(HttpRefusal.ORIGIN);
    }

    public long originRefusals() {
        return originRefusals.sum();
    }

    public void protocolError() {
        protocolErrors.increment();
    }

    /**
     * A handler failed with an exception that is not the peer's doing (HandlerErrors); its
     * connection closed.
     */
    public void handlerError() {
        handlerErrors.increment();
    }

    public void deadPeer() {
        deadPeers.increment();
    }

    public void certificateReloaded() {
        certReloads.increment();
    }

    /**
     * Where the wss listener's certificate expiry is read at each scrape (a reload changes it);
     * without wss there is no such series.
     */
    public void certificateExpiry(Supplier<Instant> notAfter) {
        this.certificateNotAfter = notAfter;
    }

    public long slowConsumers() {
        return slowConsumers.sum();
    }

    public long subscriptions() {
        return subscriptions.get();
    }

    @Override
    public void published() {
        published.increment();
    }

    @Override
    public void subscriptions(int delta) {
        subscriptions.addAndGet(delta);
    }

    @Override
    public void channels(int delta) {
        channels.addAndGet(delta);
    }

    @Override
    public void retained(int events, long bytes) {
        retainedEvents.addAndGet(events);
        retainedBytes.addAndGet(bytes);
    }

    @Override
    public void evicted() {
        evicted.increment();
    }

    @Override
    public void retainedElsewhere() {
        retainedElsewhere = true;
    }

    @Override
    public void storeChannels(long n) {
        channels.set(n);
    }

    @Override
    public void listening(int delta) {
        listening.addAndGet(delta);
    }

    /** Prometheus text exposition format 0.0.4. */
    public String render() {
        StringBuilder b = new StringBuilder(2048);
        header(
                b,
                "realmgate_realm_connections",
                "gauge",
                "Open connections by transport and listener.");
        for (Transport t : Transport.values()) {
            for (Listener l : Listener.values()) {
                b.append("realmgate_realm_connections{transport=\"")
                        .append(t.label)
                        .append("\",listener=\"")
                        .append(l.name().toLowerCase(Locale.ROOT))
                        .append("\"} ")
                        .append(open[t.ordinal()][l.ordinal()].get())
                        .append('\n');
            }
        }
        header(
                b,
                "realmgate_realm_connections_opened_total",
                "counter",
                "Connections opened by transport.");
        for (Transport t : Transport.values()) {
            b.append("realmgate_realm_connections_opened_total{transport=\"")
                    .append(t.label)
                    .append("\"} ")
                    .append(opened[t.ordinal()].sum())
                    .append('\n');
        }
        header(
                b,
                "realmgate_realm_events_delivered_total",
                "counter",
                "Events written to subscribers (events out), by transport.");
        for (Transport t : Transport.values()) {
            b.append("realmgate_realm_events_delivered_total{transport=\"")
                    .append(t.label)
                    .append("\"} ")
                    .append(delivered[t.ordinal()].sum())
                    .append('\n');
        }
        single(
                b,
                "realmgate_realm_events_published_total",
                "counter",
                "Events published and retained (events in).",
                published.sum());
        single(
                b,
                "realmgate_realm_subscriptions",
                "gauge",
                "Subscriptions held by open connections.",
                subscriptions.get());
        if (retainedElsewhere) {
            // The redis engine: events are retained in Redis, shared by every realm pod; summing
            // them would read every channel's log, so the retained gauges are not exported
            // (docs/realm.md, "Metrics with the redis engine").
            single(
                    b,
                    "realmgate_realm_channels",
                    "gauge",
                    "Channels in the realm (the realm's channel set in Redis, all pods).",
                    channels.get());
            single(
                    b,
                    "realmgate_realm_channels_listening",
                    "gauge",
                    "Channels this process listens to on Redis pub/sub (its subscribers').",
                    listening.get());
            single(
                    b,
                    "realmgate_realm_events_evicted_total",
                    "counter",
                    "Retained events dropped by the retention limits in this process's publishes.",
                    evicted.sum());
        } else {
            single(
                    b,
                    "realmgate_realm_channels",
                    "gauge",
                    "Channels in the realm.",
                    channels.get());
            single(
                    b,
                    "realmgate_realm_retained_events",
                    "gauge",
                    "Events retained for replay, all channels.",
                    retainedEvents.get());
            single(
                    b,
                    "realmgate_realm_retained_bytes",
                    "gauge",
                    "Bytes retained for replay, all channels.",
                    retainedBytes.get());
            single(
                    b,
                    "realmgate_realm_events_evicted_total",
                    "counter",
                    "Retained events dropped by the retention limits.",
                    evicted.sum());
        }
        single(
                b,
                "realmgate_realm_slow_consumer_drops_total",
                "counter",
                "Connections dropped because their outbound queue overflowed.",
                slowConsumers.sum());
        single(
                b,
                "realmgate_realm_dead_peer_closes_total",
                "counter",
                "WebSocket connections closed for not answering pings.",
                deadPeers.sum());
        single(
                b,
                "realmgate_realm_protocol_errors_total",
                "counter",
                "Client messages refused (bad JSON, unknown op, bad channel, ...).",
                protocolErrors.sum());
        single(
                b,
                "realmgate_realm_handler_errors_total",
                "counter",
                "Unexpected exceptions in a connection's handlers (a defect, logged at WARN); the connection was closed.",
                handlerErrors.sum());
        header(
                b,
                "realmgate_realm_connections_refused_total",
                "counter",
                "Connections refused at a connection cap, by cap.");
        b.append("realmgate_realm_connections_refused_total{cap=\"total\"} ")
                .append(refusedTotalCap.sum())
                .append('\n');
        b.append("realmgate_realm_connections_refused_total{cap=\"per-client\"} ")
                .append(refusedClientCap.sum())
                .append('\n');
        header(
                b,
                "realmgate_realm_fallback_refused_total",
                "counter",
                "Event streams and long-polls refused (503) at --max-streams / --max-polls, by transport and cap.");
        for (Transport t : Transport.values()) {
            if (t == Transport.STREAM || t == Transport.LONGPOLL) {
                b.append("realmgate_realm_fallback_refused_total{transport=\"")
                        .append(t.label)
                        .append("\",cap=\"total\"} ")
                        .append(fallbackRefused[t.ordinal()][0].sum())
                        .append('\n');
                b.append("realmgate_realm_fallback_refused_total{transport=\"")
                        .append(t.label)
                        .append("\",cap=\"per-client\"} ")
                        .append(fallbackRefused[t.ordinal()][1].sum())
                        .append('\n');
            }
        }
        single(
                b,
                "realmgate_realm_replays_refused_total",
                "counter",
                "Replays (from) refused by --replay-rate, all transports.",
                replayRefused.sum());
        single(
                b,
                "realmgate_realm_header_timeouts_total",
                "counter",
                "Connections closed because a request header did not arrive in --header-timeout.",
                headerTimeouts.sum());
        single(
                b,
                "realmgate_realm_origin_refusals_total",
                "counter",
                "Requests refused (403) for a browser Origin that is not allowed.",
                originRefusals.sum());
        single(
                b,
                "realmgate_realm_certificate_reloads_total",
                "counter",
                "Times the wss certificate was reloaded from disk.",
                certReloads.sum());
        Supplier<Instant> notAfter = certificateNotAfter;
        if (notAfter != null) {
            single(
                    b,
                    "realmgate_realm_certificate_expiry_timestamp_seconds",
                    "gauge",
                    "When the certificate the wss listener serves expires (seconds since the epoch).",
                    notAfter.get().getEpochSecond());
        }
        header(
                b,
                "realmgate_realm_http_refusals_total",
                "counter",
                "HTTP requests refused, by reason and the status answered.");
        for (HttpRefusal r : HttpRefusal.values()) {
            b.append("realmgate_realm_http_refusals_total{reason=\"")
                    .append(r.label)
                    .append("\",status=\"")
                    .append(r.status)
                    .append("\"} ")
                    .append(httpRefusals[r.ordinal()].sum())
                    .append('\n');
        }
        header(
                b,
                "realmgate_realm_tls_handshake_failures_total",
                "counter",
                "wss connections whose TLS handshake failed or was refused, by reason.");
        for (TlsFailure f : TlsFailure.values()) {
            b.append("realmgate_realm_tls_handshake_failures_total{reason=\"")
                    .append(f.label)
                    .append("\"} ")
                    .append(tlsFailures[f.ordinal()].sum())
                    .append('\n');
        }
        header(
                b,
                "realmgate_realm_websocket_refusals_total",
                "counter",
                "WebSockets the realm closed because of their client, by close code.");
        for (int i = 0; i < REFUSAL_CLOSE_CODES.length; i++) {
            b.append("realmgate_realm_websocket_refusals_total{code=\"")
                    .append(REFUSAL_CLOSE_CODES[i])
                    .append("\"} ")
                    .append(refusalCloses[i].sum())
                    .append('\n');
        }
        b.append("realmgate_realm_websocket_refusals_total{code=\"other\"} ")
                .append(otherCloses.sum())
                .append('\n');
        return b.toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void single(StringBuilder b, String name, String type, String help, long value) {
        header(b, name, type, help);
        b.append(name).append(' ').append(value).append('\n');
    }
}
