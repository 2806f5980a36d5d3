package io.realmgate.bench;

import java.time.Duration;

/**
 * The whole run's time limit. Each socket operation has its own timeout, but many of them in a row
 * could still add up to hours; past the deadline the JVM exits and the shutdown hook stops the
 * proxy processes.
 */
final class RunDeadline {
    private RunDeadline() {}

    /**
     * Generous: assumes 20 MiB/s, 20 ms per tunnel set up, 10 ms per idle tunnel opened, 1 ms per
     * WebSocket round trip and a minute per proxy start, far below anything a working proxy does.
     */
    static Duration forRun(BenchOptions o, int subjects) {
        long runs = (long) subjects * (o.repeat() + 1);
        long perRun = 0;
        if (o.measures("throughput")) {
            perRun += 3 * (o.bytes() / (20 * BenchOptions.MIB));
        }
        if (o.measures("setup")) {
            perRun += 2 * (o.tunnels() / 50L) + 12_000 / 50 / Math.max(1, o.repeat());
        }
        if (o.measures("ws")) {
            perRun += o.wsMessages() / 1000L + 2;
        }
        if (o.measures("cold")) {
            // A fresh proxy's start, its first tunnel and the counted ones.
            perRun += 60 + o.coldTunnels() / 50L;
        }
        if (o.measures("memory")) {
            perRun += 60 + o.idleTunnels() / 100L + o.tunnels() / 50L;
        }
        long seconds = 600 + runs * perRun;
        if (o.fanOut()) {
            // Six phases of two parts each, and connecting a thousand TLS subscribers a few times
            // over.
            seconds += 12L * o.fanOutSeconds() * 4 + 600;
        }
        if (o.measures(PeerFanOutSection.GROUP)) {
            // Four systems, four runs each (warm-up and three rows) of two phases, up to 40 s of
            // draining per run, and starting up to four processes per system.
            seconds += 4L * 4 * (2L * o.fanOutSeconds() + 40) + 600;
        }
        return Duration.ofSeconds(seconds);
    }

    static void start(Duration limit) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(limit.toMillis());
                            } catch (InterruptedException e) {
                                return;
                            }
                            System.err.println(
                                    "bench: overall deadline of "
                                            + limit.toSeconds()
                                            + " s passed; stopping");
                            System.exit(1);
                        },
                        "bench-deadline");
        t.setDaemon(true);
        t.start();
    }
}
