package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;

/**
 * One direction of a spliced tunnel: source socket, the event loop's {@link SharedPipe}, destination
 * socket. Bytes move with {@code splice(2)} and never enter this process. What the destination cannot
 * take yet waits in a pipe of this direction's own, and while it does nothing more is read from the
 * source, so a slow reader pushes back on the sender through TCP's own window (the same backpressure
 * the copying relay gets from {@code autoRead}). That pipe is closed once drained: an idle tunnel
 * holds no pipe.
 *
 * <p>Netty's {@code Native.splice} reports both "would block" and "end of stream" as 0. They are told
 * apart by epoll: once the source has reported {@code EPOLLRDHUP}, the peer's FIN is queued behind
 * every byte it sent, so a 0 read into the (empty) shared pipe is the end of the stream.
 */
final class SpliceDirection {
    /** A pipe holds 16 pages by default; asking for more per call only returns less. */
    private static final int CHUNK = 64 * 1024;
    /** Bytes one pump may move before it yields the event loop to other channels. */
    private static final int BUDGET = 1024 * 1024;

    enum Progress {
        /** Waiting for the source to have bytes (or its FIN). */
        WANTS_INPUT,
        /** Waiting for the destination to take what the pipe holds. */
        WANTS_OUTPUT,
        /** Used its budget with more to do; pump again after other channels had their turn. */
        YIELDED,
        /** The source's FIN has been passed on: this direction is finished. */
        FINISHED
    }

    private final Socket source;
    private final Socket destination;
    /** Bytes that reached user space before the hand-off (early bytes, the 200 answer); sent first. */
    private final ArrayDeque<ByteBuf> head;
    private final boolean upstreamBound;
    private final TunnelStats stats;
    /** Bytes the destination could not take yet, parked here; open only while it holds some. */
    private FileDescriptor ownRead;
    private FileDescriptor ownWrite;
    private int inOwn;
    private boolean sourceHungUp;
    private boolean endOfStream;
    private boolean finished;

    SpliceDirection(Socket source, Socket destination, ArrayDeque<ByteBuf> head, boolean upstreamBound,
                    TunnelStats stats) {
        this.source = source;
        this.destination = destination;
        this.head = head;
        this.upstreamBound = upstreamBound;
        this.stats = stats;
    }

    /** The source reported EPOLLRDHUP or EPOLLHUP: its FIN (if any) is behind the bytes still queued. */
    void sourceHungUp() {
        sourceHungUp = true;
    }

    boolean finished() {
        return finished;
    }

    Progress pump() throws IOException {
        if (finished) {
            return Progress.FINISHED;
        }
        SharedPipe shared = SharedPipe.current();
        try {
            return pump(shared);
        } finally {
            shared.discardIfNotEmpty();
        }
    }

    private Progress pump(SharedPipe shared) throws IOException {
        if (!sendHead() || !drainOwnPipe()) {
            return Progress.WANTS_OUTPUT;
        }
        long moved = 0;
        for (;;) {
            if (endOfStream) {
                try {
                    destination.shutdown(false, true);
                } catch (NotYetConnectedException gone) {
                    // The destination's connection is already over (its peer reset or closed it): no
                    // one is left to tell, and the direction is just as finished.
                }
                finished = true;
                return Progress.FINISHED;
            }
            if (moved >= BUDGET) {
                return Progress.YIELDED;
            }
            int n = Native.splice(source.intValue(), -1, shared.writeEnd().intValue(), -1, CHUNK);
            if (n == 0) {
                if (!sourceHungUp) {
                    return Progress.WANTS_INPUT;
                }
                endOfStream = true; // the shared pipe is empty here, so 0 cannot mean "pipe full"
                continue;
            }
            shared.bytes = n;
            count(n);
            while (shared.bytes > 0) {
                int w = Native.splice(shared.readEnd().intValue(), -1, destination.intValue(), -1, shared.bytes);
                if (w == 0) {
                    park(shared);
                    return Progress.WANTS_OUTPUT;
                }
                shared.bytes -= w;
                moved += w;
            }
        }
    }

    /** The destination is full: the rest moves (pipe to pipe, no copy) into a pipe of this direction's own. */
    private void park(SharedPipe shared) throws IOException {
        FileDescriptor[] p = FileDescriptor.pipe();
        ownRead = p[0];
        ownWrite = p[1];
        while (shared.bytes > 0) {
            int n = Native.splice(shared.readEnd().intValue(), -1, ownWrite.intValue(), -1, shared.bytes);
            if (n == 0) {
                throw new IOException("could not move " + shared.bytes + " bytes into an empty pipe");
            }
            shared.bytes -= n;
            inOwn += n;
        }
    }

    /** @return true when this direction's own pipe is empty (and closed) */
    private boolean drainOwnPipe() throws IOException {
        while (inOwn > 0) {
            int n = Native.splice(ownRead.intValue(), -1, destination.intValue(), -1, inOwn);
            if (n == 0) {
                return false;
            }
            inOwn -= n;
        }
        closeOwnPipe();
        return true;
    }

    /** @return true when every head byte has been written */
    private boolean sendHead() throws IOException {
        for (ByteBuf b; (b = head.peek()) != null; ) {
            int n = destination.writeAddress(b.memoryAddress(), b.readerIndex(), b.writerIndex());
            b.skipBytes(n);
            if (b.isReadable()) {
                return false;
            }
            head.poll().release();
        }
        return true;
    }

    private void count(long n) {
        if (upstreamBound) {
            stats.bytesUp += n;
        } else {
            stats.bytesDown += n;
        }
    }

    /** Frees this direction's pipe and any head bytes; the sockets belong to their channels. */
    void release() {
        for (ByteBuf b; (b = head.poll()) != null; ) {
            b.release();
        }
        closeOwnPipe();
    }

    private void closeOwnPipe() {
        Pipes.closeQuietly(ownRead);
        Pipes.closeQuietly(ownWrite);
        ownRead = null;
        ownWrite = null;
        inOwn = 0;
    }
}
