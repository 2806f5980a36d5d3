package io.realmgate.bench;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The realm's fan-out side by side with Centrifugo (figure group {@code fanout-peers}): 1 publisher
 * to 1, 100 and 1,000 subscribers over wss, (a) one realm process against one Centrifugo node,
 * memory engines, and (b) three realm processes on one Redis against three Centrifugo nodes on
 * another, fresh Redis (redis engines), the publisher on the first process and the subscribers
 * spread over all three. Every process runs where the other systems under test run (the launch
 * prefix) and is stopped before the next system starts, so the two never share the CPU. Skipped,
 * with a note, when Centrifugo is not built; the redis rows when redis-server is missing.
 */
final class PeerFanOutSection {
    static final String GROUP = "fanout-peers";
    static final int[] SUBSCRIBERS = {1, 100, 1000};
    static final int REDIS_NODES = 3;

    /** How much longer than a counted row's phases each row's warm-up runs. */
    static final int WARM_UP_FACTOR = 2;

    private PeerFanOutSection() {}

    /** Starts the processes of one system; they stop when the returned list is closed. */
    private interface Nodes {
        List<AutoCloseable> start(List<AutoCloseable> started) throws Exception;
    }

    static String run(BenchOptions options, ChildLaunch launch, Notes notes) {
        if (!Files.isRegularFile(options.realmJar())) {
            notes.add(GROUP + ": realm jar not found: " + options.realmJar() + "; skipped");
            return "";
        }
        if (!CentrifugoProcess.available()) {
            notes.add(GROUP + ": Centrifugo not built (tests/peers/centrifugo.sh); skipped");
            return "";
        }
        List<PeerFanOutTable.Row> rows = new ArrayList<>();
        measureBoth(
                "memory",
                1,
                options,
                notes,
                rows,
                realmNodes(options, launch, 1, false),
                centrifugoNodes(launch, 1, false));
        if (RedisProcess.available()) {
            measureBoth(
                    "redis",
                    REDIS_NODES,
                    options,
                    notes,
                    rows,
                    realmNodes(options, launch, REDIS_NODES, true),
                    centrifugoNodes(launch, REDIS_NODES, true));
        } else {
            notes.add(
                    GROUP
                            + ": redis-server not installed (apt-get install redis-server); redis rows skipped");
        }
        return "\n### Realm fan-out against Centrifugo "
                + io.realmgate.tests.peers.CentrifugoPeer.VERSION
                + " (1 publisher, N subscribers, wss)\n\n"
                + PeerFanOutTable.render(rows)
                + String.format(
                        Locale.ROOT,
                        "%nEvents/s: the publisher goes as fast as acknowledgements allow (64 in flight) for %d s,"
                                + " counted until the last delivery; latency: publish to delivery at 200 publishes/s"
                                + " (at 1,000 subscribers 20/s: at most 20,000 deliveries/s) for %d s. Payload %d bytes of JSON. Ratios: realmgate ÷ Centrifugo. One run"
                                + " each.%n",
                        options.fanOutSeconds(),
                        options.fanOutSeconds(),
                        FanOutPayload.SIZE);
    }

    private static void measureBoth(
            String engine,
            int nodeCount,
            BenchOptions options,
            Notes notes,
            List<PeerFanOutTable.Row> rows,
            Nodes realm,
            Nodes centrifugo) {
        FanOutRun.Result[] ours =
                measureAll("realmgate " + engine, RealmRawClient.FACTORY, realm, options, notes);
        FanOutRun.Result[] theirs =
                measureAll(
                        "centrifugo " + engine,
                        CentrifugoClient.FACTORY,
                        centrifugo,
                        options,
                        notes);
        for (int i = 0; i < SUBSCRIBERS.length; i++) {
            rows.add(
                    new PeerFanOutTable.Row(engine, nodeCount, SUBSCRIBERS[i], ours[i], theirs[i]));
        }
    }

    /** Starts one system, warms it up, measures every row, stops it; a failed row stays null. */
    private static FanOutRun.Result[] measureAll(
            String label,
            FanOutClient.Factory clients,
            Nodes nodes,
            BenchOptions options,
            Notes notes) {
        FanOutRun.Result[] results = new FanOutRun.Result[SUBSCRIBERS.length];
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Notes.progress(GROUP + ": starting " + label);
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (AutoCloseable node : nodes.start(started)) {
                addresses.add(
                        node instanceof RealmProcess r
                                ? r.wssAddress()
                                : ((CentrifugoProcess) node).address());
            }
            FanOutRun run = new FanOutRun(clients, addresses, options.fanOutSeconds());
            String channelBase = "fanout-peers-" + label.replace(' ', '-');
            // The same for both systems: every row's shape once, uncounted, with phases twice as
            // long. A JVM compiles each shape's paths when it first meets them (a publish acked
            // and delivered to one subscriber is not the loop over a hundred), and its compiler
            // shares the CPU the system is pinned to: with one warm-up of 100 subscribers the
            // realm's C2 thread took more CPU during the 1-subscriber row than its event loop
            // (decisions.md, "the fan-out's warm-up and the redis round trip").
            FanOutRun warmUp =
                    new FanOutRun(clients, addresses, WARM_UP_FACTOR * options.fanOutSeconds());
            for (int n : SUBSCRIBERS) {
                Notes.progress(GROUP + ": " + label + " warm-up, " + n + " subscribers");
                warmUp.measure(n, null, channelBase + "-warm-up-" + n);
            }
            for (int i = 0; i < SUBSCRIBERS.length; i++) {
                int n = SUBSCRIBERS[i];
                try {
                    FanOutRun.Result r = run.measure(n, null, channelBase + "-" + n);
                    results[i] = r;
                    Notes.progress(
                            String.format(
                                    Locale.ROOT,
                                    "%s: %s %4d subscribers: %,.0f events/s, p50 %.0f µs, p99 %.0f µs, %,d of %,d delivered",
                                    GROUP,
                                    label,
                                    n,
                                    r.eventsPerSecond(),
                                    r.p50Micros(),
                                    r.p99Micros(),
                                    r.delivered(),
                                    r.due()));
                } catch (Exception e) {
                    notes.add(
                            GROUP
                                    + ": "
                                    + label
                                    + ", "
                                    + n
                                    + " subscribers failed: "
                                    + Notes.firstLine(String.valueOf(e.getMessage()))
                                    + logged(started));
                }
            }
        } catch (Exception e) {
            notes.add(
                    GROUP
                            + ": "
                            + label
                            + " failed: "
                            + Notes.firstLine(String.valueOf(e.getMessage())));
        } finally {
            // Newest first; each stop is bounded (SIGTERM, 10 s, then SIGKILL).
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    notes.add(GROUP + ": stopping " + label + " failed: " + e.getMessage());
                }
            }
        }
        return results;
    }

    /**
     * What the system's processes logged so far (they log at warn and above), the first line of
     * each, for a note on a failed run; empty when none logged anything.
     */
    private static String logged(List<AutoCloseable> started) {
        StringBuilder sb = new StringBuilder();
        for (AutoCloseable p : started) {
            String log =
                    p instanceof RealmProcess r
                            ? r.log()
                            : p instanceof CentrifugoProcess c ? c.log() : "";
            String first = log.strip().lines().findFirst().orElse("");
            if (!first.isEmpty()) {
                sb.append(sb.length() == 0 ? "; logged: " : " | ")
                        .append(first.length() > 200 ? first.substring(0, 200) + "…" : first);
            }
        }
        return sb.toString();
    }

    /** One realm (memory), or a fresh Redis and {@code count} realms on it (redis). */
    private static Nodes realmNodes(
            BenchOptions options, ChildLaunch launch, int count, boolean redis) {
        return started -> {
            List<String> flags = List.of();
            if (redis) {
                RedisProcess r = RedisProcess.start(launch.prefix());
                started.add(r);
                flags = List.of("--engine", "redis", "--redis-url", r.url());
            }
            List<AutoCloseable> nodes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                RealmProcess p = RealmProcess.start(options.realmJar(), launch.prefix(), flags);
                started.add(p);
                nodes.add(p);
            }
            return nodes;
        };
    }

    /** One Centrifugo node (memory), or a fresh Redis and {@code count} nodes on it (redis). */
    private static Nodes centrifugoNodes(ChildLaunch launch, int count, boolean redis) {
        return started -> {
            String url = null;
            if (redis) {
                RedisProcess r = RedisProcess.start(launch.prefix());
                started.add(r);
                url = r.url();
            }
            List<AutoCloseable> nodes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                CentrifugoProcess p = CentrifugoProcess.start(launch.prefix(), url);
                started.add(p);
                nodes.add(p);
            }
            return nodes;
        };
    }
}
