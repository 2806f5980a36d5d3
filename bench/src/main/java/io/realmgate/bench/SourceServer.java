package io.realmgate.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The download target: reads an 8-byte count N from the client, sends N bytes, then closes. The
 * client counts what arrives until the close, so a lost or extra byte shows as a mismatch. One
 * thread per connection, like the sink; it runs in the targets process.
 */
final class SourceServer implements AutoCloseable {
    /**
     * Large and direct so a write hands the kernel as much as it will take, with no copy from the
     * heap.
     */
    private static final int BUFFER = 1 << 20;

    private final Watchdog watchdog;
    private final ThreadPerConnectionServer server;

    SourceServer(Watchdog watchdog) throws IOException {
        this.watchdog = watchdog;
        this.server = new ThreadPerConnectionServer("source", this::send);
    }

    InetSocketAddress address() throws IOException {
        return server.address();
    }

    private void send(SocketChannel ch) {
        long sent = 0;
        try (ch;
                Watchdog.Guard guard = watchdog.watch(ch)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer request = ByteBuffer.allocate(Long.BYTES);
            // At most 8 passes with progress; a silent client is closed by the watchdog.
            while (request.hasRemaining()) {
                if (ch.read(request) < 0) {
                    throw new EOFException("client closed before sending the count");
                }
                guard.progress();
            }
            long total = request.getLong(0);
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            // At most ceil(total / BUFFER) passes; each write blocks until the kernel takes some.
            while (sent < total) {
                buf.clear();
                if (total - sent < BUFFER) {
                    buf.limit((int) (total - sent));
                }
                while (buf.hasRemaining()) {
                    sent += ch.write(buf);
                    guard.progress();
                }
            }
            // Closing (try-with-resources) sends the FIN that tells the client the count is
            // complete.
        } catch (IOException e) {
            System.err.println("source: failed after sending " + sent + " bytes: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    @Override
    public String toString() {
        return "source server";
    }
}
