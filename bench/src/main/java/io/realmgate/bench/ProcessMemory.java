package io.realmgate.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Memory of a process and all its descendants, from /proc: Apache forks children, a JVM or Squid is
 * one process; the figure must cover whatever the proxy is made of.
 *
 * <p>RSS (VmRSS) counts every resident page a process maps, so pages that forked children share
 * (code, libraries, copy-on-write memory) count once per process in the sum; PSS (from
 * smaps_rollup) divides each shared page among the processes that map it, so the sum counts it
 * once. For a single process the two differ only by the libraries it shares with others.
 */
final class ProcessMemory {
    /**
     * @param pssKiB -1 when smaps_rollup could not be read (another user's process, old kernel)
     */
    record Reading(long rssKiB, long pssKiB, int processes) {}

    private static final Path PROC = Path.of("/proc");

    /** Far above any proxy's process count; bounds the walk if /proc says something odd. */
    private static final int MAX_PROCESSES = 10_000;

    private ProcessMemory() {}

    static Reading ofTree(long pid) throws IOException {
        List<Long> pids = tree(pid);
        if (pids.isEmpty()) {
            throw new IOException("process " + pid + " is gone");
        }
        long rss = 0;
        long pss = 0;
        for (long p : pids) {
            long r = kib(PROC.resolve(Long.toString(p)).resolve("status"), "VmRSS:");
            // A child that exits between the listing and the reading counts as nothing.
            rss += Math.max(0, r);
            if (pss >= 0) {
                long s = kib(PROC.resolve(Long.toString(p)).resolve("smaps_rollup"), "Pss:");
                pss = s < 0 && r >= 0 ? -1 : pss + Math.max(0, s);
            }
        }
        return new Reading(rss, pss, pids.size());
    }

    /** The process and its descendants, parents first, from /proc/PID/task/TID/children. */
    static List<Long> tree(long pid) {
        Set<Long> seen = new LinkedHashSet<>();
        List<Long> queue = new ArrayList<>();
        if (Files.isDirectory(PROC.resolve(Long.toString(pid)))) {
            queue.add(pid);
        }
        for (int i = 0; i < queue.size() && seen.size() < MAX_PROCESSES; i++) {
            long p = queue.get(i);
            if (!seen.add(p)) {
                continue;
            }
            // Children are listed per thread (the one that forked them), so every task is read.
            try (DirectoryStream<Path> tasks =
                    Files.newDirectoryStream(PROC.resolve(Long.toString(p)).resolve("task"))) {
                for (Path task : tasks) {
                    String children;
                    try {
                        children = Files.readString(task.resolve("children")).trim();
                    } catch (IOException gone) {
                        continue;
                    }
                    if (!children.isEmpty()) {
                        for (String c : children.split("\\s+")) {
                            queue.add(Long.parseLong(c));
                        }
                    }
                }
            } catch (IOException gone) {
                // exited meanwhile: it and its children are no longer part of the reading
            }
        }
        return List.copyOf(seen);
    }

    /**
     * The value in kB of the first line starting with {@code key}; -1 when unreadable or absent.
     */
    static long kib(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    String v = line.substring(key.length()).trim();
                    int sp = v.indexOf(' ');
                    return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
