package io.realmgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How every process under test is started: on the system-under-test CPU when pinning, and with a
 * descriptor limit that fits the idle-tunnel figure (a proxy holds two sockets per tunnel, the
 * target one). Both are programs that set their part and exec the command, so the process id stays
 * the one the benchmark started.
 *
 * <p>Raising the hard limit above this process's own needs CAP_SYS_RESOURCE, which root in a
 * container may lack. Then the children get this process's hard limit, and {@link #maxTunnels} says
 * how many tunnels a single-process proxy can hold under it.
 *
 * @param fileLimit the children's descriptor limit
 * @param why how that limit came about, for the report
 */
record ChildLaunch(List<String> prefix, long fileLimit, String why) {
    static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

    /**
     * Descriptors a proxy process needs besides its tunnels: listener, logs, epoll, a JVM's jars.
     */
    static final int RESERVE = 500;

    static ChildLaunch of(CpuPinning pinning, int idleTunnels) {
        List<String> prefix = new ArrayList<>(pinning.sutPrefix());
        long hard = hardLimit();
        // Two per tunnel at the proxy, with room to spare.
        long wanted = Math.min(1_000_000, Math.max(65_536L, 2L * idleTunnels + 4L * RESERVE));
        if (!Files.isExecutable(PRLIMIT)) {
            return new ChildLaunch(List.copyOf(prefix), hard, "inherited (prlimit not found)");
        }
        if (wanted <= hard || prlimitWorks(wanted)) {
            prefix.addAll(List.of(PRLIMIT.toString(), "--nofile=" + wanted + ":" + wanted));
            return new ChildLaunch(List.copyOf(prefix), wanted, "set with prlimit");
        }
        // Soft up to hard is always allowed; most programs (and the JVM) would do it themselves
        // anyway.
        prefix.addAll(List.of(PRLIMIT.toString(), "--nofile=" + hard + ":" + hard));
        return new ChildLaunch(
                List.copyOf(prefix),
                hard,
                "this machine's hard limit; prlimit could not raise it to "
                        + wanted
                        + " without CAP_SYS_RESOURCE");
    }

    /** Tunnels one proxy process can hold under the limit (Apache spreads them over children). */
    int maxTunnels() {
        return (int) Math.min(Integer.MAX_VALUE, (fileLimit - RESERVE) / 2);
    }

    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        return full;
    }

    String describe() {
        return "descriptor limit " + fileLimit + " (" + why + ")";
    }

    /**
     * {@code Max open files 20000 20000 files} from /proc/self/limits; a conservative 4096 if
     * unreadable.
     */
    static long hardLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[1].equals("unlimited") ? 1_000_000 : Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 4096;
        }
        return 4096;
    }

    private static boolean prlimitWorks(long limit) {
        try {
            Process p =
                    new ProcessBuilder(
                                    PRLIMIT.toString(), "--nofile=" + limit + ":" + limit, "true")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
