package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A proxy met cold, as on every rollout, scale-up or drain: a fresh process, and from its fork on,
 * the time until it has served its first tunnel end to end, the CPU it spent getting there, then
 * the next N tunnels one after another (the sequential set-up's tunnel) with their rate, p50, p99
 * and the proxy's CPU per tunnel. Only the proxy is cold: the client (this JVM) and the targets
 * have been warmed up before, so whatever is slow here is the proxy's start.
 */
final class ColdStartRun {
    /** The first tunnel is retried this long at most: far above any proxy's start here. */
    static final long FIRST_TUNNEL_TIMEOUT_MS = 30_000;

    /** Between attempts at the first tunnel: short, so the figure is not rounded up by the poll. */
    private static final long RETRY_PAUSE_MS = 1;

    /**
     * Starts the fresh instance; the launch is the suite's own (one place, {@link RunningProxy}).
     */
    interface Launch {
        RunningProxy start() throws Exception;
    }

    /**
     * @param firstTunnelMillis from the process's fork to the first tunnel served (echo back)
     * @param attempts tunnels tried until the first worked
     * @param startCpuMillis the proxy's CPU (whole tree) from its fork to that moment
     * @param tunnels the N tunnels after the first
     * @param cpuMicrosPerTunnel the proxy's CPU over those N, per tunnel
     */
    record Result(
            double firstTunnelMillis,
            int attempts,
            double startCpuMillis,
            SetupRun.Result tunnels,
            double cpuMicrosPerTunnel) {}

    private final InetSocketAddress echo;
    private final SetupRun setup;
    private final byte[] head = new byte[Connect.MAX_HEAD];

    ColdStartRun(InetSocketAddress echo) {
        this.echo = echo;
        this.setup = new SetupRun(echo);
    }

    Result measure(Launch launch, int tunnels) throws Exception {
        long hz = ProcStat.ticksPerSecond();
        try (RunningProxy fresh = launch.start()) {
            Subject subject = fresh.subject();
            int attempts = firstTunnel(subject);
            // Read right after the first tunnel: the kernel's clock and the process's fork time are
            // both counted in ticks since boot, so this needs no clock of ours (±10 ms).
            double uptime = ProcStat.uptimeSeconds();
            ProcStat.Stat stat = ProcStat.of(fresh.pid());
            double firstMillis = (uptime - stat.startTicks() / (double) hz) * 1000;
            long cpuBefore = ProcStat.cpuTicksOfTree(fresh.pid());
            SetupRun.Result counted = setup.measure(subject, tunnels);
            long cpuAfter = ProcStat.cpuTicksOfTree(fresh.pid());
            return new Result(
                    Math.max(0, firstMillis),
                    attempts,
                    ProcStat.millis(cpuBefore, hz),
                    counted,
                    ProcStat.perUnit(cpuBefore, cpuAfter, hz, tunnels, 1e6));
        }
    }

    /**
     * Tries the suite's set-up tunnel (connect, CONNECT, one byte echoed, close) until one works: a
     * proxy may accept connections before it serves them. Bounded in time and in attempts.
     *
     * @return the attempts it took
     */
    private int firstTunnel(Subject subject) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + FIRST_TUNNEL_TIMEOUT_MS * 1_000_000;
        IOException last = null;
        for (int attempt = 1; attempt <= FIRST_TUNNEL_TIMEOUT_MS / RETRY_PAUSE_MS; attempt++) {
            try {
                SetupRun.tunnel(subject, echo, head);
                return attempt;
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(RETRY_PAUSE_MS);
        }
        throw new IOException(
                "no tunnel served within " + FIRST_TUNNEL_TIMEOUT_MS + " ms of the start: " + last,
                last);
    }
}
