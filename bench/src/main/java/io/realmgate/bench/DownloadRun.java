package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Download: one connection (through the subject) to the source, which is asked for N bytes and then
 * closes. Timed from the request (8 bytes, one round trip: noise at a gigabyte) until the close
 * arrives; every byte is counted, and any count but N is a failed run.
 */
final class DownloadRun {
    private static final int CHUNK = 1 << 20;

    private final InetSocketAddress source;
    private final Watchdog watchdog;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);

    DownloadRun(InetSocketAddress source, Watchdog watchdog) {
        this.source = source;
        this.watchdog = watchdog;
    }

    /**
     * @return GiB/s
     */
    double measure(Subject subject, long bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open();
                Watchdog.Guard guard = watchdog.watch(ch)) {
            try {
                return transfer(ch, guard, subject, bytes);
            } catch (IOException e) {
                IOException explained = guard.explain(e);
                throw new IOException(
                        explained + " (the targets' log says what the source saw)", explained);
            }
        }
    }

    private double transfer(SocketChannel ch, Watchdog.Guard guard, Subject subject, long bytes)
            throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.socket().connect(subject.connectTo(source), ProxyBench.TIMEOUT_MS);
        guard.progress();
        if (subject.proxied()) {
            Connect.handshake(ch, source, guard);
        }
        long start = System.nanoTime();
        ByteBuffer request = ByteBuffer.allocate(Long.BYTES).putLong(0, bytes);
        while (request.hasRemaining()) {
            ch.write(request);
            guard.progress();
        }
        long received = 0;
        // Ends at the source's close; bounded by the count check below and by the watchdog.
        while (true) {
            chunk.clear();
            int n = ch.read(chunk);
            if (n < 0) {
                break;
            }
            received += n;
            guard.progress();
            if (received > bytes) {
                throw new IOException("received more than the " + bytes + " bytes asked for");
            }
        }
        long elapsed = System.nanoTime() - start;
        if (received != bytes) {
            throw new IOException(
                    "received " + received + " of " + bytes + " bytes before the close");
        }
        return ThroughputRun.gibPerSecond(bytes, elapsed);
    }
}
