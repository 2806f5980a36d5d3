package io.realmgate.bench;

import java.util.Locale;

/** One reported quantity; the label carries its unit and which direction is better. */
enum Figure {
    THROUGHPUT("%.2f"),
    SETUP_RATE("%.0f"),
    SETUP_P50("%.0f"),
    SETUP_P99("%.0f");

    private final String format;

    Figure(String format) {
        this.format = format;
    }

    String label(BenchOptions o) {
        return switch (this) {
            case THROUGHPUT -> "Throughput, " + BenchOptions.humanBytes(o.bytes()) + " through one tunnel (GiB/s, higher is better)";
            case SETUP_RATE -> "Set-up rate, " + o.tunnels() + " sequential tunnels (tunnels/s, higher is better)";
            case SETUP_P50 -> "Set-up latency p50 (µs, lower is better)";
            case SETUP_P99 -> "Set-up latency p99 (µs, lower is better)";
        };
    }

    String format(double value) {
        return String.format(Locale.ROOT, format, value);
    }
}
