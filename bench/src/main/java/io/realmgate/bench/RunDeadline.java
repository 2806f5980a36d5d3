package io.realmgate.bench;

import java.time.Duration;

/**
 * The whole run's time limit. Each socket operation has its own timeout, but many of them in a row
 * could still add up to hours; past the deadline the JVM exits and the shutdown hook stops the
 * proxy processes.
 */
final class RunDeadline {
    private RunDeadline() {
    }

    /** Generous: assumes 20 MiB/s and 20 ms per tunnel, far below anything a working proxy does. */
    static Duration forRun(BenchOptions o, int subjects) {
        long runs = (long) subjects * (o.repeat() + 1);
        long seconds = 600 + runs * (o.bytes() / (20 * BenchOptions.MIB) + o.tunnels() / 50L);
        return Duration.ofSeconds(seconds);
    }

    static void start(Duration limit) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("bench: overall deadline of " + limit.toSeconds() + " s passed; stopping");
            System.exit(1);
        }, "bench-deadline");
        t.setDaemon(true);
        t.start();
    }
}
