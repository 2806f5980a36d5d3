package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * One direction of a spliced tunnel: source socket, a pipe, destination socket. Bytes move with
 * {@code splice(2)} and never enter this process. The pipe is the only buffer: while it holds bytes
 * the destination has not taken, nothing more is read from the source, so a slow reader pushes
 * back on the sender through TCP's own window (the same backpressure the copying relay gets from
 * {@code autoRead}).
 *
 * <p>Netty's {@code Native.splice} reports both "would block" and "end of stream" as 0. They are told
 * apart by epoll: once the source has reported {@code EPOLLRDHUP}, the peer's FIN is queued behind
 * every byte it sent, so a 0 read into an empty pipe is the end of the stream.
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
    private FileDescriptor pipeRead;
    private FileDescriptor pipeWrite;
    private int inPipe;
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
        if (!sendHead()) {
            return Progress.WANTS_OUTPUT;
        }
        long moved = 0;
        for (;;) {
            while (inPipe > 0) {
                int n = Native.splice(pipeRead.intValue(), -1, destination.intValue(), -1, inPipe);
                if (n == 0) {
                    return Progress.WANTS_OUTPUT;
                }
                inPipe -= n;
                moved += n;
            }
            if (endOfStream) {
                destination.shutdown(false, true);
                finished = true;
                closePipe();
                return Progress.FINISHED;
            }
            if (moved >= BUDGET) {
                return Progress.YIELDED;
            }
            if (pipeRead == null) {
                FileDescriptor[] pipe = FileDescriptor.pipe();
                pipeRead = pipe[0];
                pipeWrite = pipe[1];
            }
            int n = Native.splice(source.intValue(), -1, pipeWrite.intValue(), -1, CHUNK);
            if (n > 0) {
                inPipe = n;
                count(n);
            } else if (sourceHungUp) {
                endOfStream = true; // the pipe is empty here, so 0 cannot mean "pipe full"
            } else {
                return Progress.WANTS_INPUT;
            }
        }
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

    /** Frees the pipe and any head bytes; the sockets belong to their channels. */
    void release() {
        for (ByteBuf b; (b = head.poll()) != null; ) {
            b.release();
        }
        closePipe();
    }

    private void closePipe() {
        closeQuietly(pipeRead);
        closeQuietly(pipeWrite);
        pipeRead = null;
        pipeWrite = null;
        inPipe = 0;
    }

    private static void closeQuietly(FileDescriptor fd) {
        if (fd != null) {
            try {
                fd.close();
            } catch (IOException ignored) {
                // a pipe end that will not close has nothing left to lose
            }
        }
    }
}
