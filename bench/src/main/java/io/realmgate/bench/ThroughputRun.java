package io.realmgate.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Upload: one connection (through the subject) to the sink, an 8-byte length N and then N bytes
 * sent, timed from the first byte written until the sink's 8-byte count arrives. The sink answers
 * only once it has read all N, so the time covers every byte reaching the target, not just leaving
 * the client. One instance per client thread: it owns its buffer.
 */
final class ThroughputRun {
    /** 1 MiB direct: each write is one syscall handing the kernel as much as it will take. */
    private static final int CHUNK = 1 << 20;

    /** When the clock started and stopped, for runs that add up several tunnels. */
    record Timing(long startNanos, long endNanos) {}

    private final InetSocketAddress sink;
    private final Watchdog watchdog;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);

    ThroughputRun(InetSocketAddress sink, Watchdog watchdog) {
        this.sink = sink;
        this.watchdog = watchdog;
    }

    /**
     * @return GiB/s
     */
    double measure(Subject subject, long bytes) throws IOException {
        Timing t = measure(subject, bytes, null);
        return gibPerSecond(bytes, t.endNanos() - t.startNanos());
    }

    /**
     * @param gate when not null, awaited after the handshake so that parallel tunnels start sending
     *     together; set-up time stays outside the clock either way
     */
    Timing measure(Subject subject, long bytes, CyclicBarrier gate) throws IOException {
        try (SocketChannel ch = SocketChannel.open();
                Watchdog.Guard guard = watchdog.watch(ch)) {
            try {
                return transfer(ch, guard, subject, bytes, gate);
            } catch (IOException e) {
                IOException explained = guard.explain(e);
                throw new IOException(
                        explained + " (the targets' log says what the sink saw)", explained);
            }
        }
    }

    static double gibPerSecond(long bytes, long nanos) {
        return bytes / (double) BenchOptions.GIB / (nanos / 1e9);
    }

    private Timing transfer(
            SocketChannel ch, Watchdog.Guard guard, Subject subject, long bytes, CyclicBarrier gate)
            throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.socket().connect(subject.connectTo(sink), ProxyBench.TIMEOUT_MS);
        guard.progress();
        if (subject.proxied()) {
            Connect.handshake(ch, sink, guard);
        }
        if (gate != null) {
            await(gate);
            guard.progress();
        }
        long start = System.nanoTime();
        ByteBuffer header = ByteBuffer.allocate(Long.BYTES).putLong(0, bytes);
        while (header.hasRemaining()) {
            ch.write(header);
            guard.progress();
        }
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
        ByteBuffer reply = ByteBuffer.allocate(Long.BYTES);
        while (reply.hasRemaining()) {
            if (ch.read(reply) < 0) {
                throw new EOFException("connection closed before the sink's count arrived");
            }
            guard.progress();
        }
        long end = System.nanoTime();
        long counted = reply.getLong(0);
        if (counted != bytes) {
            throw new IOException("sink counted " + counted + " of " + bytes + " bytes");
        }
        return new Timing(start, end);
    }

    static void await(CyclicBarrier gate) throws IOException {
        try {
            gate.await(ProxyBench.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted at the start gate", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IOException("another tunnel of the run failed before the start", e);
        }
    }
}
