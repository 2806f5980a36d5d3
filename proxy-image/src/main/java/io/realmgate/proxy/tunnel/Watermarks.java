package io.realmgate.proxy.tunnel;

import io.netty.channel.WriteBufferWaterMark;

/**
 * How much a leg may hold in its outbound buffer before the opposite leg stops reading. This is
 * the whole per-tunnel buffering budget: a fast sender costs at most the high mark per direction.
 */
public final class Watermarks {
    public static final WriteBufferWaterMark DEFAULT = new WriteBufferWaterMark(128 * 1024, 256 * 1024);

    private Watermarks() {
    }
}
