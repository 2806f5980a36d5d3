package io.realmgate.bench;

import java.util.List;
import java.util.Locale;

/**
 * The results as one Markdown table: every figure, every subject, median (min–max) of the repeats,
 * and the ratio of medians to direct and to each peer that took part.
 */
final class ReportTable {
    /**
     * The peers a ratio column is given for, when they took part. Ours is the row, never the
     * column.
     */
    private static final List<String> PEERS =
            List.of(Subject.APACHE, Subject.SQUID, Subject.TINYPROXY, Subject.CEILING);

    private ReportTable() {}

    static String render(Results results, List<String> subjects, BenchOptions options) {
        List<String> peers = PEERS.stream().filter(subjects::contains).toList();
        StringBuilder sb = new StringBuilder();
        sb.append("| Figure | Subject | Median (min–max) | vs direct |");
        peers.forEach(p -> sb.append(" vs ").append(p).append(" |"));
        sb.append("\n|---|---|---:|---:|");
        peers.forEach(p -> sb.append("---:|"));
        sb.append('\n');
        for (Figure figure : Figure.values()) {
            if (!options.measures(figure.group())) {
                continue;
            }
            Results.Summary direct = results.summary(Subject.DIRECT, figure);
            for (String subject : subjects) {
                Results.Summary s = results.summary(subject, figure);
                int failed = results.failures(subject, figure);
                if (s == null && failed == 0) {
                    // Not measured for this subject (direct has no proxy memory; PSS unreadable).
                    continue;
                }
                String value =
                        s == null
                                ? "failed"
                                : figure.format(s.median())
                                        + " ("
                                        + figure.format(s.min())
                                        + "–"
                                        + figure.format(s.max())
                                        + ")";
                if (s != null && failed > 0) {
                    // The figure is over the runs that worked; say plainly that some did not.
                    value += ", " + failed + " of " + options.repeat() + " runs failed";
                }
                String vsDirect = ratio(s, direct);
                if (figure == Figure.WS_P99 && s != null && direct != null) {
                    // What the tunnel adds to the tail, in the unit a reader compares with their
                    // budget.
                    vsDirect +=
                            String.format(Locale.ROOT, " (%+.0f µs)", s.median() - direct.median());
                }
                sb.append("| ")
                        .append(figure.label(options))
                        .append(" | ")
                        .append(subject)
                        .append(" | ")
                        .append(value)
                        .append(" | ")
                        .append(vsDirect)
                        .append(" |");
                for (String peer : peers) {
                    sb.append(' ').append(ratio(s, results.summary(peer, figure))).append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** Ratio of medians; for latencies and memory above 1× means more than the reference. */
    static String ratio(Results.Summary s, Results.Summary reference) {
        if (s == null || reference == null || reference.median() == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f×", s.median() / reference.median());
    }
}
