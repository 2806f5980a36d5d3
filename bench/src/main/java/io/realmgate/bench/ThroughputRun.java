package io.realmgate.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Figure 1: one connection (through the subject) to the sink, N bytes sent, timed from the first
 * byte written until the sink's 8-byte count arrives. The count arrives only after the sink read
 * the FIN, so the time covers every byte reaching the target, not just leaving the client.
 */
final class ThroughputRun {
    /** 1 MiB direct: each write is one syscall handing the kernel as much as it will take. */
    private static final int CHUNK = 1 << 20;

    private final SinkServer sinkServer;
    private final InetSocketAddress sink;
    private final Watchdog watchdog;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);

    ThroughputRun(SinkServer sinkServer, Watchdog watchdog) throws IOException {
        this.sinkServer = sinkServer;
        this.sink = sinkServer.address();
        this.watchdog = watchdog;
    }

    /** @return GiB/s */
    double measure(Subject subject, long bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(); Watchdog.Guard guard = watchdog.watch(ch)) {
            try {
                return transfer(ch, guard, subject, bytes);
            } catch (IOException e) {
                IOException explained = guard.explain(e);
                throw new IOException(explained + " (sink: " + sinkOutcome() + ")", explained);
            }
        }
    }

    /** The sink finishes its side a moment after ours fails; give it that moment, bounded. */
    private String sinkOutcome() {
        for (int i = 0; i < 20 && sinkServer.lastOutcome().equals("connection open"); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return sinkServer.lastOutcome();
    }

    private double transfer(SocketChannel ch, Watchdog.Guard guard, Subject subject, long bytes) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.socket().connect(subject.connectTo(sink), ProxyBench.TIMEOUT_MS);
        guard.progress();
        if (subject.proxied()) {
            Connect.handshake(ch, sink, guard);
        }
        long start = System.nanoTime();
        long left = bytes;
        // At most ceil(bytes / CHUNK) passes; each inner write blocks until the kernel takes some.
        while (left > 0) {
            chunk.clear();
            if (left < CHUNK) {
                chunk.limit((int) left);
            }
            while (chunk.hasRemaining()) {
                left -= ch.write(chunk);
                guard.progress();
            }
        }
        ch.shutdownOutput();
        ByteBuffer reply = ByteBuffer.allocate(Long.BYTES);
        while (reply.hasRemaining()) {
            if (ch.read(reply) < 0) {
                throw new EOFException("connection closed before the sink's count arrived");
            }
            guard.progress();
        }
        long elapsed = System.nanoTime() - start;
        long counted = reply.getLong(0);
        if (counted != bytes) {
            throw new IOException("sink counted " + counted + " of " + bytes + " bytes");
        }
        return bytes / (double) BenchOptions.GIB / (elapsed / 1e9);
    }
}
