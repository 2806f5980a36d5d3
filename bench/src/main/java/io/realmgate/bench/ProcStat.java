package io.realmgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and start time of a process (and of its whole tree) from {@code /proc/PID/stat}, and the
 * kernel's clock they are counted in. The proxies are measured from outside: Apache and Squid have
 * no CPU counter of their own, and reading /proc costs the proxy nothing.
 *
 * <p>Both are in clock ticks ({@code CLK_TCK}, 100 a second on Linux): a CPU figure has a
 * resolution of 10 ms per reading, which is why every CPU figure is taken over a whole run (a
 * thousand tunnels or more, a GiB), never per tunnel.
 */
final class ProcStat {
    private static final Path PROC = Path.of("/proc");

    /** Linux's USER_HZ everywhere it matters; {@code getconf CLK_TCK} confirms it when present. */
    private static final long DEFAULT_TICKS_PER_SECOND = 100;

    private static volatile long ticksPerSecond;

    /**
     * One process's line, the fields the benchmark uses.
     *
     * @param cpuTicks user + system time of the process (all its threads) plus that of its children
     *     it has waited for (cutime + cstime): a forked worker that exited still counts
     * @param startTicks when the process was forked, in ticks since boot
     */
    record Stat(long pid, String command, long cpuTicks, long startTicks) {}

    private ProcStat() {}

    /**
     * Parses one {@code /proc/PID/stat} line. The command (field 2) is in parentheses and may hold
     * spaces and parentheses itself ({@code (my (odd) proxy)}), so the fields are counted from the
     * last {@code ')'}.
     */
    static Stat parse(String line) throws IOException {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 1 || close < open) {
            throw new IOException("not a /proc/PID/stat line: '" + abbreviate(line) + "'");
        }
        String[] rest = line.substring(close + 1).trim().split("\\s+");
        // rest[0] is field 3 (state): field n is rest[n - 3]. utime 14, stime 15, cutime 16,
        // cstime 17, starttime 22.
        if (rest.length < 20) {
            throw new IOException(
                    "a /proc/PID/stat line with "
                            + (rest.length + 2)
                            + " fields, 22 or more expected: '"
                            + abbreviate(line)
                            + "'");
        }
        try {
            long pid = Long.parseLong(line.substring(0, open).trim());
            long cpu =
                    Long.parseLong(rest[11])
                            + Long.parseLong(rest[12])
                            + Long.parseLong(rest[13])
                            + Long.parseLong(rest[14]);
            return new Stat(pid, line.substring(open + 1, close), cpu, Long.parseLong(rest[19]));
        } catch (NumberFormatException e) {
            throw new IOException(
                    "a /proc/PID/stat line with a non-numeric field: '" + abbreviate(line) + "'");
        }
    }

    static Stat of(long pid) throws IOException {
        return parse(
                Files.readString(
                        PROC.resolve(Long.toString(pid)).resolve("stat"),
                        StandardCharsets.US_ASCII));
    }

    /**
     * CPU ticks of the process and all its descendants (Apache's forked children, Squid's helpers).
     * A child that exits between the listing and the reading counts as nothing here and in its
     * parent's cutime only once the parent has waited for it: a difference of two readings can lose
     * such a child's last ticks, which a proxy that keeps its workers (as configured here) does not
     * do during a run.
     */
    static long cpuTicksOfTree(long pid) throws IOException {
        long ticks = 0;
        int read = 0;
        for (long p : ProcessMemory.tree(pid)) {
            try {
                ticks += of(p).cpuTicks();
                read++;
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        if (read == 0) {
            throw new IOException("process " + pid + " is gone");
        }
        return ticks;
    }

    /** The kernel's boot-time clock, in seconds: the clock {@code starttime} is counted in. */
    static double uptimeSeconds() throws IOException {
        String text = Files.readString(PROC.resolve("uptime"), StandardCharsets.US_ASCII).trim();
        return parseUptime(text);
    }

    static double parseUptime(String text) throws IOException {
        String first = text.trim().split("\\s+")[0];
        try {
            return Double.parseDouble(first);
        } catch (NumberFormatException e) {
            throw new IOException("not a /proc/uptime line: '" + abbreviate(text) + "'");
        }
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}; 100 where getconf cannot say). */
    static long ticksPerSecond() {
        long t = ticksPerSecond;
        if (t == 0) {
            t = DEFAULT_TICKS_PER_SECOND;
            try {
                Process p =
                        new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out =
                        new String(p.getInputStream().readNBytes(64), StandardCharsets.US_ASCII)
                                .trim();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    t = Long.parseLong(out);
                }
                p.destroyForcibly();
            } catch (IOException | NumberFormatException e) {
                // keep Linux's value
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticksPerSecond = t;
        }
        return t;
    }

    /** Ticks as milliseconds. */
    static double millis(long ticks, long ticksPerSecond) {
        return ticks * 1000.0 / ticksPerSecond;
    }

    /**
     * CPU per unit of work between two readings of a tree: µs per tunnel ({@code scale} 1e6 per
     * tunnel), ms per GiB ({@code scale} 1e3, units in GiB).
     */
    static double perUnit(
            long ticksBefore, long ticksAfter, long ticksPerSecond, double units, double scale) {
        if (units <= 0) {
            throw new IllegalArgumentException("no work to divide the CPU time by: " + units);
        }
        if (ticksAfter < ticksBefore) {
            throw new IllegalArgumentException(
                    "CPU time went backwards: " + ticksBefore + " → " + ticksAfter + " ticks");
        }
        return (ticksAfter - ticksBefore) * scale / ticksPerSecond / units;
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
