package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;

/**
 * One direction of an {@link EpollTunnel}: bytes from a source socket to a destination socket,
 * moved by a subclass ({@link SplicePump}: in the kernel; {@link CopyPump}: through a buffer). What
 * both share lives here: the bytes that reached user space before the hand-off go first, the FIN
 * goes last, and what the destination cannot take yet is held by the pump, which then reads nothing
 * more from the source, so a slow reader pushes back on the sender through TCP's own window. An
 * idle direction holds no buffer and no pipe.
 */
abstract class DirectionPump {
    /** Bytes one pump may move before it yields the event loop to other channels. */
    static final int BUDGET = 1024 * 1024;

    enum Progress {
        /** Waiting for the source to have bytes (or its FIN). */
        WANTS_INPUT,
        /** Waiting for the destination to take what is held for it. */
        WANTS_OUTPUT,
        /** Used its budget with more to do; pump again after other channels had their turn. */
        YIELDED,
        /** The source's FIN has been passed on: this direction is finished. */
        FINISHED
    }

    final Socket source;
    final Socket destination;

    /**
     * Bytes that reached user space before the hand-off (early bytes, the 200 answer); sent first.
     */
    private final ArrayDeque<ByteBuf> head;

    private final boolean upstreamBound;
    private final TunnelStats stats;

    /** The source reported EPOLLRDHUP or EPOLLHUP: its FIN, if any, is queued behind its bytes. */
    boolean sourceHungUp;

    private boolean finished;

    DirectionPump(
            Socket source,
            Socket destination,
            ArrayDeque<ByteBuf> head,
            boolean upstreamBound,
            TunnelStats stats) {
        this.source = source;
        this.destination = destination;
        this.head = head;
        this.upstreamBound = upstreamBound;
        this.stats = stats;
    }

    final void sourceHungUp() {
        sourceHungUp = true;
    }

    final boolean finished() {
        return finished;
    }

    final Progress pump() throws IOException {
        if (finished) {
            return Progress.FINISHED;
        }
        if (!sendHead() || !drainHeld()) {
            return Progress.WANTS_OUTPUT;
        }
        Progress p = move();
        if (p == Progress.FINISHED) {
            try {
                destination.shutdown(false, true);
            } catch (NotYetConnectedException gone) {
                // The destination's connection is already over (its peer reset or closed it): no
                // one
                // is left to tell, and the direction is just as finished.
            }
            finished = true;
        }
        return p;
    }

    /**
     * Moves bytes until the source has none, the destination is full (the rest held), the budget is
     * spent, or the source's stream has ended ({@link Progress#FINISHED}, the FIN not yet sent).
     */
    abstract Progress move() throws IOException;

    /** Sends what an earlier pump held back; true when nothing is held any more. */
    abstract boolean drainHeld() throws IOException;

    /** Frees what this direction holds (buffer, pipe); the sockets belong to their channels. */
    abstract void releaseHeld();

    final void release() {
        for (ByteBuf b; (b = head.poll()) != null; ) {
            b.release();
        }
        releaseHeld();
    }

    final void count(long n) {
        if (upstreamBound) {
            stats.bytesUp += n;
        } else {
            stats.bytesDown += n;
        }
    }

    /**
     * @return true when every head byte has been written
     */
    private boolean sendHead() throws IOException {
        for (ByteBuf b; (b = head.peek()) != null; ) {
            int n = destination.sendAddress(b.memoryAddress(), b.readerIndex(), b.writerIndex());
            b.skipBytes(n);
            if (b.isReadable()) {
                return false;
            }
            head.poll().release();
        }
        return true;
    }
}
