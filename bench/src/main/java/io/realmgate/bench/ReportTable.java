package io.realmgate.bench;

import java.util.List;
import java.util.Locale;

/** The results as one Markdown table: every figure, every subject, with ratios to direct and to Apache. */
final class ReportTable {
    private ReportTable() {
    }

    static String render(Results results, BenchOptions options) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Figure | Subject | Median (min–max) | vs direct | vs apache |\n");
        sb.append("|---|---|---:|---:|---:|\n");
        for (Figure figure : Figure.values()) {
            Results.Summary direct = results.summary(Subject.DIRECT, figure);
            Results.Summary apache = results.summary(Subject.APACHE, figure);
            for (String subject : List.of(Subject.DIRECT, Subject.REALMGATE, Subject.APACHE)) {
                if (!results.has(subject)) {
                    continue;
                }
                Results.Summary s = results.summary(subject, figure);
                String value = s == null ? "failed"
                        : figure.format(s.median()) + " (" + figure.format(s.min()) + "–" + figure.format(s.max()) + ")";
                int failed = results.failures(subject, figure);
                if (s != null && failed > 0) {
                    // The figure is over the runs that worked; say plainly that some did not.
                    value += ", " + failed + " of " + options.repeat() + " runs failed";
                }
                sb.append("| ").append(figure.label(options))
                        .append(" | ").append(subject)
                        .append(" | ").append(value)
                        .append(" | ").append(ratio(s, direct))
                        .append(" | ").append(ratio(s, apache))
                        .append(" |\n");
            }
        }
        return sb.toString();
    }

    /** Ratio of medians; for latencies above 1× means slower than the reference. */
    private static String ratio(Results.Summary s, Results.Summary reference) {
        if (s == null || reference == null || reference.median() == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f×", s.median() / reference.median());
    }
}
