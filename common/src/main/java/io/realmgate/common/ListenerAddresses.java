package io.realmgate.common;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket address a listener binds, for the proxy and the realm. The IPv6 wildcard {@code ::} is
 * the dual-stack bind on Linux (one socket takes IPv6 and IPv4-mapped connections), so it is what
 * the operator renders; on a host whose kernel has no IPv6 at all that bind fails, so there the
 * wildcard falls back to {@code 0.0.0.0} with one INFO line. Any other host is bound as given.
 */
public final class ListenerAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerAddresses.class);

    private ListenerAddresses() {}

    /** {@code host} ({@code ::}, {@code [::1]}, {@code 0.0.0.0}, a name) and {@code port}. */
    public static InetSocketAddress of(String host, int port) {
        return of(host, port, ListenerAddresses::ipv6Available);
    }

    /** As {@link #of(String, int)}, with the IPv6 probe given (tests). */
    static InetSocketAddress of(String host, int port, BooleanSupplier ipv6Available) {
        String bare = unbracketed(host);
        if (isIpv6Wildcard(bare) && !ipv6Available.getAsBoolean()) {
            LOG.info(
                    "IPv6 is not available on this host: listening on 0.0.0.0:{} instead of [::]:{}"
                            + " (IPv4 only)",
                    port,
                    port);
            return new InetSocketAddress("0.0.0.0", port);
        }
        return new InetSocketAddress(bare, port);
    }

    /** Whether this host can bind an IPv6 socket: a bind of {@code [::]:0}, closed at once. */
    static boolean ipv6Available() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            return true;
        } catch (IOException | RuntimeException e) {
            // an IPv4-only JVM or kernel refuses the address family
            return false;
        }
    }

    private static boolean isIpv6Wildcard(String host) {
        if (!host.contains(":")) {
            return false; // a name or IPv4: never looked up here
        }
        try {
            InetAddress a = InetAddress.getByName(host); // a literal: no DNS
            return a instanceof Inet6Address && a.isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String unbracketed(String host) {
        String h = host.strip();
        return h.length() > 1 && h.startsWith("[") && h.endsWith("]")
                ? h.substring(1, h.length() - 1)
                : h;
    }
}
