package io.realmgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Memory per idle tunnel: read the proxy's memory (its whole process tree), open N tunnels to the
 * echo target (each: CONNECT, its 200, one byte echoed, so it has carried data both ways) in
 * batches of {@value #BATCH} at once, leave them idle {@value #SETTLE_MS} ms, read again, then
 * close them all. Cost = (with − without) / tunnels held. A batch with a failure ends the opening:
 * the proxy has reached what it can hold, and the figure is then over the tunnels it did hold.
 */
final class IdleMemoryRun implements AutoCloseable {
    static final int BATCH = 200;
    static final long SETTLE_MS = 2000;

    /**
     * The liveness check after the reading: a tunnel that says nothing for this long counts as
     * dead.
     */
    private static final int CHECK_TIMEOUT_MS = 5000;

    record Result(
            int wanted,
            int held,
            int aliveAfter,
            ProcessMemory.Reading without,
            ProcessMemory.Reading with,
            String firstFailure) {
        double rssKiBPerTunnel() {
            return (with.rssKiB() - without.rssKiB()) / (double) held;
        }

        /** NaN when PSS could not be read. */
        double pssKiBPerTunnel() {
            return with.pssKiB() < 0 || without.pssKiB() < 0
                    ? Double.NaN
                    : (with.pssKiB() - without.pssKiB()) / (double) held;
        }
    }

    private final InetSocketAddress echo;
    private final ExecutorService pool =
            Executors.newFixedThreadPool(
                    BATCH,
                    r -> {
                        Thread t = new Thread(r, "bench-idle-open");
                        t.setDaemon(true);
                        return t;
                    });

    IdleMemoryRun(InetSocketAddress echo) {
        this.echo = echo;
    }

    Result measure(Subject subject, long pid, int tunnels)
            throws IOException, InterruptedException {
        ProcessMemory.Reading without = ProcessMemory.ofTree(pid);
        List<Socket> open = new ArrayList<>(tunnels);
        try {
            String firstFailure = null;
            // At most ceil(N / BATCH) batches, each bounded by the sockets' timeouts.
            for (int done = 0; done < tunnels && firstFailure == null; ) {
                int n = Math.min(BATCH, tunnels - done);
                List<Future<Socket>> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(pool.submit(() -> open(subject)));
                }
                for (Future<Socket> f : batch) {
                    try {
                        open.add(f.get(3L * ProxyBench.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                    } catch (ExecutionException | TimeoutException e) {
                        f.cancel(true);
                        if (firstFailure == null) {
                            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                            firstFailure = "tunnel " + (done + 1) + "..: " + cause;
                        }
                    }
                }
                done += n;
            }
            if (open.isEmpty()) {
                throw new IOException("no idle tunnel could be opened: " + firstFailure);
            }
            Thread.sleep(SETTLE_MS);
            ProcessMemory.Reading with = ProcessMemory.ofTree(pid);
            return new Result(tunnels, open.size(), alive(open), without, with, firstFailure);
        } finally {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing is all that is left to do with it
                }
            }
        }
    }

    private Socket open(Subject subject) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(ProxyBench.TIMEOUT_MS);
            s.connect(subject.connectTo(echo), ProxyBench.TIMEOUT_MS);
            if (subject.proxied()) {
                Connect.handshake(
                        s.getInputStream(), s.getOutputStream(), echo, new byte[Connect.MAX_HEAD]);
            }
            ping(s);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static void ping(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(SetupRun.PING);
        int b = in.read();
        if (b != SetupRun.PING) {
            throw new ProtocolException("expected the echo, got " + b);
        }
    }

    /**
     * After the reading: how many tunnels still carry a byte both ways (the proxy closed none
     * meanwhile).
     */
    private int alive(List<Socket> open) throws InterruptedException {
        List<Future<Boolean>> checks = new ArrayList<>(open.size());
        for (Socket s : open) {
            checks.add(
                    pool.submit(
                            () -> {
                                try {
                                    s.setSoTimeout(CHECK_TIMEOUT_MS);
                                    ping(s);
                                    return true;
                                } catch (IOException e) {
                                    return false;
                                }
                            }));
        }
        int alive = 0;
        for (Future<Boolean> f : checks) {
            try {
                alive += f.get(2L * CHECK_TIMEOUT_MS + 60_000, TimeUnit.MILLISECONDS) ? 1 : 0;
            } catch (ExecutionException | TimeoutException e) {
                f.cancel(true);
            }
        }
        return alive;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
