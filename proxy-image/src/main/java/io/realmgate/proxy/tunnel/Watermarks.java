package io.realmgate.proxy.tunnel;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * How much a leg may hold in its outbound buffer before the opposite leg stops reading. This is the
 * whole per-tunnel buffering budget: a fast sender costs at most the high mark per direction.
 */
public final class Watermarks {
    public static final WriteBufferWaterMark DEFAULT =
            new WriteBufferWaterMark(
                    Integer.getInteger("realmgate.lowWater", 128 * 1024),
                    Integer.getInteger("realmgate.highWater", 256 * 1024));

    /**
     * Reads grow up to 1 MiB when a leg is busy and shrink back when it is quiet; an idle tunnel
     * holds no read buffer at all. Big reads mean fewer system calls and, above all, fewer wake-ups
     * of the reader at the far end: on loopback 1 MiB gave 2.0-2.3 GiB/s through one tunnel where
     * 256 KiB gave 1.4-1.9 (docs/benchmarks.md). Tunnels read through these channels only on NIO;
     * on epoll they relay on their raw sockets (EpollTunnel).
     */
    public static RecvByteBufAllocator reads() {
        return new AdaptiveRecvByteBufAllocator(
                64, 16 * 1024, Integer.getInteger("realmgate.maxRead", 1024 * 1024));
    }

    private Watermarks() {}
}
