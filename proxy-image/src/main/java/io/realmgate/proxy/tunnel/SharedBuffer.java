package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * One 1 MiB off-heap buffer per event-loop thread that every copying {@link EpollTunnel} on that
 * loop reads into and writes out of within one pump; it never holds a tunnel's bytes between pumps
 * ({@link CopyPump} copies what is left into a buffer of its own), so 10,000 idle tunnels cost no
 * buffer at all.
 */
final class SharedBuffer {
    static final int SIZE = 1024 * 1024;

    private static final FastThreadLocal<ByteBuf> PER_LOOP =
            new FastThreadLocal<>() {
                @Override
                protected ByteBuf initialValue() {
                    return Unpooled.directBuffer(SIZE, SIZE);
                }

                @Override
                protected void onRemoval(ByteBuf buf) {
                    buf.release();
                }
            };

    private SharedBuffer() {}

    static ByteBuf current() {
        return PER_LOOP.get();
    }
}
