package io.realmgate.bench;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * The realm's fan-out: 1 publisher to 1, 100 and 1,000 subscribers, direct and through a proxy
 * process that allows CONNECT only to the realm's wss port. Its own table, since the peers do not
 * take part. The realm and its proxy run where the other systems under test run (the launch
 * prefix).
 */
final class FanOutSection {
    private FanOutSection() {}

    static String run(BenchOptions options, ChildLaunch launch, Notes notes) {
        if (!Files.isRegularFile(options.realmJar())) {
            notes.add("fan-out: realm jar not found: " + options.realmJar() + "; skipped");
            return "";
        }
        StringBuilder sb =
                new StringBuilder("\n### Realm fan-out (1 publisher, N subscribers, wss)\n\n")
                        .append(
                                "| Subscribers | Path | Events/s delivered | p50 latency (µs) | p99 latency (µs) | events/s vs direct |\n")
                        .append("|---:|---|---:|---:|---:|---:|\n");
        try (RealmProcess realm = RealmProcess.start(options.realmJar(), launch.prefix());
                RealmgateProcess proxy =
                        RealmgateProcess.start(
                                options.proxyJar(), realm.ports(), launch.prefix(), 0)) {
            FanOutRun run =
                    new FanOutRun(
                            RealmFanOutClient.FACTORY,
                            List.of(realm.wssAddress()),
                            options.fanOutSeconds());
            Notes.progress("fan-out warm-up");
            run.measure(10, null, "warm-up-direct");
            run.measure(10, proxy.address(), "warm-up-proxy");
            for (int n : new int[] {1, 100, 1000}) {
                FanOutRun.Result direct = run.measure(n, null, "fanout-" + n + "-direct");
                Notes.progress(
                        String.format(
                                Locale.ROOT,
                                "fan-out %4d direct %,.0f events/s",
                                n,
                                direct.eventsPerSecond()));
                FanOutRun.Result proxied =
                        run.measure(n, proxy.address(), "fanout-" + n + "-proxy");
                Notes.progress(
                        String.format(
                                Locale.ROOT,
                                "fan-out %4d proxy  %,.0f events/s",
                                n,
                                proxied.eventsPerSecond()));
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| %d | direct | %.0f | %.0f | %.0f | 1.00× |%n",
                                n,
                                direct.eventsPerSecond(),
                                direct.p50Micros(),
                                direct.p99Micros()));
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| %d | realmgate | %.0f | %.0f | %.0f | %.2f× |%n",
                                n,
                                proxied.eventsPerSecond(),
                                proxied.p50Micros(),
                                proxied.p99Micros(),
                                proxied.eventsPerSecond() / Math.max(1, direct.eventsPerSecond())));
            }
            sb.append(
                            "\nEvents/s: the publisher goes as fast as acknowledgements allow (64 in flight) for ")
                    .append(options.fanOutSeconds())
                    .append(
                            " s; latency: publish to delivery at 200 publishes/s (at 1,000"
                                    + " subscribers 20/s: at most 20,000 deliveries/s).\n");
        } catch (Exception e) {
            notes.add("fan-out failed: " + Notes.firstLine(String.valueOf(e.getMessage())));
        }
        return sb.toString();
    }
}
