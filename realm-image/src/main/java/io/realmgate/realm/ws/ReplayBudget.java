package io.realmgate.realm.ws;

import io.realmgate.realm.hub.HubException;

/**
 * {@code --replay-rate}: events one connection may have replayed per second, as a token bucket
 * holding at most one second's worth. A subscribe with {@code from} is refused while the bucket is
 * empty; one that is admitted replays what the channel retains and is charged afterwards (the
 * bucket may go below zero, and later replays wait until it has refilled). A WebSocket has one of
 * its own; event streams and long-polls share one per client address (see {@code FallbackLimits}),
 * hence synchronized.
 */
public final class ReplayBudget {
    private final double perSecond;
    private double tokens;
    private long last = System.nanoTime();

    public ReplayBudget(int perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    public synchronized void admit() throws HubException {
        refill();
        if (tokens <= 0) {
            long waitMillis = (long) Math.ceil(-tokens / perSecond * 1000) + 1;
            throw new HubException(
                    "replay-rate",
                    "more than "
                            + (long) perSecond
                            + " replayed events per second on this connection (or client address); retry in "
                            + waitMillis
                            + " ms");
        }
    }

    public synchronized void charge(int events) {
        tokens -= Math.max(0, events);
    }

    /** Refilled to a whole second's worth: forgetting it loses nothing. */
    public synchronized boolean full() {
        refill();
        return tokens >= perSecond;
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
        last = now;
    }
}
