package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent set-up: C client threads (default 64) set up N tunnels in all, each thread taking the
 * next tunnel number until N are done, every tunnel the same full life as in {@link SetupRun}. The
 * rate is N over the wall time from the common start until the last tunnel is closed; p50 and p99
 * are over the N set-up latencies, which now include waiting behind the other threads' tunnels at
 * the proxy: what a burst of clients sees.
 */
final class ConcurrentSetupRun implements AutoCloseable {
    private final InetSocketAddress echo;
    private final int threads;
    private final ExecutorService pool;

    ConcurrentSetupRun(InetSocketAddress echo, int threads) {
        this.echo = echo;
        this.threads = threads;
        this.pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "bench-concurrent-setup");
                            t.setDaemon(true);
                            return t;
                        });
    }

    SetupRun.Result measure(Subject subject, int tunnels) throws IOException {
        long[] latencies = new long[tunnels];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(
                    pool.submit(
                            () -> {
                                byte[] head = new byte[Connect.MAX_HEAD];
                                go.await();
                                // At most N passes over all threads together; the first failure
                                // stops every thread.
                                for (int i;
                                        failed.get() == 0
                                                && (i = next.getAndIncrement()) < tunnels; ) {
                                    try {
                                        latencies[i] = SetupRun.tunnel(subject, echo, head);
                                    } catch (IOException e) {
                                        failed.incrementAndGet();
                                        throw new IOException(
                                                "tunnel " + (i + 1) + " of " + tunnels + ": " + e,
                                                e);
                                    }
                                }
                                return null;
                            }));
        }
        long start = System.nanoTime();
        go.countDown();
        IOException failure = null;
        for (Future<?> f : futures) {
            try {
                // Every tunnel is bounded by socket timeouts; this only catches a stuck thread.
                f.get(10, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure =
                            e.getCause() instanceof IOException io
                                    ? io
                                    : new IOException(e.getCause());
                }
            } catch (TimeoutException e) {
                f.cancel(true);
                failure =
                        failure != null
                                ? failure
                                : new IOException("a set-up thread did not finish in 10 minutes");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        long elapsed = System.nanoTime() - start;
        if (failure != null) {
            throw failure;
        }
        return SetupRun.Result.of(latencies, tunnels, elapsed);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
