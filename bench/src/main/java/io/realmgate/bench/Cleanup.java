package io.realmgate.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the run started (proxy process, Apache, servers), stopped newest first exactly once: from
 * main's {@code finally}, or from the shutdown hook when the run is interrupted (Ctrl-C, the
 * overall deadline) so no proxy process outlives the benchmark.
 */
final class Cleanup {
    private final Deque<AutoCloseable> items = new ArrayDeque<>();
    private boolean done;

    void installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "bench-cleanup"));
    }

    <T extends AutoCloseable> T add(T item) {
        synchronized (this) {
            if (!done) {
                items.push(item);
                return item;
            }
        }
        // Registered after cleanup already ran (shutdown under way): stop it at once.
        closeQuietly(item);
        return item;
    }

    void closeAll() {
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                done = true;
                next = items.poll();
            }
            if (next == null) {
                return;
            }
            closeQuietly(next);
        }
    }

    private static void closeQuietly(AutoCloseable item) {
        try {
            item.close();
        } catch (Exception e) {
            System.err.println("bench: stopping " + item + " failed: " + e);
        }
    }
}
