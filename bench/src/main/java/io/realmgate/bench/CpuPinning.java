package io.realmgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the parties run. Pinned: this JVM (the clients) on one CPU, everything under test (proxy
 * processes with their children, and the target servers) on another, so the client never competes
 * with what it measures. Direct is then client CPU → target CPU, proxied is client CPU → proxy and
 * target sharing a CPU: conservative for the proxies. Not pinned (asked for, taskset missing, fewer
 * than two CPUs): everything floats, and the report says which it was.
 */
final class CpuPinning {
    static final Path TASKSET = Path.of("/usr/bin/taskset");

    private final int clientCpu;
    private final int sutCpu;
    private final String description;

    /** Counted before pinning: afterwards this JVM sees only its own CPU. */
    private final int machineCpus;

    private CpuPinning(int clientCpu, int sutCpu, String description, int machineCpus) {
        this.clientCpu = clientCpu;
        this.sutCpu = sutCpu;
        this.description = description;
        this.machineCpus = machineCpus;
    }

    int machineCpus() {
        return machineCpus;
    }

    /**
     * Decides and, when pinning, pins this JVM's threads (present ones; new threads inherit the
     * mask).
     */
    static CpuPinning apply(boolean wanted) {
        int machineCpus = Runtime.getRuntime().availableProcessors();
        if (!wanted) {
            return off(machineCpus, "no CPU pinning (--no-pin)");
        }
        if (!Files.isExecutable(TASKSET)) {
            return off(machineCpus, "no CPU pinning (taskset not found)");
        }
        List<Integer> cpus = allowedCpus();
        if (cpus.size() < 2) {
            return off(machineCpus, "no CPU pinning (" + cpus.size() + " CPU available)");
        }
        int client = cpus.get(0);
        int sut = cpus.get(1);
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            // -a: every thread the JVM already has (GC, JIT, ...); threads started later inherit
            // the mask.
            Process p =
                    new ProcessBuilder(
                                    TASKSET.toString(), "-a", "-pc", Integer.toString(client), pid)
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return off(machineCpus, "no CPU pinning (taskset failed: " + out.trim() + ")");
            }
        } catch (IOException e) {
            return off(machineCpus, "no CPU pinning (taskset failed: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return off(machineCpus, "no CPU pinning (interrupted)");
        }
        return new CpuPinning(
                client,
                sut,
                "pinned with taskset: the benchmark client (this JVM) on CPU "
                        + client
                        + "; the proxies (every process and thread) and the target servers on CPU "
                        + sut,
                machineCpus);
    }

    private static CpuPinning off(int machineCpus, String why) {
        return new CpuPinning(-1, -1, why, machineCpus);
    }

    boolean pinned() {
        return clientCpu >= 0;
    }

    String description() {
        return description;
    }

    /**
     * Prepended to the command of everything under test: taskset sets the mask and execs it, same
     * pid.
     */
    List<String> sutPrefix() {
        return pinned() ? List.of(TASKSET.toString(), "-c", Integer.toString(sutCpu)) : List.of();
    }

    /** This process's allowed CPUs ({@code Cpus_allowed_list: 0-1,4}), in order. */
    static List<Integer> allowedCpus() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            String list =
                    lines.filter(l -> l.startsWith("Cpus_allowed_list:"))
                            .map(l -> l.substring(l.indexOf(':') + 1).trim())
                            .findFirst()
                            .orElse("");
            return parseCpuList(list);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static List<Integer> parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.split(",")) {
            part = part.trim();
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            for (int c = from; c <= to && cpus.size() < 4096; c++) {
                cpus.add(c);
            }
        }
        return cpus;
    }
}
