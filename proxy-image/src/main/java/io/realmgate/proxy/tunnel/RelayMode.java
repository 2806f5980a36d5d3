package io.realmgate.proxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.internal.PlatformDependent;
import java.util.Locale;

/**
 * How an epoll tunnel ({@link EpollTunnel}) moves its bytes: {@link #COPY}, the default, reads into
 * a 1 MiB buffer and writes out ({@link CopyPump}); {@link #SPLICE} moves them socket to pipe to
 * socket in the kernel ({@link SplicePump}), about half the CPU per byte but 64 KiB per step, which
 * measured slower on a single stream (docs/benchmarks.md). {@code REALMGATE_RELAY=splice} (or
 * {@code -Drealmgate.relay}) chooses it.
 *
 * <p>On NIO, and behind a listener that terminates TLS (which runs on NIO), tunnels copy through
 * Netty's channels ({@link TunnelRelay}): a copying relay on Netty 4.2.18's epoll channels loses
 * the end of a reply when a busy tunnel half-closes (docs/decisions.md), so on epoll tunnels never
 * use it.
 */
public enum RelayMode {
    COPY,
    SPLICE;

    public static RelayMode configured() {
        String wanted =
                System.getProperty(
                        "realmgate.relay", System.getenv().getOrDefault("REALMGATE_RELAY", "copy"));
        return wanted.equalsIgnoreCase("splice") ? SPLICE : COPY;
    }

    /**
     * An epoll tunnel needs both legs on epoll, the client's bytes unencrypted by us, and off-heap
     * buffers with a raw address (its pumps hand addresses to {@code recv}/{@code send}), which
     * Netty has wherever it may use {@code sun.misc.Unsafe}.
     */
    public static boolean epollTunnel(Channel client, Channel upstream, boolean clientTls) {
        return !clientTls
                && RAW_ADDRESSES
                && client instanceof EpollSocketChannel
                && upstream instanceof EpollSocketChannel;
    }

    private static final boolean RAW_ADDRESSES = PlatformDependent.hasUnsafe();

    /** The metric label: {@code copy} or {@code splice}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The label of tunnels relayed through Netty channels (NIO, TLS listener). */
    public static final String CHANNEL = "channel";
}
