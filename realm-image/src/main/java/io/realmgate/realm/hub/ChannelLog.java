package io.realmgate.realm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One channel: its id counter, its retained events and its subscribers. Every operation holds the
 * channel's lock, and delivery to subscribers happens under it too. That is what makes ids and
 * replay exact: a subscriber added with {@code from} receives the retained events after {@code
 * from} and then exactly the events published after it was added, in id order, with no gap and no
 * duplicate, because no publish can slip between the replay and the registration. Delivery only
 * queues (see {@link Subscriber}), so the lock is held for microseconds.
 */
final class ChannelLog {
    private final String name;

    /**
     * Drawn when this log is made: a new log (a restarted realm, a re-made channel) is a new
     * history.
     */
    private final String epoch = Epoch.random();

    private final int retainEvents;
    private final long retainBytes;
    private final HubStats stats;
    private final ArrayDeque<Frame> retained = new ArrayDeque<>();
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    private long retainedBytes;
    private long lastId;

    /**
     * Set once the hub has dropped this log from its table; a caller holding it must look again.
     */
    private boolean removed;

    ChannelLog(String name, int retainEvents, long retainBytes, HubStats stats) {
        this.name = name;
        this.retainEvents = retainEvents;
        this.retainBytes = retainBytes;
        this.stats = stats;
    }

    String name() {
        return name;
    }

    String epoch() {
        return epoch;
    }

    /**
     * Appends, retains and delivers; returns the new id, or -1 if this log was removed meanwhile.
     */
    synchronized long publish(byte[] data) {
        if (removed) {
            return -1;
        }
        long id = ++lastId;
        Frame event = Frames.event(name, id, data);
        retained.addLast(event);
        retainedBytes += event.size();
        stats.retained(1, event.size());
        while (retained.size() > retainEvents || retainedBytes > retainBytes) {
            Frame old = retained.removeFirst();
            retainedBytes -= old.size();
            stats.retained(-1, -old.size());
            stats.evicted();
        }
        for (Subscriber s : subscribers) {
            s.deliver(event);
        }
        return id;
    }

    /**
     * Adds a subscriber. It receives, in this order: an error frame if {@code from} cannot be
     * honoured exactly, the {@code subscribed} frame, the retained events after {@code from}, then
     * live events. A position in another epoch than this log's names ids of a lost history: it is
     * reset to the start of this one ({@code from} 0, so everything retained is replayed) and
     * {@code subscribed} says so.
     *
     * @return false if this log was removed meanwhile (the caller retries with a fresh one)
     */
    synchronized boolean subscribe(Subscriber s, Position at, JsonNode ref) {
        if (removed) {
            return false;
        }
        if (!subscribers.add(s)) {
            // Subscribing twice re-announces the position but never delivers an event twice.
            s.deliver(Frames.subscribed(name, lastId, epoch, null, ref));
            return true;
        }
        stats.subscriptions(1);
        long from = at.from();
        String reset = null;
        // From 0 means "everything retained" in any history: nothing of it was seen, so nothing
        // is reset.
        if (from > 0 && at.epoch() != null && !at.epoch().equals(epoch)) {
            from = 0;
            reset = Epoch.CHANGED;
        }
        if (from > lastId) {
            // The client saw ids this channel never had: the realm restarted and ids began again.
            s.deliver(
                    Frames.error(
                            "from-ahead",
                            "channel '"
                                    + name
                                    + "' is at id "
                                    + lastId
                                    + ", before "
                                    + from
                                    + " (the realm restarted?); resuming live from "
                                    + lastId,
                            ref));
            from = lastId;
        }
        long oldest = retained.isEmpty() ? lastId + 1 : firstId();
        if (from >= 0 && from + 1 < oldest) {
            s.deliver(
                    Frames.error(
                            "replay-truncated",
                            "events "
                                    + (from + 1)
                                    + " to "
                                    + (oldest - 1)
                                    + " of channel '"
                                    + name
                                    + "' are no longer retained",
                            ref));
        }
        s.deliver(Frames.subscribed(name, lastId, epoch, reset, ref));
        if (from >= 0) {
            int skip = (int) Math.max(0, from + 1 - oldest);
            Iterator<Frame> it = retained.iterator();
            for (int i = 0; i < skip; i++) {
                it.next();
            }
            int replayed = 0;
            while (it.hasNext()) {
                s.deliver(it.next());
                replayed++;
            }
            s.replayed(replayed);
        }
        return true;
    }

    synchronized void unsubscribe(Subscriber s) {
        if (subscribers.remove(s)) {
            stats.subscriptions(-1);
        }
    }

    /** Removes this log if nobody listens and nothing is retained; true if it did. */
    synchronized boolean retireIfEmpty() {
        if (subscribers.isEmpty() && retained.isEmpty()) {
            removed = true;
            return true;
        }
        return false;
    }

    synchronized long lastId() {
        return lastId;
    }

    synchronized int subscriberCount() {
        return subscribers.size();
    }

    private long firstId() {
        return lastId - retained.size() + 1;
    }
}
