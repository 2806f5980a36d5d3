package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.ServerSocketChannel;

/**
 * The throughput target: reads and discards everything, and when the client finishes sending (FIN)
 * answers with the 8-byte count it saw, so the client knows every byte arrived. One thread per
 * connection is fine: a run opens only a handful of connections, one at a time.
 */
final class SinkServer implements AutoCloseable {
    /** Large and direct so a read moves as much as the kernel has, with no copy to the heap. */
    private static final int BUFFER = 1 << 20;

    private final ServerSocketChannel listener;
    private final Watchdog watchdog;
    private final Thread acceptor;
    /** What the latest connection ended with, so a client-side failure can say what the target saw. */
    private volatile String lastOutcome = "no connection yet";

    SinkServer(Watchdog watchdog) throws IOException {
        this.watchdog = watchdog;
        this.listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 64);
        this.acceptor = new Thread(this::acceptLoop, "sink-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    private void acceptLoop() {
        // Ends when close() closes the listener.
        while (listener.isOpen()) {
            try {
                SocketChannel ch = listener.accept();
                Thread t = new Thread(() -> drain(ch), "sink-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    String lastOutcome() {
        return lastOutcome;
    }

    private void drain(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        long count = 0;
        lastOutcome = "connection open";
        try (ch; Watchdog.Guard guard = watchdog.watch(ch)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // Bounded in time by the watchdog (idle) and the run deadline.
            while (true) {
                buf.clear();
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
            lastOutcome = "read " + count + " bytes to EOF, sent the count";
        } catch (IOException e) {
            // The client sees the missing reply; this tells it how far the target got.
            lastOutcome = "failed after reading " + count + " bytes: " + e;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    @Override
    public String toString() {
        return "sink server";
    }
}
