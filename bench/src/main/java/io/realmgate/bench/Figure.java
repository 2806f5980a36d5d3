package io.realmgate.bench;

import java.util.Locale;

/**
 * One reported quantity; the label carries its unit and which direction is better. {@link #panel}
 * and {@link #series} place it in the chart: figures of one panel share a unit and an axis.
 */
enum Figure {
    THROUGHPUT_UP("%.2f", true, Panel.THROUGHPUT),
    THROUGHPUT_DOWN("%.2f", true, Panel.THROUGHPUT),
    THROUGHPUT_PARALLEL("%.2f", true, Panel.THROUGHPUT),
    CPU_UP_PER_GIB("%.0f", false, Panel.CPU_PER_GIB),
    CPU_DOWN_PER_GIB("%.0f", false, Panel.CPU_PER_GIB),
    CPU_PARALLEL_PER_GIB("%.0f", false, Panel.CPU_PER_GIB),
    SETUP_RATE("%.0f", true, Panel.SETUP_RATE),
    SETUP_P50("%.0f", false, null),
    SETUP_P99("%.0f", false, Panel.SETUP_P99),
    CONCURRENT_RATE("%.0f", true, Panel.SETUP_RATE),
    CONCURRENT_P50("%.0f", false, null),
    CONCURRENT_P99("%.0f", false, Panel.SETUP_P99),
    CPU_SETUP_PER_TUNNEL("%.0f", false, Panel.CPU_PER_TUNNEL),
    CPU_CONCURRENT_PER_TUNNEL("%.0f", false, Panel.CPU_PER_TUNNEL),
    COLD_FIRST_TUNNEL_MS("%.0f", false, Panel.COLD_START),
    COLD_START_CPU_MS("%.0f", false, Panel.COLD_START),
    COLD_RATE("%.0f", true, Panel.SETUP_RATE),
    COLD_P50("%.0f", false, null),
    COLD_P99("%.0f", false, Panel.SETUP_P99),
    COLD_CPU_PER_TUNNEL("%.0f", false, Panel.CPU_PER_TUNNEL),
    IDLE_RSS_KIB("%.1f", false, Panel.IDLE_MEMORY),
    IDLE_PSS_KIB("%.1f", false, Panel.IDLE_MEMORY),
    WS_P50("%.0f", false, Panel.WS_ECHO),
    WS_P99("%.0f", false, Panel.WS_ECHO);

    /** A chart panel: its title carries the unit and the better direction. */
    enum Panel {
        THROUGHPUT("Throughput (GiB/s, higher is better)"),
        SETUP_RATE("Tunnel set-up rate (tunnels/s, higher is better)"),
        SETUP_P99("Tunnel set-up latency p99 (µs, lower is better)"),
        COLD_START("Cold start to first tunnel (ms, lower is better)"),
        CPU_PER_TUNNEL("Proxy CPU per tunnel set up (µs, lower is better)"),
        CPU_PER_GIB("Proxy CPU per GiB relayed (ms, lower is better)"),
        IDLE_MEMORY("Memory per idle tunnel (KiB, lower is better)"),
        WS_ECHO("WebSocket echo round trip (µs, lower is better)");

        final String title;

        Panel(String title) {
            this.title = title;
        }
    }

    private final String format;
    final boolean higherIsBetter;

    /** Null: in the table only. */
    final Panel panel;

    Figure(String format, boolean higherIsBetter, Panel panel) {
        this.format = format;
        this.higherIsBetter = higherIsBetter;
        this.panel = panel;
    }

    /** The figure group of {@code --only} that measures it. */
    String group() {
        return switch (this) {
            case THROUGHPUT_UP,
                    THROUGHPUT_DOWN,
                    THROUGHPUT_PARALLEL,
                    CPU_UP_PER_GIB,
                    CPU_DOWN_PER_GIB,
                    CPU_PARALLEL_PER_GIB ->
                    "throughput";
            case SETUP_RATE,
                    SETUP_P50,
                    SETUP_P99,
                    CONCURRENT_RATE,
                    CONCURRENT_P50,
                    CONCURRENT_P99,
                    CPU_SETUP_PER_TUNNEL,
                    CPU_CONCURRENT_PER_TUNNEL ->
                    "setup";
            case COLD_FIRST_TUNNEL_MS,
                    COLD_START_CPU_MS,
                    COLD_RATE,
                    COLD_P50,
                    COLD_P99,
                    COLD_CPU_PER_TUNNEL ->
                    "cold";
            case IDLE_RSS_KIB, IDLE_PSS_KIB -> "memory";
            case WS_P50, WS_P99 -> "ws";
        };
    }

    /** Measured of a proxy's process (its CPU, memory, start): direct has none of these. */
    boolean ofProxyProcess() {
        return switch (this) {
            case CPU_UP_PER_GIB,
                    CPU_DOWN_PER_GIB,
                    CPU_PARALLEL_PER_GIB,
                    CPU_SETUP_PER_TUNNEL,
                    CPU_CONCURRENT_PER_TUNNEL ->
                    true;
            default -> group().equals("cold") || group().equals("memory");
        };
    }

    String label(BenchOptions o) {
        String better = higherIsBetter ? "higher is better" : "lower is better";
        return switch (this) {
            case THROUGHPUT_UP ->
                    "Throughput up (client→target), "
                            + BenchOptions.humanBytes(o.bytes())
                            + " through one tunnel (GiB/s, "
                            + better
                            + ")";
            case THROUGHPUT_DOWN ->
                    "Throughput down (target→client), "
                            + BenchOptions.humanBytes(o.bytes())
                            + " through one tunnel (GiB/s, "
                            + better
                            + ")";
            case THROUGHPUT_PARALLEL ->
                    "Throughput up, "
                            + o.parallel()
                            + " tunnels at once, "
                            + BenchOptions.humanBytes(o.bytes())
                            + " in all (GiB/s aggregate, "
                            + better
                            + ")";
            case SETUP_RATE ->
                    "Set-up rate, "
                            + o.tunnels()
                            + " sequential tunnels (tunnels/s, "
                            + better
                            + ")";
            case CPU_UP_PER_GIB ->
                    "Proxy CPU per GiB relayed, throughput up (ms CPU/GiB, " + better + ")";
            case CPU_DOWN_PER_GIB ->
                    "Proxy CPU per GiB relayed, throughput down (ms CPU/GiB, " + better + ")";
            case CPU_PARALLEL_PER_GIB ->
                    "Proxy CPU per GiB relayed, "
                            + o.parallel()
                            + " tunnels at once (ms CPU/GiB, "
                            + better
                            + ")";
            case CPU_SETUP_PER_TUNNEL ->
                    "Proxy CPU per tunnel set up, sequential (µs CPU/tunnel, " + better + ")";
            case CPU_CONCURRENT_PER_TUNNEL ->
                    "Proxy CPU per tunnel set up, "
                            + o.concurrency()
                            + " threads (µs CPU/tunnel, "
                            + better
                            + ")";
            case COLD_FIRST_TUNNEL_MS ->
                    "Cold: process start to first tunnel served (ms, " + better + ")";
            case COLD_START_CPU_MS ->
                    "Cold: proxy CPU from start to first tunnel (ms CPU, " + better + ")";
            case COLD_RATE ->
                    "Cold: set-up rate, first "
                            + o.coldTunnels()
                            + " tunnels after start, sequential (tunnels/s, "
                            + better
                            + ")";
            case COLD_P50 ->
                    "Cold: set-up latency p50, first "
                            + o.coldTunnels()
                            + " tunnels (µs, "
                            + better
                            + ")";
            case COLD_P99 ->
                    "Cold: set-up latency p99, first "
                            + o.coldTunnels()
                            + " tunnels (µs, "
                            + better
                            + ")";
            case COLD_CPU_PER_TUNNEL ->
                    "Cold: proxy CPU per tunnel, first "
                            + o.coldTunnels()
                            + " tunnels (µs CPU/tunnel, "
                            + better
                            + ")";
            case SETUP_P50 -> "Set-up latency p50, sequential (µs, " + better + ")";
            case SETUP_P99 -> "Set-up latency p99, sequential (µs, " + better + ")";
            case CONCURRENT_RATE ->
                    "Set-up rate, "
                            + o.tunnels()
                            + " tunnels from "
                            + o.concurrency()
                            + " threads (tunnels/s, "
                            + better
                            + ")";
            case CONCURRENT_P50 ->
                    "Set-up latency p50, " + o.concurrency() + " threads (µs, " + better + ")";
            case CONCURRENT_P99 ->
                    "Set-up latency p99, " + o.concurrency() + " threads (µs, " + better + ")";
            case IDLE_RSS_KIB ->
                    "Resident memory per idle tunnel, "
                            + o.idleTunnels()
                            + " open (KiB RSS, "
                            + better
                            + ")";
            case IDLE_PSS_KIB ->
                    "Proportional memory per idle tunnel, "
                            + o.idleTunnels()
                            + " open (KiB PSS, "
                            + better
                            + ")";
            case WS_P50 -> "WebSocket echo p50, 64-byte messages (µs, " + better + ")";
            case WS_P99 -> "WebSocket echo p99, 64-byte messages (µs, " + better + ")";
        };
    }

    /** The bar's name inside its chart panel. */
    String series(BenchOptions o) {
        return switch (this) {
            case THROUGHPUT_UP -> "up";
            case THROUGHPUT_DOWN -> "down";
            case THROUGHPUT_PARALLEL, CPU_PARALLEL_PER_GIB -> o.parallel() + " parallel";
            case CPU_UP_PER_GIB -> "up";
            case CPU_DOWN_PER_GIB -> "down";
            case SETUP_RATE, SETUP_P50, SETUP_P99, CPU_SETUP_PER_TUNNEL -> "sequential";
            case CONCURRENT_RATE, CONCURRENT_P50, CONCURRENT_P99, CPU_CONCURRENT_PER_TUNNEL ->
                    o.concurrency() + " threads";
            case COLD_RATE, COLD_P50, COLD_P99, COLD_CPU_PER_TUNNEL ->
                    "cold, first " + o.coldTunnels();
            case COLD_FIRST_TUNNEL_MS -> "to first tunnel";
            case COLD_START_CPU_MS -> "CPU until then";
            case IDLE_RSS_KIB -> "RSS";
            case IDLE_PSS_KIB -> "PSS";
            case WS_P50 -> "p50";
            case WS_P99 -> "p99";
        };
    }

    String format(double value) {
        return String.format(Locale.ROOT, format, value);
    }
}
