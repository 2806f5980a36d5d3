package io.realmgate.bench;

import io.netty.channel.EventLoopGroup;
import io.realmgate.common.Transport;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.tests.peers.TestCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One publisher and N subscribers on one realm channel over wss, directly or through the proxy:
 * events delivered per second while the publisher goes as fast as acknowledgements allow (at most
 * 64 unacknowledged), then publish-to-delivery latency at a steady, unsaturated pace so that
 * queueing behind the throughput phase does not count.
 */
final class FanOutRun {
    record Result(double eventsPerSecond, double p50Micros, double p99Micros) {}

    private static final int IN_FLIGHT = 64;
    private static final int PACE_PER_SECOND = 200;

    private final InetSocketAddress realm;
    private final int seconds;

    FanOutRun(InetSocketAddress realm, int seconds) {
        this.realm = realm;
        this.seconds = seconds;
    }

    Result measure(int subscribers, InetSocketAddress proxy, String channel) throws Exception {
        EventLoopGroup group = Transport.fromEnvironment().newGroup(2, "bench-fanout");
        List<RealmClient> clients = new ArrayList<>();
        long[] samples = new long[2_000_000];
        AtomicInteger sampleCount = new AtomicInteger();
        AtomicLong delivered = new AtomicLong();
        try {
            // Connect in batches: a thousand TLS handshakes at once on two cores only measure the
            // queue.
            List<CompletableFuture<?>> ready = new ArrayList<>();
            for (int i = 0; i <= subscribers; i++) {
                RealmClient.Builder b =
                        RealmClient.builder(
                                        URI.create("wss://127.0.0.1:" + realm.getPort() + "/realm"))
                                .trust(TestCertificates.get().ca().getCertificate())
                                .eventLoopGroup(group)
                                .noReconnect()
                                .connectTimeout(java.time.Duration.ofSeconds(60));
                if (proxy != null) {
                    b.proxy(proxy);
                }
                RealmClient c = b.build();
                clients.add(c);
                ready.add(c.connect());
                if (ready.size() == 50) {
                    CompletableFuture.allOf(ready.toArray(new CompletableFuture[0]))
                            .get(120, TimeUnit.SECONDS);
                    ready.clear();
                }
            }
            CompletableFuture.allOf(ready.toArray(new CompletableFuture[0]))
                    .get(120, TimeUnit.SECONDS);
            RealmClient publisher = clients.get(0);
            List<CompletableFuture<?>> subscribed = new ArrayList<>();
            for (RealmClient c : clients.subList(1, clients.size())) {
                subscribed.add(
                        c.subscribe(
                                channel,
                                ev -> {
                                    long sent = Long.parseLong(ev.data());
                                    delivered.incrementAndGet();
                                    int i = sampleCount.getAndIncrement();
                                    if (i < samples.length) {
                                        samples[i] = System.nanoTime() - sent;
                                    }
                                }));
            }
            CompletableFuture.allOf(subscribed.toArray(new CompletableFuture[0]))
                    .get(120, TimeUnit.SECONDS);

            Semaphore window = new Semaphore(IN_FLIGHT);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                if (!window.tryAcquire(ProxyBench.TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    throw new java.io.IOException(
                            "no acknowledgement within " + ProxyBench.TIMEOUT_MS + " ms");
                }
                publisher
                        .publish(channel, Long.toString(System.nanoTime()))
                        .whenComplete((id, e) -> window.release());
            }
            if (!window.tryAcquire(IN_FLIGHT, ProxyBench.TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new java.io.IOException("acknowledgements missing at the end of the run");
            }
            window.release(IN_FLIGHT);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Thread.sleep(500); // the last deliveries land
            double rate = delivered.get() / elapsed;

            sampleCount.set(0);
            long interval = TimeUnit.SECONDS.toNanos(1) / PACE_PER_SECOND;
            long next = System.nanoTime();
            end = next + TimeUnit.SECONDS.toNanos(seconds);
            while (next < end) {
                long now = System.nanoTime();
                if (now < next) {
                    TimeUnit.NANOSECONDS.sleep(next - now);
                }
                publisher.publish(channel, Long.toString(System.nanoTime()));
                next += interval;
            }
            Thread.sleep(500);
            int n = Math.min(sampleCount.get(), samples.length);
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            return new Result(
                    rate,
                    n == 0 ? 0 : sorted[n / 2] / 1e3,
                    n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e3);
        } finally {
            for (RealmClient c : clients) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
