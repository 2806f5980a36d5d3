package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Moves a direction's bytes with {@code splice(2)}: source socket, the event loop's {@link
 * SharedPipe}, destination socket; they never enter this process. What the destination cannot take
 * yet moves (pipe to pipe, no copy) into a pipe of this direction's own, closed again once drained.
 *
 * <p>Netty's {@code Native.splice} reports both "would block" and "end of stream" as 0. They are
 * told apart by epoll: once the source has reported {@code EPOLLRDHUP}, the peer's FIN is queued
 * behind every byte it sent, so a 0 read into the (empty) shared pipe is the end of the stream.
 */
final class SplicePump extends DirectionPump {
    /** A pipe holds 16 pages by default, and Java cannot ask for more ({@code F_SETPIPE_SZ}). */
    private static final int CHUNK = 64 * 1024;

    private FileDescriptor ownRead;
    private FileDescriptor ownWrite;
    private int inOwn;

    SplicePump(
            Socket source,
            Socket destination,
            ArrayDeque<ByteBuf> head,
            boolean upstreamBound,
            TunnelStats stats) {
        super(source, destination, head, upstreamBound, stats);
    }

    @Override
    Progress move() throws IOException {
        SharedPipe shared = SharedPipe.current();
        try {
            return move(shared);
        } finally {
            shared.discardIfNotEmpty();
        }
    }

    private Progress move(SharedPipe shared) throws IOException {
        long moved = 0;
        for (; ; ) {
            if (moved >= BUDGET) {
                return Progress.YIELDED;
            }
            int n = Native.splice(source.intValue(), -1, shared.writeEnd().intValue(), -1, CHUNK);
            if (n == 0) {
                // The shared pipe is empty here, so 0 cannot mean "pipe full".
                return sourceHungUp ? Progress.FINISHED : Progress.WANTS_INPUT;
            }
            shared.bytes = n;
            count(n);
            while (shared.bytes > 0) {
                int w =
                        Native.splice(
                                shared.readEnd().intValue(),
                                -1,
                                destination.intValue(),
                                -1,
                                shared.bytes);
                if (w == 0) {
                    hold(shared);
                    return Progress.WANTS_OUTPUT;
                }
                shared.bytes -= w;
                moved += w;
            }
        }
    }

    /**
     * The destination is full: the rest moves (pipe to pipe, no copy) into a pipe of this
     * direction's own.
     */
    private void hold(SharedPipe shared) throws IOException {
        FileDescriptor[] p = FileDescriptor.pipe();
        ownRead = p[0];
        ownWrite = p[1];
        while (shared.bytes > 0) {
            int n =
                    Native.splice(
                            shared.readEnd().intValue(), -1, ownWrite.intValue(), -1, shared.bytes);
            if (n == 0) {
                throw new IOException(
                        "could not move " + shared.bytes + " bytes into an empty pipe");
            }
            shared.bytes -= n;
            inOwn += n;
        }
    }

    @Override
    boolean drainHeld() throws IOException {
        while (inOwn > 0) {
            int n = Native.splice(ownRead.intValue(), -1, destination.intValue(), -1, inOwn);
            if (n == 0) {
                return false;
            }
            inOwn -= n;
        }
        releaseHeld();
        return true;
    }

    @Override
    void releaseHeld() {
        Pipes.closeQuietly(ownRead);
        Pipes.closeQuietly(ownWrite);
        ownRead = null;
        ownWrite = null;
        inOwn = 0;
    }
}
