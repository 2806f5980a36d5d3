package io.realmgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Markdown report: how the run was made, the table, the notes; and the lines the chart repeats.
 */
final class Report {
    private final BenchOptions o;
    private final CpuPinning pinning;
    private final ChildLaunch launch;
    private final List<String> proxies;
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    Report(BenchOptions o, CpuPinning pinning, ChildLaunch launch, List<String> proxies) {
        this.o = o;
        this.pinning = pinning;
        this.launch = launch;
        this.proxies = proxies;
    }

    String title() {
        return "Realmgate benchmark" + (o.quick() ? " (--quick: smoke sizes, noisy)" : "");
    }

    String markdown(Results results, List<String> subjects, List<String> notes, String fanOut) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## ").append(title()).append("\n\n");
        for (String line : header()) {
            sb.append(line).append('\n');
        }
        sb.append('\n').append(ReportTable.render(results, subjects, o));
        sb.append(
                "\nRatios are of medians; for latency, memory, CPU and time-to-first-tunnel rows above 1×"
                        + " means more (worse) than the reference. CPU is the proxy's (its whole process"
                        + " tree, user + system, from /proc) over each counted run. Definitions: docs/benchmarks.md, \"What it measures\".\n");
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n");
            notes.forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        return sb.append(fanOut).toString();
    }

    /** Run conditions, one sentence a line; the chart's legend cell shows the same. */
    List<String> header() {
        List<String> lines = new ArrayList<>();
        lines.add(
                "Run "
                        + started
                        + ". Machine: "
                        + pinning.machineCpus()
                        + " CPUs ("
                        + cpuModel()
                        + "), "
                        + System.getProperty("os.name")
                        + ' '
                        + System.getProperty("os.version")
                        + ", Java "
                        + System.getProperty("java.version")
                        + ".");
        lines.add(
                "CPUs: "
                        + pinning.description()
                        + ". Processes under test: "
                        + launch.describe()
                        + ".");
        List<String> versions = new ArrayList<>();
        for (String p : proxies) {
            versions.add(p + " " + version(p));
        }
        if (!versions.isEmpty()) {
            lines.add("Proxies: " + String.join("; ", versions) + ".");
        }
        lines.add(
                "Sizes: "
                        + BenchOptions.humanBytes(o.bytes())
                        + " each way per single-tunnel run; "
                        + o.parallel()
                        + " parallel tunnels of "
                        + BenchOptions.humanBytes(o.bytes() / o.parallel())
                        + " each (upload); "
                        + o.tunnels()
                        + " tunnels per set-up run (sequential, and from "
                        + o.concurrency()
                        + " threads); "
                        + (o.measures("cold")
                                ? o.coldTunnels()
                                        + " tunnels after a fresh proxy's first (cold, no"
                                        + " warm-up of the proxy); "
                                : "")
                        + o.idleTunnels()
                        + " idle tunnels; "
                        + o.wsMessages()
                        + " WebSocket round trips of "
                        + WebSocketEchoRun.MESSAGE_BYTES
                        + " bytes (plain ws, no TLS).");
        lines.add(
                o.repeat()
                        + " measured repeat(s) per figure and subject, round-robin, after two warm-up passes per "
                        + "subject; median (min–max) of the repeats.");
        return lines;
    }

    private static String version(String proxy) {
        List<String> command =
                switch (proxy) {
                    case Subject.APACHE -> List.of("/usr/sbin/apache2", "-v");
                    case Subject.SQUID -> List.of("/usr/sbin/squid", "-v");
                    case Subject.TINYPROXY -> List.of("/usr/bin/tinyproxy", "-v");
                    case Subject.CEILING -> List.of(CeilingRelay.GCC.toString(), "--version");
                    default -> null;
                };
        if (command == null) {
            return "(this build's proxy jar)";
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readNBytes(4096)).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            p.destroyForcibly();
            String first = out.lines().findFirst().orElse("?");
            if (proxy.equals(Subject.CEILING)) {
                return "(bench/ceiling/tunnel-relay.c, built by " + first + ")";
            }
            // "Server version: Apache/2.4.62 (Debian)", "Squid Cache: Version 5.7", "tinyproxy
            // 1.11.1"
            return first.replaceFirst("^Server version: ", "").replaceFirst("^Squid Cache: ", "");
        } catch (IOException e) {
            return "(version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(version unknown)";
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }
}
