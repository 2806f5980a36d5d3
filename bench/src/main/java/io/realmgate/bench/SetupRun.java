package io.realmgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.util.Arrays;

/**
 * Sequential set-up: tunnels one after another, each a full life: connect, CONNECT handshake (not
 * for direct), one byte to the echo target and back, close. The rate divides the count by the wall
 * time of the whole loop (closes included); a tunnel's set-up latency runs from before connect
 * until the echoed byte is back, i.e. until the tunnel has provably carried data both ways.
 */
final class SetupRun {
    static final int PING = 'x';

    record Result(double perSecond, double p50Micros, double p99Micros) {
        static Result of(long[] latencies, int count, long elapsedNanos) {
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return new Result(
                    count / (elapsedNanos / 1e9),
                    percentile(sorted, 50) / 1e3,
                    percentile(sorted, 99) / 1e3);
        }
    }

    private final InetSocketAddress echo;
    private final byte[] head = new byte[Connect.MAX_HEAD];

    SetupRun(InetSocketAddress echo) {
        this.echo = echo;
    }

    Result measure(Subject subject, int tunnels) throws IOException {
        long[] latencies = new long[tunnels];
        long start = System.nanoTime();
        for (int i = 0; i < tunnels; i++) {
            try {
                latencies[i] = tunnel(subject, echo, head);
            } catch (IOException e) {
                throw new IOException("tunnel " + (i + 1) + " of " + tunnels + ": " + e, e);
            }
        }
        return Result.of(latencies, tunnels, System.nanoTime() - start);
    }

    /**
     * One tunnel's whole life; {@code head} is scratch space for the CONNECT answer, one per
     * thread.
     *
     * @return its set-up latency in nanoseconds
     */
    static long tunnel(Subject subject, InetSocketAddress echo, byte[] head) throws IOException {
        long t0 = System.nanoTime();
        // Plain sockets here: one byte each way needs no direct buffers, and SO_TIMEOUT bounds
        // every read.
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(ProxyBench.TIMEOUT_MS);
            s.connect(subject.connectTo(echo), ProxyBench.TIMEOUT_MS);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (subject.proxied()) {
                Connect.handshake(in, out, echo, head);
            }
            out.write(PING);
            int b = in.read();
            if (b != PING) {
                throw new ProtocolException("expected the echo, got " + b);
            }
            return System.nanoTime() - t0;
        }
    }

    /**
     * Nearest rank on sorted values: the smallest value with at least p% of samples at or below it.
     */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
