package io.realmgate.proxy.ops;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The proxy's counters, written in Prometheus text format by the admin listener. Hand-written on
 * {@link LongAdder}s rather than a metrics library: a dozen series do not justify a dependency on
 * the relay's hot path, and every update is a single uncontended add.
 */
public final class ProxyMetrics {
    /** Upper bounds, in seconds, of the upstream connect latency buckets. */
    private static final double[] CONNECT_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final LongAdder tunnelsActive = new LongAdder();
    private final LongAdder tunnelsTotal = new LongAdder();
    private final Map<String, LongAdder> tunnelsRelayed = new ConcurrentHashMap<>();
    private final LongAdder requestsTotal = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> forwardsAborted = new ConcurrentHashMap<>();
    private final LongAdder[] connectBuckets = new LongAdder[CONNECT_BUCKETS.length + 1];
    private final LongAdder connectCount = new LongAdder();
    private final LongAdder connectSumNanos = new LongAdder();
    private volatile IntSupplier openConnections = () -> 0;
    private volatile Supplier<Instant> certificateNotAfter;

    public ProxyMetrics() {
        for (int i = 0; i < connectBuckets.length; i++) {
            connectBuckets[i] = new LongAdder();
        }
    }

    /**
     * Where the TLS listener's certificate expiry is read at each scrape (a reload changes it);
     * without TLS there is no such series.
     */
    public void certificateExpiry(Supplier<Instant> notAfter) {
        this.certificateNotAfter = notAfter;
    }

    public void openConnectionsFrom(IntSupplier supplier) {
        this.openConnections = supplier;
    }

    public void tunnelOpened() {
        tunnelsActive.increment();
        tunnelsTotal.increment();
    }

    /**
     * @param relay how the tunnel's bytes move: {@code copy}, {@code splice} (epoll) or {@code
     *     channel} (NIO)
     */
    public void tunnelRelayed(String relay) {
        tunnelsRelayed.computeIfAbsent(relay, r -> new LongAdder()).increment();
    }

    public void tunnelClosed(long up, long down) {
        tunnelsActive.decrement();
        bytesUp.add(up);
        bytesDown.add(down);
    }

    public void requestForwarded(long up, long down) {
        requestsTotal.increment();
        bytesUp.add(up);
        bytesDown.add(down);
    }

    /**
     * @param reason a short snake_case label, e.g. {@code target_not_allowed}
     */
    /**
     * A handler failed with an exception that is not the peer's doing (HandlerErrors); its
     * connection closed.
     */
    public void handlerError() {
        handlerErrors.increment();
    }

    public long handlerErrors() {
        return handlerErrors.sum();
    }

    public void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /**
     * A forwarded exchange ended before its response was complete and the client connection was
     * closed without a clean end.
     *
     * @param cause a short snake_case label, e.g. {@code upstream_closed}
     */
    public void forwardAborted(String cause) {
        forwardsAborted.computeIfAbsent(cause, c -> new LongAdder()).increment();
    }

    public long forwardsAborted(String cause) {
        LongAdder a = forwardsAborted.get(cause);
        return a == null ? 0 : a.sum();
    }

    public void upstreamConnected(long nanos) {
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < CONNECT_BUCKETS.length && seconds > CONNECT_BUCKETS[i]) {
            i++;
        }
        connectBuckets[i].increment();
        connectCount.increment();
        connectSumNanos.add(nanos);
    }

    public long tunnelsActive() {
        return tunnelsActive.sum();
    }

    public long tunnelsTotal() {
        return tunnelsTotal.sum();
    }

    public long tunnelsRelayed(String relay) {
        LongAdder a = tunnelsRelayed.get(relay);
        return a == null ? 0 : a.sum();
    }

    public long refusals(String reason) {
        LongAdder a = refusals.get(reason);
        return a == null ? 0 : a.sum();
    }

    /** Prometheus text exposition format 0.0.4. */
    public String scrape() {
        StringBuilder sb = new StringBuilder(2048);
        gauge(
                sb,
                "realmgate_proxy_connections_open",
                "Client connections open now.",
                openConnections.getAsInt());
        gauge(
                sb,
                "realmgate_proxy_tunnels_active",
                "CONNECT tunnels open now.",
                tunnelsActive.sum());
        counter(sb, "realmgate_proxy_tunnels_total", "CONNECT tunnels opened.", tunnelsTotal.sum());
        sb.append(
                "# HELP realmgate_proxy_tunnels_relayed_total Tunnels by relay: copy or splice (epoll), channel (NIO).\n");
        sb.append("# TYPE realmgate_proxy_tunnels_relayed_total counter\n");
        tunnelsRelayed.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e ->
                                sb.append("realmgate_proxy_tunnels_relayed_total{relay=\"")
                                        .append(e.getKey())
                                        .append("\"} ")
                                        .append(e.getValue().sum())
                                        .append('\n'));
        counter(
                sb,
                "realmgate_proxy_requests_total",
                "Absolute-URI requests forwarded.",
                requestsTotal.sum());
        sb.append("# HELP realmgate_proxy_bytes_total Payload bytes relayed, by direction.\n");
        sb.append("# TYPE realmgate_proxy_bytes_total counter\n");
        sb.append("realmgate_proxy_bytes_total{direction=\"up\"} ")
                .append(bytesUp.sum())
                .append('\n');
        sb.append("realmgate_proxy_bytes_total{direction=\"down\"} ")
                .append(bytesDown.sum())
                .append('\n');
        sb.append(
                "# HELP realmgate_proxy_refusals_total Requests and connections refused, by reason.\n");
        sb.append("# TYPE realmgate_proxy_refusals_total counter\n");
        refusals.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e ->
                                sb.append("realmgate_proxy_refusals_total{reason=\"")
                                        .append(e.getKey())
                                        .append("\"} ")
                                        .append(e.getValue().sum())
                                        .append('\n'));
        sb.append(
                "# HELP realmgate_proxy_forwards_aborted_total Forwarded requests cut off before the response was complete, by cause.\n");
        sb.append("# TYPE realmgate_proxy_forwards_aborted_total counter\n");
        forwardsAborted.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e ->
                                sb.append("realmgate_proxy_forwards_aborted_total{cause=\"")
                                        .append(e.getKey())
                                        .append("\"} ")
                                        .append(e.getValue().sum())
                                        .append('\n'));
        counter(
                sb,
                "realmgate_proxy_handler_errors_total",
                "Unexpected exceptions in a connection's handlers (a defect, logged at WARN); the connection was closed.",
                handlerErrors.sum());
        sb.append(
                "# HELP realmgate_proxy_upstream_connect_seconds Time to open the upstream connection.\n");
        sb.append("# TYPE realmgate_proxy_upstream_connect_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < CONNECT_BUCKETS.length; i++) {
            cumulative += connectBuckets[i].sum();
            sb.append("realmgate_proxy_upstream_connect_seconds_bucket{le=\"")
                    .append(String.format(Locale.ROOT, "%s", CONNECT_BUCKETS[i]))
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        cumulative += connectBuckets[CONNECT_BUCKETS.length].sum();
        sb.append("realmgate_proxy_upstream_connect_seconds_bucket{le=\"+Inf\"} ")
                .append(cumulative)
                .append('\n');
        sb.append("realmgate_proxy_upstream_connect_seconds_sum ")
                .append(String.format(Locale.ROOT, "%.6f", connectSumNanos.sum() / 1e9))
                .append('\n');
        sb.append("realmgate_proxy_upstream_connect_seconds_count ")
                .append(connectCount.sum())
                .append('\n');
        Supplier<Instant> notAfter = certificateNotAfter;
        if (notAfter != null) {
            gauge(
                    sb,
                    "realmgate_proxy_certificate_expiry_timestamp_seconds",
                    "When the certificate the TLS listener serves expires (seconds since the epoch).",
                    notAfter.get().getEpochSecond());
        }
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(value).append('\n');
    }
}
