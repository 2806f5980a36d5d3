package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed proxy logins per client address: after {@code maxFailures} within {@code window},
 * that address is refused without a password check until the window has passed. Keeps online
 * guessing slow and keeps a guesser from tying up the bcrypt workers.
 */
public final class AuthThrottle {
    private record Window(long startNanos, int failures) {}

    private final int maxFailures;
    private final long windowNanos;
    private final ConcurrentHashMap<InetAddress, Window> failures = new ConcurrentHashMap<>();

    public AuthThrottle(int maxFailures, Duration window) {
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
    }

    public boolean blocked(InetAddress client) {
        Window w = failures.get(client);
        if (w == null) {
            return false;
        }
        if (System.nanoTime() - w.startNanos() > windowNanos) {
            failures.remove(client, w);
            return false;
        }
        return w.failures() >= maxFailures;
    }

    public void failed(InetAddress client) {
        long now = System.nanoTime();
        failures.compute(
                client,
                (k, w) ->
                        w == null || now - w.startNanos() > windowNanos
                                ? new Window(now, 1)
                                : new Window(w.startNanos(), w.failures() + 1));
        if (failures.size() > 100_000) {
            failures.entrySet()
                    .removeIf(e -> now - e.getValue().startNanos() > windowNanos); // bound memory
        }
    }

    public void succeeded(InetAddress client) {
        failures.remove(client);
    }
}
