package io.realmgate.bench;

import io.realmgate.tests.peers.ApacheForwardProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Side-by-side benchmark of a direct connection, the realmgate proxy (its shaded jar, own process)
 * and Apache httpd as a forward proxy: single-tunnel throughput and sequential tunnel set-up.
 * Everything is on 127.0.0.1; the servers at the far end are in this JVM. See docs/benchmarks.md.
 */
public final class ProxyBench {
    /** Connect and per-operation timeout: far above any sane loopback latency, low enough to notice a hang. */
    static final int TIMEOUT_MS = 30_000;

    /** Enough for the JIT to compile the hot paths of the proxy and of this client; not counted. */
    private static final long WARM_UP_BYTES = 256 * BenchOptions.MIB;
    /**
     * Enough tunnels for the JIT to compile the proxy's per-connection path (a method is compiled
     * fully after about ten thousand calls): a long-running proxy is measured at its steady state,
     * not while its set-up code is still interpreted. Every subject gets the same warm-up.
     */
    private static final int WARM_UP_TUNNELS = 12_000;

    /** Apache's error log level field, e.g. {@code [proxy:error]}. */
    private static final Pattern APACHE_TROUBLE = Pattern.compile("\\[[a-z_]+:(warn|error|crit|alert|emerg)\\]");

    private final BenchOptions options;
    private final Cleanup cleanup;
    private final List<String> notes = new ArrayList<>();

    private ProxyBench(BenchOptions options, Cleanup cleanup) {
        this.options = options;
        this.cleanup = cleanup;
    }

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            System.err.println("realmgate-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        Cleanup cleanup = new Cleanup();
        cleanup.installShutdownHook();
        int code;
        try {
            code = new ProxyBench(options, cleanup).run();
        } catch (Exception e) {
            System.err.println("realmgate-bench: " + e);
            code = 1;
        } finally {
            cleanup.closeAll();
        }
        System.exit(code);
    }

    private int run() throws Exception {
        if (!Files.isRegularFile(options.proxyJar())) {
            System.err.println("realmgate-bench: proxy jar not found: " + options.proxyJar()
                    + " (build it: ./mvnw -o -q -pl proxy-image -am package -DskipTests)");
            return 2;
        }
        boolean apacheInstalled = ApacheForwardProxy.available();
        RunDeadline.start(RunDeadline.forRun(options, apacheInstalled ? 3 : 2));

        Watchdog watchdog = cleanup.add(new Watchdog(Duration.ofMillis(TIMEOUT_MS)));
        SinkServer sink = cleanup.add(new SinkServer(watchdog));
        EchoTarget echo = cleanup.add(new EchoTarget());
        List<Integer> targetPorts = List.of(sink.address().getPort(), echo.address().getPort());

        List<Subject> subjects = new ArrayList<>();
        subjects.add(Subject.direct());
        progress("starting realmgate from " + options.proxyJar());
        RealmgateProcess realmgate = cleanup.add(RealmgateProcess.start(options.proxyJar(), targetPorts));
        subjects.add(new Subject(Subject.REALMGATE, realmgate.address()));
        ApacheForwardProxy apache = startApache(apacheInstalled, targetPorts);
        if (apache != null) {
            subjects.add(new Subject(Subject.APACHE, apache.address()));
        }

        Results results = measureAll(subjects, new ThroughputRun(sink, watchdog), new SetupRun(echo.address()));

        reportProxyHealth(realmgate, apache);
        String fanOut = options.fanOut() ? fanOut() : "";
        String report = report(results) + fanOut;
        System.out.print(report);
        if (options.out() != null) {
            Files.writeString(options.out(), report, StandardCharsets.UTF_8);
            progress("wrote " + options.out());
        }
        return results.anyFailure() ? 1 : 0;
    }

    /**
     * The realm's fan-out: 1 publisher to 1, 100 and 1,000 subscribers, direct and through a proxy
     * process that allows CONNECT only to the realm's wss port. Its own table, since the peers do
     * not take part.
     */
    private String fanOut() {
        if (!Files.isRegularFile(options.realmJar())) {
            note("fan-out: realm jar not found: " + options.realmJar() + "; skipped");
            return "";
        }
        StringBuilder sb = new StringBuilder("\n### Realm fan-out (1 publisher, N subscribers, wss)\n\n")
                .append("| Subscribers | Path | Events/s delivered | p50 latency (µs) | p99 latency (µs) | events/s vs direct |\n")
                .append("|---:|---|---:|---:|---:|---:|\n");
        try (RealmProcess realm = RealmProcess.start(options.realmJar());
             RealmgateProcess proxy = RealmgateProcess.start(options.proxyJar(), realm.ports())) {
            FanOutRun run = new FanOutRun(realm.wssAddress(), options.fanOutSeconds());
            progress("fan-out warm-up");
            run.measure(10, null, "warm-up-direct");
            run.measure(10, proxy.address(), "warm-up-proxy");
            for (int n : new int[] {1, 100, 1000}) {
                FanOutRun.Result direct = run.measure(n, null, "fanout-" + n + "-direct");
                progress(String.format("fan-out %4d direct %,.0f events/s", n, direct.eventsPerSecond()));
                FanOutRun.Result proxied = run.measure(n, proxy.address(), "fanout-" + n + "-proxy");
                progress(String.format("fan-out %4d proxy  %,.0f events/s", n, proxied.eventsPerSecond()));
                sb.append(String.format(java.util.Locale.ROOT, "| %d | direct | %.0f | %.0f | %.0f | 1.00× |%n",
                        n, direct.eventsPerSecond(), direct.p50Micros(), direct.p99Micros()));
                sb.append(String.format(java.util.Locale.ROOT, "| %d | realmgate | %.0f | %.0f | %.0f | %.2f× |%n",
                        n, proxied.eventsPerSecond(), proxied.p50Micros(), proxied.p99Micros(),
                        proxied.eventsPerSecond() / Math.max(1, direct.eventsPerSecond())));
            }
            sb.append("\nEvents/s: the publisher goes as fast as acknowledgements allow (64 in flight) for ")
                    .append(options.fanOutSeconds()).append(" s; latency: publish to delivery at 200 publishes/s.\n");
        } catch (Exception e) {
            note("fan-out failed: " + firstLine(String.valueOf(e.getMessage())));
        }
        return sb.toString();
    }

    private ApacheForwardProxy startApache(boolean installed, List<Integer> targetPorts) {
        if (!installed) {
            note("apache: not installed (needs /usr/sbin/apache2 and mod_proxy_connect: apt-get install apache2); skipped");
            return null;
        }
        progress("starting apache");
        try {
            // The reference scenario: ProxyRequests On, ProxyVia On, AllowCONNECT the target ports,
            // Require ip 127.0.0.1, event MPM, 150 workers.
            return cleanup.add(ApacheForwardProxy.start(
                    new ApacheForwardProxy.Settings(targetPorts, List.of("127.0.0.1"), true, 150)));
        } catch (Exception e) {
            note("apache: did not start, skipped: " + firstLine(e.getMessage()));
            return null;
        }
    }

    /**
     * All proxies stay up for the whole run and the repeats go round the subjects in turn, so a
     * slow spell on this shared machine lands on every subject rather than on one.
     */
    private Results measureAll(List<Subject> subjects, ThroughputRun throughput, SetupRun setup) {
        Results results = new Results();
        subjects.forEach(s -> results.addSubject(s.name()));
        for (Subject s : subjects) {
            progress("warm-up " + s.name());
            try {
                throughput.measure(s, Math.min(options.bytes(), WARM_UP_BYTES));
                setup.measure(s, options.quick() ? Math.min(options.tunnels(), 500) : WARM_UP_TUNNELS);
            } catch (IOException e) {
                note(s.name() + ": warm-up failed: " + e.getMessage());
            }
        }
        // A failed run is counted and noted, and the next repeat still runs: one lost reply should
        // not hide the numbers of the runs that worked, nor should it go unreported.
        for (int r = 1; r <= options.repeat(); r++) {
            for (Subject s : subjects) {
                try {
                    double gibPerSecond = throughput.measure(s, options.bytes());
                    results.add(s.name(), Figure.THROUGHPUT, gibPerSecond);
                    progress(String.format("[%d/%d] throughput %-9s %.2f GiB/s", r, options.repeat(), s.name(), gibPerSecond));
                } catch (IOException e) {
                    fail(results, s, r, "throughput", e, Figure.THROUGHPUT);
                }
            }
            for (Subject s : subjects) {
                try {
                    SetupRun.Result x = setup.measure(s, options.tunnels());
                    results.add(s.name(), Figure.SETUP_RATE, x.perSecond());
                    results.add(s.name(), Figure.SETUP_P50, x.p50Micros());
                    results.add(s.name(), Figure.SETUP_P99, x.p99Micros());
                    progress(String.format("[%d/%d] set-up     %-9s %.0f tunnels/s, p50 %.0f µs, p99 %.0f µs",
                            r, options.repeat(), s.name(), x.perSecond(), x.p50Micros(), x.p99Micros()));
                } catch (IOException e) {
                    fail(results, s, r, "set-up", e, Figure.SETUP_RATE, Figure.SETUP_P50, Figure.SETUP_P99);
                }
            }
        }
        return results;
    }

    private void fail(Results results, Subject s, int repeat, String what, IOException e, Figure... figures) {
        for (Figure f : figures) {
            results.fail(s.name(), f);
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        note(s.name() + ": " + what + " run " + repeat + " of " + options.repeat() + " failed: " + message);
    }

    /** What the proxies said about themselves; read before cleanup removes Apache's directory. */
    private void reportProxyHealth(RealmgateProcess realmgate, ApacheForwardProxy apache) {
        if (!realmgate.alive()) {
            note("realmgate: the proxy process exited during the run");
        }
        List<String> lines = realmgate.logLines();
        if (!lines.isEmpty()) {
            note("realmgate: " + lines.size() + " log line(s) at WARN or above, kept in " + realmgate.log()
                    + "; first: " + lines.get(0));
        }
        if (apache != null) {
            // Its error log always holds start-up notices; only warnings and worse are worth a note.
            List<String> apacheLines = apache.logs().lines().filter(l -> APACHE_TROUBLE.matcher(l).find()).toList();
            if (!apacheLines.isEmpty()) {
                note("apache: " + apacheLines.size() + " log line(s) at warn or above; first: " + apacheLines.get(0));
            }
        }
    }

    private String report(Results results) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## Realmgate benchmark\n\n");
        sb.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (")
                .append(cpuModel()).append("), ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(", Java ").append(System.getProperty("java.version"))
                .append(". No CPU pinning.\n");
        sb.append("Runs: ").append(BenchOptions.humanBytes(options.bytes())).append(" per throughput run, ")
                .append(options.tunnels()).append(" tunnels per set-up run, ").append(options.repeat())
                .append(" measured repeat(s) after one warm-up per subject; median (min–max) of the repeats.\n\n");
        sb.append(ReportTable.render(results, options));
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n");
            notes.forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        return sb.toString();
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    private void note(String text) {
        notes.add(text);
        progress("note: " + text);
    }

    /** Progress goes to stderr so stdout carries only the report. */
    private static void progress(String text) {
        System.err.println("bench: " + text);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
