package io.realmgate.proxy.tunnel;

import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.ProxyMetrics;
import java.net.SocketAddress;

/**
 * Byte counts of one tunnel. Both legs run on the same event loop, so plain fields suffice; the
 * access-log line is written once, when the second leg closes.
 */
public final class TunnelStats {
    private final SocketAddress client;
    private final String target;
    private final long startNanos;
    long bytesUp;
    long bytesDown;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private int legsClosed;

    public TunnelStats(
            SocketAddress client,
            String target,
            long startNanos,
            ProxyMetrics metrics,
            AccessLog accessLog) {
        this.client = client;
        this.target = target;
        this.startNanos = startNanos;
        this.metrics = metrics;
        this.accessLog = accessLog;
        metrics.tunnelOpened();
    }

    public long bytesUp() {
        return bytesUp;
    }

    public long bytesDown() {
        return bytesDown;
    }

    /** The proxy's metrics, where the tunnel's relays count what fails in them. */
    public ProxyMetrics metrics() {
        return metrics;
    }

    /** Which relay the tunnel's bytes go through, for the metrics. */
    void relayedBy(RelayMode mode) {
        metrics.tunnelRelayed(mode.label());
    }

    /** Bytes the client sent before the tunnel opened, relayed when it did. */
    public void countEarly(long bytes) {
        bytesUp += bytes;
    }

    void legClosed() {
        if (++legsClosed == 2) {
            metrics.tunnelClosed(bytesUp, bytesDown);
            accessLog.record(client, "CONNECT", target, 200, bytesUp, bytesDown, startNanos, null);
        }
    }
}
