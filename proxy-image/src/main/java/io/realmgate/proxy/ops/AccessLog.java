package io.realmgate.proxy.ops;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per tunnel or forwarded request: who, where, outcome, bytes each way, how long. It goes
 * to the logger {@code realmgate.access}, so it can be routed apart from diagnostics. Nothing from
 * headers is logged, so credentials never reach the log.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("realmgate.access");

    /**
     * Set while the proxy warms up before its listeners open: its own loopback tunnels are no
     * client's and would only fill the log.
     */
    private static volatile boolean muted;

    private AccessLog() {}

    /** Writes no line until {@link #unmute()}. */
    public static void mute() {
        muted = true;
    }

    public static void unmute() {
        muted = false;
    }

    /**
     * @param bytesUp client to target
     * @param bytesDown target to client
     */
    public static void record(
            SocketAddress client,
            String method,
            String target,
            int status,
            long bytesUp,
            long bytesDown,
            long startNanos,
            String note) {
        if (muted || !LOG.isInfoEnabled()) {
            return;
        }
        long micros = (System.nanoTime() - startNanos) / 1000;
        LOG.info(
                "client={} method={} target={} status={} up={} down={} ms={}.{}{}",
                host(client),
                method,
                target,
                status,
                bytesUp,
                bytesDown,
                micros / 1000,
                String.format("%03d", micros % 1000),
                note == null ? "" : " note=\"" + note + "\"");
    }

    private static String host(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            String host = i.getAddress().getHostAddress();
            // an IPv6 client in brackets, so its port stays apart from its address
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
