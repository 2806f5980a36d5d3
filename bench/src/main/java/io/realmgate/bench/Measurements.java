package io.realmgate.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measured runs, round-robin: every figure goes round all subjects in turn, and a repeat does
 * every figure before the next repeat begins, so a slow spell on this shared machine lands on all
 * subjects rather than on one. Every subject gets the same uncounted warm-up first.
 */
final class Measurements {
    /** Enough for the JIT to compile the hot paths of the proxy and of this client; not counted. */
    private static final long WARM_UP_BYTES = 256 * BenchOptions.MIB;

    /**
     * Enough tunnels for the JIT to compile the proxy's per-connection path with C2: HotSpot's
     * tiered policy moves a method called once per tunnel to C2 only after about 15,000 calls
     * (Tier4CompileThreshold), later while the compile queue is long. With 12,000 the C2 compiles
     * of the set-up path (FrontendHandler.startTunnel 88 ms, TargetGate.admit 50 ms, ...) landed in
     * the second counted repeat and, on the JVM's one CPU, gave it a 3.4 ms p99 (JIT log,
     * docs/benchmarks.md). The echo target's JVM needs the same. A long-running proxy is measured
     * at its steady state. Every subject gets the same warm-up.
     */
    private static final int WARM_UP_TUNNELS = 30_000;

    /** Pause before each figure's round of the subjects; see {@link #each}. */
    private static final long SETTLE_MS = 1000;

    /**
     * Uncounted WebSocket round trips per subject in the warm-up, beside the other figures'
     * warm-ups.
     */
    private static final int WS_SUBJECT_WARM_UP = 10_000;

    /** Pause between the warm-ups and the first counted run. */
    private static final long WARM_UP_SETTLE_MS = 3000;

    /** Uncounted WebSocket round trips on the same connection before the counted ones. */
    private static final int WS_WARM_UP = 2000;

    /**
     * Starts a fresh proxy of the given kind, sized for the idle tunnels (the memory figure's own
     * instance).
     */
    interface ProxyStarter {
        RunningProxy start(String name) throws Exception;
    }

    private final BenchOptions o;
    private final TargetsProcess targets;
    private final Watchdog watchdog;
    private final Notes notes;
    private final Cleanup cleanup;
    private final ProxyStarter starter;

    /** The long-running proxies' process ids by subject name, for their CPU; direct has none. */
    private final Map<String, Long> pids;

    private final long ticksPerSecond = ProcStat.ticksPerSecond();

    Measurements(
            BenchOptions o,
            TargetsProcess targets,
            Watchdog watchdog,
            Notes notes,
            Cleanup cleanup,
            ProxyStarter starter,
            Map<String, Long> pids) {
        this.o = o;
        this.targets = targets;
        this.watchdog = watchdog;
        this.notes = notes;
        this.cleanup = cleanup;
        this.starter = starter;
        this.pids = Map.copyOf(pids);
    }

    /** A measurement of one subject that records its samples or throws. */
    private interface Run {
        void measure(Subject s) throws Exception;
    }

    /** One counted run whose result is recorded after the proxy's CPU over it is read. */
    private interface Counted<T> {
        T run() throws Exception;
    }

    Results run(List<Subject> subjects) {
        Results results = new Results();
        subjects.forEach(s -> results.addSubject(s.name()));
        ThroughputRun up = new ThroughputRun(targets.sink(), watchdog);
        DownloadRun down = new DownloadRun(targets.source(), watchdog);
        SetupRun setup = new SetupRun(targets.echo());
        WebSocketEchoRun ws = new WebSocketEchoRun(targets.webSocket());
        ColdStartRun cold = new ColdStartRun(targets.echo());
        try (ParallelThroughputRun parallel =
                        new ParallelThroughputRun(targets.sink(), watchdog, o.parallel());
                ConcurrentSetupRun concurrent =
                        new ConcurrentSetupRun(targets.echo(), o.concurrency());
                IdleMemoryRun idle = new IdleMemoryRun(targets.echo())) {
            // Two warm-up passes over all subjects. After the first, each proxy sits idle while the
            // others
            // warm up, and HotSpot throws away the C2 code of Netty's event loop
            // (EpollIoHandler.run,
            // processReady) at the first branch that busy traffic never took; without a second pass
            // the
            // recompile landed in the first counted repeat (JIT log: deoptimised 1 s after our
            // warm-up,
            // recompiled inside repeat 1, whose sequential set-up p99 was 2.7 ms against 0.47-0.58
            // ms in
            // repeats 2-5). The second pass runs with that branch in the profile, as a proxy that
            // has seen
            // both busy and quiet spells does.
            for (int pass = 1; pass <= 2; pass++) {
                if (pass == 2) {
                    // Every proxy idle for a moment, whatever the number of subjects.
                    sleep(WARM_UP_SETTLE_MS);
                }
                for (Subject s : subjects) {
                    Notes.progress("warm-up " + pass + "/2 " + s.name());
                    warmUp(s, pass == 1 ? 1 : 4, up, down, setup, concurrent, ws);
                }
            }
            // The JIT compiles in the background, and in a JVM pinned to one CPU (the proxy's, the
            // targets') that competes with the serving threads: without this pause the first
            // counted
            // runs (direct's, mostly) caught the end of it (WebSocket p99 1.4-2 ms instead of ~90
            // µs).
            sleep(WARM_UP_SETTLE_MS);
            // A failed run is counted and noted, and the next one still runs: one lost reply should
            // not hide the numbers of the runs that worked, nor should it go unreported. The round
            // starts one subject later each repeat, so no subject is always first or last.
            for (int r = 1; r <= o.repeat(); r++) {
                int rep = r;
                if (o.measures("throughput")) {
                    each(
                            subjects,
                            results,
                            rep,
                            "throughput up",
                            s ->
                                    record(
                                            results,
                                            s,
                                            rep,
                                            Figure.THROUGHPUT_UP,
                                            withCpu(
                                                    results,
                                                    s,
                                                    rep,
                                                    Figure.CPU_UP_PER_GIB,
                                                    (double) o.bytes() / BenchOptions.GIB,
                                                    1e3,
                                                    () -> up.measure(s, o.bytes())),
                                            "GiB/s"),
                            Figure.THROUGHPUT_UP,
                            Figure.CPU_UP_PER_GIB);
                    each(
                            subjects,
                            results,
                            rep,
                            "throughput down",
                            s ->
                                    record(
                                            results,
                                            s,
                                            rep,
                                            Figure.THROUGHPUT_DOWN,
                                            withCpu(
                                                    results,
                                                    s,
                                                    rep,
                                                    Figure.CPU_DOWN_PER_GIB,
                                                    (double) o.bytes() / BenchOptions.GIB,
                                                    1e3,
                                                    () -> down.measure(s, o.bytes())),
                                            "GiB/s"),
                            Figure.THROUGHPUT_DOWN,
                            Figure.CPU_DOWN_PER_GIB);
                    each(
                            subjects,
                            results,
                            rep,
                            "throughput parallel",
                            s ->
                                    record(
                                            results,
                                            s,
                                            rep,
                                            Figure.THROUGHPUT_PARALLEL,
                                            withCpu(
                                                    results,
                                                    s,
                                                    rep,
                                                    Figure.CPU_PARALLEL_PER_GIB,
                                                    (double) o.bytes() / BenchOptions.GIB,
                                                    1e3,
                                                    () -> parallel.measure(s, o.bytes())),
                                            "GiB/s"),
                            Figure.THROUGHPUT_PARALLEL,
                            Figure.CPU_PARALLEL_PER_GIB);
                }
                if (o.measures("setup")) {
                    each(
                            subjects,
                            results,
                            rep,
                            "sequential set-up",
                            s ->
                                    setupResult(
                                            results,
                                            s,
                                            rep,
                                            "sequential",
                                            withCpu(
                                                    results,
                                                    s,
                                                    rep,
                                                    Figure.CPU_SETUP_PER_TUNNEL,
                                                    o.tunnels(),
                                                    1e6,
                                                    () -> setup.measure(s, o.tunnels())),
                                            Figure.SETUP_RATE,
                                            Figure.SETUP_P50,
                                            Figure.SETUP_P99),
                            Figure.SETUP_RATE,
                            Figure.SETUP_P50,
                            Figure.SETUP_P99,
                            Figure.CPU_SETUP_PER_TUNNEL);
                    each(
                            subjects,
                            results,
                            rep,
                            "concurrent set-up",
                            s ->
                                    setupResult(
                                            results,
                                            s,
                                            rep,
                                            "concurrent",
                                            withCpu(
                                                    results,
                                                    s,
                                                    rep,
                                                    Figure.CPU_CONCURRENT_PER_TUNNEL,
                                                    o.tunnels(),
                                                    1e6,
                                                    () -> concurrent.measure(s, o.tunnels())),
                                            Figure.CONCURRENT_RATE,
                                            Figure.CONCURRENT_P50,
                                            Figure.CONCURRENT_P99),
                            Figure.CONCURRENT_RATE,
                            Figure.CONCURRENT_P50,
                            Figure.CONCURRENT_P99,
                            Figure.CPU_CONCURRENT_PER_TUNNEL);
                }
                if (o.measures("cold")) {
                    each(
                            subjects.stream().filter(Subject::proxied).toList(),
                            results,
                            rep,
                            "cold start",
                            s -> coldStart(results, s, rep, cold),
                            Figure.COLD_FIRST_TUNNEL_MS,
                            Figure.COLD_START_CPU_MS,
                            Figure.COLD_RATE,
                            Figure.COLD_P50,
                            Figure.COLD_P99,
                            Figure.COLD_CPU_PER_TUNNEL);
                }
                if (o.measures("ws")) {
                    each(
                            subjects,
                            results,
                            rep,
                            "WebSocket echo",
                            s -> {
                                WebSocketEchoRun.Result x =
                                        ws.measure(s, WS_WARM_UP, o.wsMessages());
                                results.add(s.name(), Figure.WS_P50, x.p50Micros());
                                results.add(s.name(), Figure.WS_P99, x.p99Micros());
                                progress(
                                        rep,
                                        "ws echo",
                                        s,
                                        String.format(
                                                Locale.ROOT,
                                                "p50 %.0f µs, p99 %.0f µs",
                                                x.p50Micros(),
                                                x.p99Micros()));
                            },
                            Figure.WS_P50,
                            Figure.WS_P99);
                }
                if (o.measures("memory")) {
                    // The ceiling relay holds a thread per tunnel: it bounds speed, not memory.
                    List<Subject> proxies =
                            subjects.stream()
                                    .filter(s -> s.proxied() && !s.name().equals(Subject.CEILING))
                                    .toList();
                    each(
                            proxies,
                            results,
                            rep,
                            "idle memory",
                            s -> idleMemory(results, s, rep, setup, up, idle),
                            Figure.IDLE_RSS_KIB,
                            Figure.IDLE_PSS_KIB);
                }
            }
        }
        return results;
    }

    /** One uncounted run of each measured kind; {@code divisor} shrinks it for the second pass. */
    private void warmUp(
            Subject s,
            int divisor,
            ThroughputRun up,
            DownloadRun down,
            SetupRun setup,
            ConcurrentSetupRun concurrent,
            WebSocketEchoRun ws) {
        try {
            if (o.measures("throughput")) {
                up.measure(s, Math.min(o.bytes(), WARM_UP_BYTES / divisor));
                down.measure(s, Math.min(o.bytes(), WARM_UP_BYTES / divisor));
            }
            // The cold figure needs this client's set-up path and the echo target warm: only the
            // fresh proxy is to be cold.
            if (o.measures("setup") || o.measures("ws") || o.measures("cold")) {
                setup.measure(
                        s, (o.quick() ? Math.min(o.tunnels(), 500) : WARM_UP_TUNNELS) / divisor);
            }
            if (o.measures("setup")) {
                concurrent.measure(s, Math.min(o.tunnels(), 1000) / divisor);
            }
            if (o.measures("ws")) {
                // Also compiles the echo server's WebSocket path before the first counted run.
                ws.measure(s, WS_SUBJECT_WARM_UP / divisor, 1);
            }
        } catch (IOException e) {
            notes.add(s.name() + ": warm-up failed: " + e.getMessage());
        }
    }

    /**
     * One figure for every subject. The order turns by one subject each repeat, and a pause comes
     * first: the previous figure's connections are still being torn down (closing tunnels in the
     * proxies, TIME_WAIT, garbage in the targets JVM), and without the pause that work landed on
     * whichever subject came first (direct's WebSocket p99 went from about 110 µs to 190 µs after
     * the concurrent set-up here).
     */
    private void each(
            List<Subject> subjects,
            Results results,
            int rep,
            String what,
            Run run,
            Figure... figures) {
        sleep(SETTLE_MS);
        List<Subject> order = new ArrayList<>(subjects);
        Collections.rotate(order, -(rep - 1));
        for (Subject s : order) {
            try {
                run.measure(s);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (Exception e) {
                for (Figure f : figures) {
                    // Direct has no proxy process: a failed direct run has no CPU figure to miss.
                    if (s.proxied() || !f.ofProxyProcess()) {
                        results.fail(s.name(), f);
                    }
                }
                String message = e.getMessage() != null ? e.getMessage() : e.toString();
                notes.add(
                        s.name()
                                + ": "
                                + what
                                + " run "
                                + rep
                                + " of "
                                + o.repeat()
                                + " failed: "
                                + message);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Runs one counted run and, for a proxy, records its CPU over the run (the whole process tree,
     * from /proc) per unit of work: µs per tunnel ({@code scale} 1e6) or ms per GiB (1e3). Read
     * right before and right after, so the figure is what the run cost the proxy; direct has no
     * proxy.
     */
    private <T> T withCpu(
            Results results,
            Subject s,
            int rep,
            Figure cpu,
            double units,
            double scale,
            Counted<T> run)
            throws Exception {
        Long pid = pids.get(s.name());
        if (pid == null) {
            return run.run();
        }
        long before = ProcStat.cpuTicksOfTree(pid);
        T result = run.run();
        long after = ProcStat.cpuTicksOfTree(pid);
        double value = ProcStat.perUnit(before, after, ticksPerSecond, units, scale);
        results.add(s.name(), cpu, value);
        progress(
                rep,
                cpu.series(o) + " CPU",
                s,
                cpu.format(value) + (scale == 1e6 ? " µs/tunnel" : " ms/GiB"));
        return result;
    }

    /**
     * A fresh instance per repeat, started exactly as the long-running ones (the same launch), met
     * with no warm-up of its own.
     */
    private void coldStart(Results results, Subject s, int rep, ColdStartRun cold)
            throws Exception {
        ColdStartRun.Result x =
                cold.measure(() -> cleanup.add(starter.start(s.name())), o.coldTunnels());
        results.add(s.name(), Figure.COLD_FIRST_TUNNEL_MS, x.firstTunnelMillis());
        results.add(s.name(), Figure.COLD_START_CPU_MS, x.startCpuMillis());
        results.add(s.name(), Figure.COLD_RATE, x.tunnels().perSecond());
        results.add(s.name(), Figure.COLD_P50, x.tunnels().p50Micros());
        results.add(s.name(), Figure.COLD_P99, x.tunnels().p99Micros());
        results.add(s.name(), Figure.COLD_CPU_PER_TUNNEL, x.cpuMicrosPerTunnel());
        progress(
                rep,
                "cold start",
                s,
                String.format(
                        Locale.ROOT,
                        "first tunnel %.0f ms after start (%d attempt(s), %.0f ms CPU); first %d:"
                                + " %.0f tunnels/s, p50 %.0f µs, p99 %.0f µs, CPU %.0f µs/tunnel",
                        x.firstTunnelMillis(),
                        x.attempts(),
                        x.startCpuMillis(),
                        o.coldTunnels(),
                        x.tunnels().perSecond(),
                        x.tunnels().p50Micros(),
                        x.tunnels().p99Micros(),
                        x.cpuMicrosPerTunnel()));
        if (x.attempts() > 1) {
            notes.add(
                    s.name()
                            + ": cold start run "
                            + rep
                            + ": listening before serving, the first tunnel worked at attempt "
                            + x.attempts());
        }
    }

    private void record(Results results, Subject s, int rep, Figure f, double value, String unit) {
        results.add(s.name(), f, value);
        progress(rep, f.series(o), s, f.format(value) + " " + unit);
    }

    private void setupResult(
            Results results,
            Subject s,
            int rep,
            String what,
            SetupRun.Result x,
            Figure rate,
            Figure p50,
            Figure p99) {
        results.add(s.name(), rate, x.perSecond());
        results.add(s.name(), p50, x.p50Micros());
        results.add(s.name(), p99, x.p99Micros());
        progress(
                rep,
                what,
                s,
                String.format(
                        Locale.ROOT,
                        "%.0f tunnels/s, p50 %.0f µs, p99 %.0f µs",
                        x.perSecond(),
                        x.p50Micros(),
                        x.p99Micros()));
    }

    /**
     * A fresh instance per repeat, so every repeat measures the same thing (a JVM's heap or
     * Apache's children, once grown, would otherwise be in the next "without" reading). It gets a
     * small warm-up of the same traffic as the long-running instances, so the "without" reading is
     * of a proxy that has served, not of one just started.
     */
    private void idleMemory(
            Results results,
            Subject s,
            int rep,
            SetupRun setup,
            ThroughputRun up,
            IdleMemoryRun idle)
            throws Exception {
        RunningProxy fresh = cleanup.add(starter.start(s.name()));
        try {
            Subject f = fresh.subject();
            setup.measure(f, Math.min(o.tunnels(), 2000));
            up.measure(f, Math.min(o.bytes(), 64 * BenchOptions.MIB));
            Thread.sleep(1000);
            IdleMemoryRun.Result x = idle.measure(f, fresh.pid(), o.idleTunnels());
            results.add(s.name(), Figure.IDLE_RSS_KIB, x.rssKiBPerTunnel());
            if (!Double.isNaN(x.pssKiBPerTunnel())) {
                results.add(s.name(), Figure.IDLE_PSS_KIB, x.pssKiBPerTunnel());
            }
            progress(
                    rep,
                    "idle memory",
                    s,
                    String.format(
                            Locale.ROOT,
                            "%d tunnels held, RSS %d → %d KiB over %d → %d process(es): %.1f KiB/tunnel (PSS %.1f)",
                            x.held(),
                            x.without().rssKiB(),
                            x.with().rssKiB(),
                            x.without().processes(),
                            x.with().processes(),
                            x.rssKiBPerTunnel(),
                            x.pssKiBPerTunnel()));
            if (x.held() < x.wanted()) {
                notes.add(
                        s.name()
                                + ": idle memory run "
                                + rep
                                + " held only "
                                + x.held()
                                + " of "
                                + x.wanted()
                                + " tunnels (first failure: "
                                + x.firstFailure()
                                + "); its figure is per tunnel held");
            }
            if (x.aliveAfter() < x.held()) {
                notes.add(
                        s.name()
                                + ": idle memory run "
                                + rep
                                + ": "
                                + (x.held() - x.aliveAfter())
                                + " of "
                                + x.held()
                                + " tunnels no longer echoed after the reading (closed by the proxy while idle)");
            }
            fresh.troubleLines().stream()
                    .findFirst()
                    .ifPresent(
                            l ->
                                    notes.add(
                                            s.name()
                                                    + " (idle-memory instance, run "
                                                    + rep
                                                    + "): logged: "
                                                    + l));
        } finally {
            fresh.close();
        }
    }

    private void progress(int rep, String what, Subject s, String value) {
        Notes.progress(
                String.format(
                        Locale.ROOT,
                        "[%d/%d] %-20s %-9s %s",
                        rep,
                        o.repeat(),
                        what,
                        s.name(),
                        value));
    }
}
