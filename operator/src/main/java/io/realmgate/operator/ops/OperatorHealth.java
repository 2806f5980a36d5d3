package io.realmgate.operator.ops;

import io.javaoperatorsdk.operator.RuntimeInfo;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Liveness and readiness of the operator process, as the admin endpoint reports them.
 *
 * <ul>
 *   <li>Live: the process answers and is not shutting down.
 *   <li>Ready: the operator has started (its CRDs are served, leader election has begun) and every
 *       informer has synced and is watching. JOSDK runs the informers on a standby instance too
 *       (only event processing waits for the Lease), so a standby is ready as well: it can take
 *       over at any moment, and a rolling update need not wait for it to lead. Which role an
 *       instance has is in the response body.
 * </ul>
 */
public final class OperatorHealth {
    private final boolean leaderElection;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile RuntimeInfo runtime;

    public OperatorHealth(boolean leaderElection) {
        this.leaderElection = leaderElection;
    }

    /** The operator's start() has returned. */
    public void started(RuntimeInfo runtime) {
        this.runtime = runtime;
    }

    public void leading(boolean leading) {
        this.leading.set(leading);
    }

    public boolean isLeading() {
        return leading.get();
    }

    /** Shutdown has begun; returns whether it had begun before. */
    public boolean stopping() {
        return stopping.getAndSet(true);
    }

    public boolean isStopping() {
        return stopping.get();
    }

    /** Empty when live; else why not. */
    public Optional<String> notLive() {
        return stopping.get() ? Optional.of("shutting down") : Optional.empty();
    }

    /** Empty when ready; else why not. */
    public Optional<String> notReady() {
        if (stopping.get()) {
            return Optional.of("shutting down");
        }
        RuntimeInfo info = runtime;
        if (info == null) {
            return Optional.of("starting");
        }
        if (!info.allEventSourcesAreHealthy()) {
            return Optional.of(
                    "informers not synced or not watching: "
                            + info.unhealthyEventSources().keySet());
        }
        return Optional.empty();
    }

    /** A line for /readyz and /healthz bodies. */
    public String role() {
        return !leaderElection ? "leader election off" : leading.get() ? "leader" : "standby";
    }
}
