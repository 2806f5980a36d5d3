package io.realmgate.e2e;

import io.netty.channel.EventLoopGroup;
import io.realmgate.realm.IoTransport;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.tests.peers.TestCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One publisher, N subscribers (1, 100, 1000) on one channel over wss, directly and through our
 * proxy: events delivered per second with the publisher going as fast as acks allow, then
 * publish-to-delivery latency (p50, p99) at a steady {@code bench.pace} publishes per second. A
 * measurement, not a test: tagged {@code benchmark}, left out of the normal run. Run it with the
 * leak detector off (paranoid tracking costs more than the work measured):
 * <pre>
 * ./mvnw -pl tests/e2e -am test -Dtest=FanOutBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -De2e.excludedGroups=none -Dtest.leakDetection=disabled [-Dbench.seconds=5 -Dbench.pace=200]
 * </pre>
 * Everything runs in this JVM on loopback (realm, proxy, clients share two cores), so compare the
 * rows with each other (direct vs proxy), not with other machines.
 */
@Tag("benchmark")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FanOutBenchmark {
    private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
    private static final int IN_FLIGHT = 64;
    /** Publishes per second in the latency phase. */
    private static final int PACE = Integer.getInteger("bench.pace", 200);

    record Result(String path, int subscribers, double eventsPerSecond, double p50Micros, double p99Micros) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-6s %5d subscribers  %,10.0f events/s delivered   latency at pace: p50 %,8.0f us  p99 %,8.0f us",
                    path, subscribers, eventsPerSecond, p50Micros, p99Micros);
        }
    }

    @Test
    void fanOut() throws Exception {
        List<Result> results = new ArrayList<>();
        Scenario realmOnly = Scenario.realm();
        try (Scenario s = realmOnly.withProxy(realmOnly.wssPort())) {
            run(s, 10, false, 2); // warm-up: JIT, TLS, pools
            for (int n : new int[] {1, 100, 1000}) {
                results.add(run(s, n, false, SECONDS));
                results.add(run(s, n, true, SECONDS));
            }
        }
        results.forEach(System.out::println);
    }

    static Result run(Scenario s, int subscribers, boolean viaProxy, int seconds) throws Exception {
        EventLoopGroup group = IoTransport.best().newGroup(2, "bench-client");
        List<RealmClient> clients = new ArrayList<>();
        String channel = "bench-" + subscribers + (viaProxy ? "-proxy" : "-direct");
        long[] samples = new long[2_000_000];
        AtomicInteger sampleCount = new AtomicInteger();
        AtomicLong delivered = new AtomicLong();
        try {
            List<CompletableFuture<?>> ready = new ArrayList<>();
            for (int i = 0; i <= subscribers; i++) {
                RealmClient.Builder b = RealmClient.builder(URI.create("wss://127.0.0.1:" + s.wssPort() + "/realm"))
                        .trust(TestCertificates.get().ca().getCertificate()).eventLoopGroup(group).noReconnect();
                if (viaProxy) {
                    b.proxy(new InetSocketAddress("127.0.0.1", s.proxyPort()));
                }
                RealmClient c = b.build();
                clients.add(c);
                ready.add(c.connect());
            }
            CompletableFuture.allOf(ready.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            RealmClient publisher = clients.get(0);
            List<CompletableFuture<?>> subs = new ArrayList<>();
            for (RealmClient c : clients.subList(1, clients.size())) {
                subs.add(c.subscribe(channel, ev -> {
                    long sent = Long.parseLong(ev.data());
                    delivered.incrementAndGet();
                    int i = sampleCount.getAndIncrement();
                    if (i < samples.length) {
                        samples[i] = System.nanoTime() - sent;
                    }
                }));
            }
            CompletableFuture.allOf(subs.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);

            // Throughput: publish as fast as acks come back, at most IN_FLIGHT unacknowledged.
            Semaphore window = new Semaphore(IN_FLIGHT);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                window.acquire();
                publisher.publish(channel, Long.toString(System.nanoTime())).whenComplete((id, e) -> window.release());
            }
            window.acquire(IN_FLIGHT);
            window.release(IN_FLIGHT);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Thread.sleep(500); // let the last deliveries land
            double rate = delivered.get() / elapsed;

            // Latency: a steady, unsaturated pace, so queueing behind the throughput run does not count.
            sampleCount.set(0);
            long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, PACE);
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
            return new Result(viaProxy ? "proxy" : "direct", subscribers, rate,
                    n == 0 ? 0 : sorted[n / 2] / 1e3, n == 0 ? 0 : sorted[(int) (n * 0.99)] / 1e3);
        } finally {
            for (RealmClient c : clients) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
