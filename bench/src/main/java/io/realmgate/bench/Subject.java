package io.realmgate.bench;

import java.net.InetSocketAddress;

/**
 * What the client talks to: the target itself ({@code proxy == null}), or a forward proxy in front
 * of it.
 */
record Subject(String name, InetSocketAddress proxy) {
    static final String DIRECT = "direct";
    static final String REALMGATE = "realmgate";
    static final String APACHE = "apache";
    static final String SQUID = "squid";
    static final String TINYPROXY = "tinyproxy";

    /**
     * The least work a CONNECT relay can do here (bench/ceiling/tunnel-relay.c): an upper bound,
     * not a peer.
     */
    static final String CEILING = "ceiling";

    static Subject direct() {
        return new Subject(DIRECT, null);
    }

    boolean proxied() {
        return proxy != null;
    }

    /** Where the TCP connection goes for a tunnel to {@code target}. */
    InetSocketAddress connectTo(InetSocketAddress target) {
        return proxy != null ? proxy : target;
    }
}
