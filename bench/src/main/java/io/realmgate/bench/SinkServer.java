package io.realmgate.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The upload target: reads an 8-byte length N, then reads and discards N bytes (or up to the
 * client's FIN if fewer come), and answers with the 8-byte count it received, so the client knows
 * every byte arrived. The length comes first, rather than the end being the client's FIN, because
 * Squid and tinyproxy close a whole tunnel when the client half-closes it. One thread per
 * connection is fine: a run opens only a handful of connections (one, or {@code --parallel}). It
 * runs in the targets process ({@link TargetsMain}); a failure on its side goes to that process's
 * log.
 */
final class SinkServer implements AutoCloseable {
    /** Large and direct so a read moves as much as the kernel has, with no copy to the heap. */
    private static final int BUFFER = 1 << 20;

    private final Watchdog watchdog;
    private final ThreadPerConnectionServer server;

    SinkServer(Watchdog watchdog) throws IOException {
        this.watchdog = watchdog;
        this.server = new ThreadPerConnectionServer("sink", this::drain);
    }

    InetSocketAddress address() throws IOException {
        return server.address();
    }

    private void drain(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        long count = 0;
        try (ch;
                Watchdog.Guard guard = watchdog.watch(ch)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer header = ByteBuffer.allocate(Long.BYTES);
            // At most 8 reads with progress; a silent client is closed by the watchdog.
            while (header.hasRemaining()) {
                if (ch.read(header) < 0) {
                    throw new EOFException("client closed before sending the length");
                }
                guard.progress();
            }
            long expected = header.getLong(0);
            // Bounded by the length, and in time by the watchdog (idle) and the run deadline. Reads
            // never ask for more than is left, so the count is exactly what the client sent.
            while (count < expected) {
                buf.clear();
                if (expected - count < BUFFER) {
                    buf.limit((int) (expected - count));
                }
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                count += n;
                guard.progress();
            }
            ByteBuffer reply = ByteBuffer.allocate(Long.BYTES).putLong(0, count);
            while (reply.hasRemaining() && ch.write(reply) >= 0) {
                guard.progress();
            }
        } catch (IOException e) {
            // The client sees the missing reply; this tells the reader how far the target got.
            System.err.println("sink: failed after reading " + count + " bytes: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    @Override
    public String toString() {
        return "sink server";
    }
}
