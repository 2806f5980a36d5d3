package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Upload over P tunnels at once, N/P bytes each (N in all), each from its own client thread. The
 * tunnels are set up first, then start sending together; the figure is N divided by the time from
 * the first tunnel's first byte to the last tunnel's count from the sink: aggregate GiB/s.
 */
final class ParallelThroughputRun implements AutoCloseable {
    private final List<ThroughputRun> runs = new ArrayList<>();
    private final ExecutorService pool;

    ParallelThroughputRun(InetSocketAddress sink, Watchdog watchdog, int tunnels) {
        for (int i = 0; i < tunnels; i++) {
            runs.add(new ThroughputRun(sink, watchdog));
        }
        pool =
                Executors.newFixedThreadPool(
                        tunnels,
                        r -> {
                            Thread t = new Thread(r, "bench-parallel");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * @return aggregate GiB/s
     */
    double measure(Subject subject, long bytes) throws IOException {
        int p = runs.size();
        CyclicBarrier gate = new CyclicBarrier(p);
        List<Future<ThroughputRun.Timing>> futures = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            // The remainder goes to the first tunnel, so the total is exactly N.
            long share = bytes / p + (i == 0 ? bytes % p : 0);
            ThroughputRun run = runs.get(i);
            futures.add(
                    pool.submit(
                            () -> {
                                try {
                                    return run.measure(subject, share, gate);
                                } catch (IOException e) {
                                    // Release the others waiting at the gate now rather than at its
                                    // timeout.
                                    gate.reset();
                                    throw e;
                                }
                            }));
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        IOException failure = null;
        for (Future<ThroughputRun.Timing> f : futures) {
            try {
                // Each tunnel is bounded by its watchdog; this bound only catches a stuck thread.
                ThroughputRun.Timing t = f.get(10, TimeUnit.MINUTES);
                first = Math.min(first, t.startNanos());
                last = Math.max(last, t.endNanos());
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
                                : new IOException("a parallel tunnel did not finish in 10 minutes");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return ThroughputRun.gibPerSecond(bytes, last - first);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
