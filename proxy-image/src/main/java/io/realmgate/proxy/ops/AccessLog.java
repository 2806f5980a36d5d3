package io.realmgate.proxy.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per tunnel or forwarded request: who, where, outcome, bytes each way, how long. A
 * proxy's lines go to the logger {@code realmgate.access} ({@link #toLogger()}), so they can be
 * routed apart from diagnostics; the start's warm-up tunnels are no client's and write none ({@link
 * #silent()}). Which one a connection writes to comes with the proxy's front-end settings, so one
 * proxy's warm-up silences nothing of another's in the same JVM. Nothing from headers is logged, so
 * credentials never reach the log.
 *
 * <p>The silent log is this same class holding a logger of the same class that is always off,
 * rather than a second implementation: measured on JDK 17 (C2's compilation log after a
 * 20,000-tunnel warm-up), a call site that the warm-up showed one receiver class only was
 * deoptimized ({@code class_check}) by the first real tunnel that brought another. With one class
 * and one logger class, the callers and the level check are compiled for what real tunnels run;
 * only the line's formatting, past the level check, is left for the first real tunnels to compile.
 */
public final class AccessLog {
    private static final AccessLog TO_LOGGER =
            new AccessLog(LoggerFactory.getLogger("realmgate.access"));
    private static final AccessLog SILENT = new AccessLog(alwaysOff());

    private final Logger logger;

    private AccessLog(Logger logger) {
        this.logger = logger;
    }

    /** The proxy's access log: the logger {@code realmgate.access}. */
    public static AccessLog toLogger() {
        return TO_LOGGER;
    }

    /** Writes no line whatever the logging configuration: the warm-up's. */
    public static AccessLog silent() {
        return SILENT;
    }

    /**
     * @param bytesUp client to target
     * @param bytesDown target to client
     */
    public void record(
            SocketAddress client,
            String method,
            String target,
            int status,
            long bytesUp,
            long bytesDown,
            long startNanos,
            String note) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        long micros = (System.nanoTime() - startNanos) / 1000;
        logger.info(
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

    /**
     * A logback logger whose level is off, in a logging context of its own: the proxy's
     * configuration (logback.xml, {@code REALMGATE_LOG_LEVEL}) cannot turn it on, and it is the
     * same class as the proxy's other loggers.
     */
    private static Logger alwaysOff() {
        LoggerContext own = new LoggerContext();
        own.setName("realmgate-silent-access-log");
        ch.qos.logback.classic.Logger off = own.getLogger(Logger.ROOT_LOGGER_NAME);
        off.setLevel(Level.OFF);
        return off;
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
