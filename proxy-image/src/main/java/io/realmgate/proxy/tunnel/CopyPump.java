package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Moves a direction's bytes by reading them into the event loop's {@link SharedBuffer} (1 MiB) and
 * writing them out, like a minimal C relay: one read and one write system call per MiB, so the
 * reader at the far end is woken once per MiB rather than once per 64 KiB pipe. What the
 * destination cannot take yet is copied into a buffer of this direction's own, released once sent.
 * Unlike a splice, a read here tells end of stream (-1) from "nothing yet" (0) by itself.
 */
final class CopyPump extends DirectionPump {
    private final ByteBufAllocator alloc;
    private ByteBuf held;

    CopyPump(
            Socket source,
            Socket destination,
            ArrayDeque<ByteBuf> head,
            boolean upstreamBound,
            TunnelStats stats,
            ByteBufAllocator alloc) {
        super(source, destination, head, upstreamBound, stats);
        this.alloc = alloc;
    }

    @Override
    Progress move() throws IOException {
        ByteBuf shared = SharedBuffer.current();
        long address = shared.memoryAddress();
        int capacity = shared.capacity();
        long moved = 0;
        for (; ; ) {
            if (moved >= BUDGET) {
                return Progress.YIELDED;
            }
            int n = source.recvAddress(address, 0, capacity);
            if (n < 0) {
                return Progress.FINISHED;
            }
            if (n == 0) {
                return Progress.WANTS_INPUT;
            }
            count(n);
            int sent = 0;
            while (sent < n) {
                int w = destination.sendAddress(address, sent, n);
                if (w == 0) {
                    held = alloc.directBuffer(n - sent).writeBytes(shared, sent, n - sent);
                    return Progress.WANTS_OUTPUT;
                }
                sent += w;
                moved += w;
            }
        }
    }

    @Override
    boolean drainHeld() throws IOException {
        if (held == null) {
            return true;
        }
        while (held.isReadable()) {
            int w =
                    destination.sendAddress(
                            held.memoryAddress(), held.readerIndex(), held.writerIndex());
            if (w == 0) {
                return false;
            }
            held.skipBytes(w);
        }
        releaseHeld();
        return true;
    }

    @Override
    void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
