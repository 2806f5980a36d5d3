package io.realmgate.realm;

import io.realmgate.realm.client.EventListener;
import io.realmgate.realm.client.RealmEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects a subscription's events so a test can wait for them. */
public final class Inbox implements EventListener {
    private final LinkedBlockingQueue<RealmEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void onEvent(RealmEvent event) {
        events.add(event);
    }

    public RealmEvent next() throws InterruptedException {
        RealmEvent e = events.poll(5, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 5 s");
        }
        return e;
    }

    /** Waits for {@code n} events (at most {@code seconds}) and returns them. */
    public List<RealmEvent> take(int n, int seconds) throws InterruptedException {
        List<RealmEvent> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (out.size() < n) {
            RealmEvent e =
                    events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError(
                        "got " + out.size() + " of " + n + " events within " + seconds + " s");
            }
            out.add(e);
        }
        return out;
    }

    /** Nothing more arrives within {@code millis}. */
    public boolean quietFor(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS) == null;
    }
}
