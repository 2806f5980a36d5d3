package io.realmgate.proxy.tunnel;

import io.netty.channel.WriteBufferWaterMark;

/**
 * How much a leg may hold in its outbound buffer before the opposite leg stops reading. This is
 * the whole per-tunnel buffering budget: a fast sender costs at most the high mark per direction.
 */
public final class Watermarks {
    public static final WriteBufferWaterMark DEFAULT = new WriteBufferWaterMark(
            Integer.getInteger("realmgate.lowWater", 128 * 1024), Integer.getInteger("realmgate.highWater", 256 * 1024));

    /**
     * Reads grow up to 256 KiB when a leg is busy (fewer system calls per byte on a bulk transfer)
     * and shrink back when it is quiet; an idle tunnel holds no read buffer at all.
     */
    public static io.netty.channel.RecvByteBufAllocator reads() {
        return new io.netty.channel.AdaptiveRecvByteBufAllocator(64, 16 * 1024, Integer.getInteger("realmgate.maxRead", 256 * 1024));
    }

    private Watermarks() {
    }
}
