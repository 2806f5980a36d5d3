package io.realmgate.bench;

import java.util.List;
import java.util.Locale;

/**
 * The fan-out comparison with Centrifugo as one Markdown table: a row per engine and subscriber
 * count, both systems side by side, the realm's figures as ratios of Centrifugo's, and whether the
 * row meets the goal (at least Centrifugo's events/s, at most its p99, every delivery made).
 */
final class PeerFanOutTable {
    /**
     * One engine and subscriber count; a null result is a run that failed.
     *
     * @param engine {@code memory} or {@code redis}
     * @param nodes processes of each system
     */
    record Row(
            String engine,
            int nodes,
            int subscribers,
            FanOutRun.Result realm,
            FanOutRun.Result centrifugo) {}

    private PeerFanOutTable() {}

    static String render(List<Row> rows) {
        StringBuilder sb =
                new StringBuilder(
                                "| Engine (processes) | Subscribers | realmgate events/s | Centrifugo events/s |"
                                        + " events/s ratio | realmgate p50 / p99 (µs) | Centrifugo p50 / p99 (µs) |"
                                        + " p99 ratio | missing deliveries (realmgate / Centrifugo) | goal met |\n")
                        .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            FanOutRun.Result a = r.realm();
            FanOutRun.Result b = r.centrifugo();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s (%d) | %,d | %s | %s | %s | %s | %s | %s | %s / %s | %s |%n",
                            r.engine(),
                            r.nodes(),
                            r.subscribers(),
                            a == null
                                    ? "failed"
                                    : String.format(Locale.ROOT, "%,.0f", a.eventsPerSecond()),
                            b == null
                                    ? "failed"
                                    : String.format(Locale.ROOT, "%,.0f", b.eventsPerSecond()),
                            a == null || b == null
                                    ? "–"
                                    : ratio(a.eventsPerSecond(), b.eventsPerSecond()),
                            latencies(a),
                            latencies(b),
                            a == null || b == null ? "–" : ratio(a.p99Micros(), b.p99Micros()),
                            missing(a),
                            missing(b),
                            goal(a, b)));
        }
        return sb.toString();
    }

    /**
     * Met: the realm delivered everything, at least Centrifugo's events/s, at most its p99.
     * Centrifugo's own missing deliveries do not count for or against the realm.
     */
    static String goal(FanOutRun.Result realm, FanOutRun.Result centrifugo) {
        if (realm == null) {
            return "no (realm run failed)";
        }
        if (centrifugo == null) {
            return "– (Centrifugo run failed)";
        }
        if (!realm.complete()) {
            return "no (deliveries missing)";
        }
        boolean rate = realm.eventsPerSecond() >= centrifugo.eventsPerSecond();
        boolean p99 = realm.p99Micros() <= centrifugo.p99Micros();
        if (rate && p99) {
            return "**yes**";
        }
        return rate ? "no (p99)" : p99 ? "no (events/s)" : "no (events/s, p99)";
    }

    private static String ratio(double ours, double theirs) {
        return theirs <= 0 ? "–" : String.format(Locale.ROOT, "%.2f×", ours / theirs);
    }

    private static String latencies(FanOutRun.Result r) {
        return r == null
                ? "failed"
                : String.format(Locale.ROOT, "%.0f / %.0f", r.p50Micros(), r.p99Micros());
    }

    private static String missing(FanOutRun.Result r) {
        if (r == null) {
            return "–";
        }
        String s = String.format(Locale.ROOT, "%,d", Math.max(0, r.due() - r.delivered()));
        return r.lostConnections() == 0
                ? s
                : s + " (" + r.lostConnections() + " connections closed)";
    }
}
