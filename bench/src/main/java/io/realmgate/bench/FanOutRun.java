package io.realmgate.bench;

import io.netty.channel.EventLoopGroup;
import io.realmgate.common.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One publisher and N subscribers on one channel over wss, of a realm or of Centrifugo, on one node
 * or spread over several (the publisher on the first, subscriber i on node i mod nodes), directly
 * or through the proxy: events delivered per second while the publisher goes as fast as
 * acknowledgements allow (at most 64 unacknowledged), then publish-to-delivery latency at a steady,
 * unsaturated pace so that queueing behind the throughput phase does not count. Every delivery is
 * counted against what was due (acknowledged publishes × subscribers).
 */
final class FanOutRun {
    /**
     * @param eventsPerSecond deliveries of the throughput phase over the time from its first
     *     publish to its last delivery
     * @param delivered deliveries of both phases
     * @param due acknowledged publishes × subscribers, both phases
     * @param lostConnections connections the system closed during the run
     */
    record Result(
            double eventsPerSecond,
            double p50Micros,
            double p99Micros,
            long delivered,
            long due,
            int lostConnections) {
        boolean complete() {
            return delivered == due && lostConnections == 0;
        }
    }

    private static final int IN_FLIGHT = 64;
    private static final int PACE_PER_SECOND = 200;

    /**
     * Deliveries per second the latency phase asks for at most: 200 publishes/s to 1,000
     * subscribers would be 200,000, more than the benchmark's one client CPU takes in over TLS, and
     * the figure would be the client's queue, not the system's latency.
     */
    static final int LATENCY_DELIVERIES_PER_SECOND = 20_000;

    /** How long deliveries still due may take to land after the last publish. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final FanOutClient.Factory clients;
    private final List<InetSocketAddress> nodes;
    private final int seconds;

    FanOutRun(FanOutClient.Factory clients, List<InetSocketAddress> nodes, int seconds) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no node to connect to");
        }
        this.clients = clients;
        this.nodes = List.copyOf(nodes);
        this.seconds = seconds;
    }

    Result measure(int subscribers, InetSocketAddress proxy, String channel) throws Exception {
        EventLoopGroup group = Transport.fromEnvironment().newGroup(2, "bench-fanout");
        List<FanOutClient> connections = new ArrayList<>();
        long[] samples = new long[2_000_000];
        AtomicInteger sampleCount = new AtomicInteger();
        AtomicLong delivered = new AtomicLong();
        AtomicLong lastDelivery = new AtomicLong();
        try {
            // Connect in batches: a thousand TLS handshakes at once on two cores only measure the
            // queue.
            List<CompletableFuture<?>> ready = new ArrayList<>();
            for (int i = 0; i <= subscribers; i++) {
                // The publisher (i = 0) on the first node, subscriber i on node i mod nodes.
                FanOutClient c = clients.create(nodes.get(i % nodes.size()), proxy, group);
                connections.add(c);
                ready.add(c.connect());
                if (ready.size() == 50) {
                    await(ready, "connect");
                }
            }
            await(ready, "connect");
            FanOutClient publisher = connections.get(0);
            List<CompletableFuture<?>> subscribed = new ArrayList<>();
            for (FanOutClient c : connections.subList(1, connections.size())) {
                subscribed.add(
                        c.subscribe(
                                channel,
                                sent -> {
                                    long now = FanOutPayload.now();
                                    delivered.incrementAndGet();
                                    lastDelivery.accumulateAndGet(now, Math::max);
                                    int i = sampleCount.getAndIncrement();
                                    if (i < samples.length) {
                                        samples[i] = sent < 0 ? Long.MAX_VALUE : now - sent;
                                    }
                                }));
                if (subscribed.size() == 50) {
                    await(subscribed, "subscribe");
                }
            }
            await(subscribed, "subscribe");

            Semaphore window = new Semaphore(IN_FLIGHT);
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            long start = FanOutPayload.now();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (FanOutPayload.now() < end) {
                if (!window.tryAcquire(ProxyBench.TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    throw new IOException(
                            "no acknowledgement within " + ProxyBench.TIMEOUT_MS + " ms");
                }
                publisher
                        .publish(channel, FanOutPayload.at(FanOutPayload.now()))
                        .whenComplete(
                                (ok, e) -> {
                                    (e == null ? acknowledged : refused).incrementAndGet();
                                    window.release();
                                });
            }
            if (!window.tryAcquire(IN_FLIGHT, ProxyBench.TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IOException("acknowledgements missing at the end of the run");
            }
            window.release(IN_FLIGHT);
            if (refused.get() > 0) {
                throw new IOException(refused.get() + " publishes refused");
            }
            long due = acknowledged.get() * subscribers;
            drain(delivered, due, connections);
            long throughputDelivered = delivered.get();
            double rate = throughputDelivered / Math.max(1e-9, (lastDelivery.get() - start) / 1e9);

            sampleCount.set(0);
            long interval = TimeUnit.SECONDS.toNanos(1) / pace(subscribers);
            long next = FanOutPayload.now();
            end = next + TimeUnit.SECONDS.toNanos(seconds);
            List<CompletableFuture<?>> paced = new ArrayList<>();
            while (next < end) {
                long now = FanOutPayload.now();
                if (now < next) {
                    TimeUnit.NANOSECONDS.sleep(next - now);
                }
                paced.add(publisher.publish(channel, FanOutPayload.at(FanOutPayload.now())));
                next += interval;
            }
            due += (long) paced.size() * subscribers;
            await(paced, "publish");
            drain(delivered, due, connections);
            int n = Math.min(sampleCount.get(), samples.length);
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            int lost = (int) connections.stream().filter(FanOutClient::lost).count();
            return new Result(
                    rate,
                    n == 0 ? 0 : sorted[n / 2] / 1e3,
                    n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e3,
                    delivered.get(),
                    due,
                    lost);
        } finally {
            for (FanOutClient c : connections) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Publishes per second of the latency phase: 200, fewer where that would ask for more than
     * {@link #LATENCY_DELIVERIES_PER_SECOND} deliveries per second (20 at 1,000 subscribers).
     */
    static int pace(int subscribers) {
        return Math.max(
                1,
                Math.min(
                        PACE_PER_SECOND, LATENCY_DELIVERIES_PER_SECOND / Math.max(1, subscribers)));
    }

    /**
     * Waits until every delivery due has landed, a connection was lost (what it missed never will),
     * or {@link #DRAIN_NANOS} passed; polls every 10 ms.
     */
    private static void drain(AtomicLong delivered, long due, List<FanOutClient> connections)
            throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (delivered.get() < due && System.nanoTime() < deadline) {
            if (connections.stream().anyMatch(FanOutClient::lost)) {
                Thread.sleep(500); // what is in flight to the others still lands
                return;
            }
            Thread.sleep(10);
        }
    }

    private static void await(List<CompletableFuture<?>> futures, String what) throws Exception {
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0]))
                    .get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(what + ": no answer within 120 s", e);
        }
        futures.clear();
    }
}
