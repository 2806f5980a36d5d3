package io.realmgate.proxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * How a plain tunnel moves its bytes. {@link #COPY} (the default) reads them into pooled buffers of
 * up to 1 MiB and writes them out; it works on every transport and behind a TLS-terminating
 * listener. {@link #SPLICE} ({@code REALMGATE_RELAY=splice} or {@code -Drealmgate.relay=splice},
 * epoll only) moves them socket to pipe to socket inside the kernel with {@code splice(2)}: about
 * half the proxy's CPU per byte, but Java cannot enlarge a pipe beyond its 64 KiB default
 * ({@code F_SETPIPE_SZ}), and on loopback those 64 KiB steps gave lower single-tunnel throughput
 * than 1 MiB copies (docs/benchmarks.md), so it is not the default.
 */
public enum RelayMode {
    COPY, SPLICE;

    public static RelayMode configured() {
        String wanted = System.getProperty("realmgate.relay", System.getenv().getOrDefault("REALMGATE_RELAY", "copy"));
        return wanted.equalsIgnoreCase("splice") ? SPLICE : COPY;
    }

    /**
     * Splicing needs both legs on the native epoll transport and the client's bytes unencrypted
     * by us (a TLS-terminating listener must see plaintext to re-encrypt it, so it copies).
     */
    public boolean splices(Channel client, Channel upstream, boolean clientTls) {
        return this == SPLICE && !clientTls
                && client instanceof EpollSocketChannel && upstream instanceof EpollSocketChannel;
    }
}
