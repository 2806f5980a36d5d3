package io.realmgate.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Side-by-side benchmark of a direct connection, the realmgate proxy (its shaded jar, own process)
 * and Apache httpd, Squid and tinyproxy as forward proxies: throughput both ways and over parallel
 * tunnels, sequential and concurrent tunnel set-up, memory per idle tunnel, WebSocket echo latency,
 * and the realm's fan-out. Everything is on 127.0.0.1; the target servers run in a child process.
 * See docs/benchmarks.md.
 */
public final class ProxyBench {
    /**
     * Connect and per-operation timeout: far above any sane loopback latency, low enough to notice
     * a hang.
     */
    static final int TIMEOUT_MS = 30_000;

    /** The figure groups the proxies are measured in. */
    private static final List<String> PROXY_FIGURES =
            List.of("throughput", "setup", "cold", "memory", "ws");

    private BenchOptions options;
    private final Cleanup cleanup;
    private final Notes notes = new Notes();

    private ProxyBench(BenchOptions options, Cleanup cleanup) {
        this.options = options;
        this.cleanup = cleanup;
    }

    public static void main(String[] args) {
        // The chart is drawn into an image; there is no display, and none is needed.
        System.setProperty("java.awt.headless", "true");
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
        // The proxies take part only in the proxy figures; the fan-out needs our proxy too.
        boolean proxyFigures = PROXY_FIGURES.stream().anyMatch(options::measures);
        boolean wantsOurs =
                (proxyFigures && options.peers().contains(Subject.REALMGATE)) || options.fanOut();
        if (wantsOurs && !Files.isRegularFile(options.proxyJar())) {
            System.err.println(
                    "realmgate-bench: proxy jar not found: "
                            + options.proxyJar()
                            + " ("
                            + RunningProxy.installHint(Subject.REALMGATE)
                            + ")");
            return 2;
        }
        CpuPinning pinning = CpuPinning.apply(options.pin());
        Notes.progress(pinning.description());
        ChildLaunch launch = ChildLaunch.of(pinning, options.idleTunnels());
        if (options.measures("memory") && options.idleTunnels() > launch.maxTunnels()) {
            // Every subject is measured at the same count, so the comparison stays side by side.
            notes.add(
                    "idle memory: "
                            + options.idleTunnels()
                            + " idle tunnels asked for, "
                            + launch.maxTunnels()
                            + " opened: the processes under test get "
                            + launch.describe()
                            + ", and a single-process proxy"
                            + " holds two descriptors per tunnel");
            options = options.withIdleTunnels(launch.maxTunnels());
        }
        List<String> proxies = new ArrayList<>();
        for (String name : proxyFigures ? options.peers() : List.<String>of()) {
            if (RunningProxy.installed(name, options.proxyJar())) {
                proxies.add(name);
            } else {
                notes.add(
                        name + ": not installed (" + RunningProxy.installHint(name) + "); skipped");
            }
        }
        // Made now so that it states when the run started.
        Report report = new Report(options, pinning, launch, proxies);
        RunDeadline.start(RunDeadline.forRun(options, 1 + proxies.size()));

        Watchdog watchdog = cleanup.add(new Watchdog(Duration.ofMillis(TIMEOUT_MS)));
        TargetsProcess targets = cleanup.add(TargetsProcess.start(launch));
        // Every proxy is sized for the idle tunnels plus what the concurrent and parallel runs
        // hold.
        int sizedFor = options.idleTunnels() + options.concurrency() + options.parallel() + 64;
        List<Subject> subjects = new ArrayList<>(List.of(Subject.direct()));
        List<RunningProxy> running = new ArrayList<>();
        for (String name : proxies) {
            Notes.progress("starting " + name);
            try {
                RunningProxy p =
                        cleanup.add(
                                RunningProxy.start(
                                        name,
                                        options.proxyJar(),
                                        targets.ports(),
                                        launch,
                                        sizedFor));
                running.add(p);
                subjects.add(p.subject());
            } catch (Exception e) {
                notes.add(name + ": did not start, skipped: " + Notes.firstLine(e.getMessage()));
            }
        }
        if (proxyFigures
                && options.peers().contains(Subject.REALMGATE)
                && running.stream().noneMatch(p -> p.name().equals(Subject.REALMGATE))) {
            System.err.println(
                    "realmgate-bench: the realmgate proxy did not start; see the note above");
            return 1;
        }

        Measurements measurements =
                new Measurements(
                        options,
                        targets,
                        watchdog,
                        notes,
                        cleanup,
                        name ->
                                RunningProxy.start(
                                        name,
                                        options.proxyJar(),
                                        targets.ports(),
                                        launch,
                                        sizedFor),
                        running.stream()
                                .collect(Collectors.toMap(RunningProxy::name, RunningProxy::pid)));
        Results results = measurements.run(subjects);

        // What the proxies said about themselves; read before cleanup removes the peers'
        // directories.
        for (RunningProxy p : running) {
            List<String> lines = p.troubleLines();
            if (!lines.isEmpty()) {
                notes.add(
                        p.name()
                                + ": "
                                + lines.size()
                                + " log line(s) at warning or above; first: "
                                + lines.get(0));
            }
        }
        List<String> targetTrouble = targets.troubleLines();
        if (!targetTrouble.isEmpty()) {
            notes.add(
                    "targets: "
                            + targetTrouble.size()
                            + " line(s) in "
                            + targets.log()
                            + "; first: "
                            + targetTrouble.get(0));
        }
        String fanOut = options.fanOut() ? FanOutSection.run(options, launch, notes) : "";
        if (options.measures(PeerFanOutSection.GROUP)) {
            fanOut += PeerFanOutSection.run(options, launch, notes);
        }

        List<String> names = subjects.stream().map(Subject::name).toList();
        String markdown = report.markdown(results, names, notes.all(), fanOut);
        System.out.print(markdown);
        if (options.out() != null) {
            Files.writeString(options.out(), markdown, StandardCharsets.UTF_8);
            Notes.progress("wrote " + options.out());
        }
        if (options.outDir() != null) {
            Files.createDirectories(options.outDir());
            Path md = options.outDir().resolve("results.md");
            Path png = options.outDir().resolve("results.png");
            Files.writeString(md, markdown, StandardCharsets.UTF_8);
            ChartPng.write(results, names, options, report.title(), report.header(), png);
            Notes.progress("wrote " + md + " and " + png);
        }
        return results.anyFailure() ? 1 : 0;
    }
}
