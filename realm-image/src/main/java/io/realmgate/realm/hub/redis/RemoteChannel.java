package io.realmgate.realm.hub.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.realmgate.realm.hub.Epoch;
import io.realmgate.realm.hub.Frame;
import io.realmgate.realm.hub.Frames;
import io.realmgate.realm.hub.Position;
import io.realmgate.realm.hub.Subscriber;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One channel as this process delivers it: its subscribers here and the last id they were all given
 * ({@code cursor}). Events come from Redis (pub/sub, or a read of the channel's log when pub/sub
 * skipped ids), and only the event after the cursor is delivered, so each subscriber gets each
 * event once and in id order. A subscriber that asks for a replay waits in {@code joining} until
 * its history is read, with the live events of that time held back for it.
 *
 * <p>Every method holds this object's lock; delivery only queues (Subscriber), so the lock is held
 * for microseconds. Redis calls are made by the {@link RedisEngine} outside the lock.
 */
final class RemoteChannel {
    /** A subscriber waiting for its replay. */
    static final class Join {
        final Subscriber subscriber;
        final Position at;
        final JsonNode ref;
        final List<Frame> held = new ArrayList<>();
        long from;
        long upTo;
        String reset;
        final List<Frame> notes = new ArrayList<>();

        Join(Subscriber subscriber, Position at, JsonNode ref) {
            this.subscriber = subscriber;
            this.at = at;
            this.ref = ref;
        }
    }

    /** An event read from Redis. */
    record Entry(long id, byte[] data) {}

    /** What the engine does next for this channel, outside the lock. */
    interface Actions {
        void readReplay(RemoteChannel channel, Join join);

        void catchUp(RemoteChannel channel);
    }

    final String name;
    private final Actions actions;
    private final Set<Subscriber> live = new LinkedHashSet<>();
    private final Map<Subscriber, Join> joining = new LinkedHashMap<>();
    private final List<Join> waiting = new ArrayList<>();
    private String epoch;
    private long cursor;
    private boolean known;
    private boolean catchingUp;
    private boolean catchUpAgain;
    private boolean retired;

    RemoteChannel(String name, Actions actions) {
        this.name = name;
        this.actions = actions;
    }

    synchronized String epoch() {
        return epoch;
    }

    synchronized long lastId() {
        return cursor;
    }

    synchronized boolean known() {
        return known;
    }

    /** What {@link #subscribe} did. */
    enum Added {
        /** This channel was retired: the caller takes a fresh one. */
        RETIRED,
        NEW,
        /** The subscriber was here already: its position was announced again. */
        AGAIN
    }

    Added subscribe(Subscriber s, Position at, JsonNode ref) {
        Join start;
        synchronized (this) {
            if (retired) {
                return Added.RETIRED;
            }
            if (live.contains(s) || joining.containsKey(s) || waits(s)) {
                // Subscribing twice re-announces the position but never delivers an event twice.
                if (known) {
                    s.deliver(Frames.subscribed(name, cursor, epoch, null, ref));
                }
                return Added.AGAIN;
            }
            Join join = new Join(s, at, ref);
            if (!known) {
                waiting.add(join);
                return Added.NEW;
            }
            start = begin(join);
        }
        if (start != null) {
            actions.readReplay(this, start);
        }
        return Added.NEW;
    }

    /** Whether a join still waits for its replay (not unsubscribed, not reset meanwhile). */
    synchronized boolean pending(Join join) {
        return joining.get(join.subscriber) == join;
    }

    private boolean waits(Subscriber s) {
        for (Join j : waiting) {
            if (j.subscriber == s) {
                return true;
            }
        }
        return false;
    }

    /**
     * Places a subscriber at the current cursor: at once if it needs no replay, else it joins and
     * the returned join's history must be read.
     */
    private Join begin(Join join) {
        long from = join.at.from();
        String reset = null;
        if (from > 0 && join.at.epoch() != null && !join.at.epoch().equals(epoch)) {
            from = 0;
            reset = Epoch.CHANGED;
        }
        if (from > cursor) {
            join.notes.add(
                    Frames.error(
                            "from-ahead",
                            "channel '"
                                    + name
                                    + "' is at id "
                                    + cursor
                                    + ", before "
                                    + from
                                    + " (Redis lost the channel?); resuming live from "
                                    + cursor,
                            join.ref));
            from = cursor;
        }
        join.from = from;
        join.upTo = cursor;
        join.reset = reset;
        if (from < 0 || from >= cursor) {
            for (Frame note : join.notes) {
                join.subscriber.deliver(note);
            }
            join.subscriber.deliver(Frames.subscribed(name, cursor, epoch, reset, join.ref));
            live.add(join.subscriber);
            return null;
        }
        joining.put(join.subscriber, join);
        return join;
    }

    /**
     * The history a joining subscriber asked for was read: it gets it, then what was held back for
     * it, and is live from then on. Entries are those after {@code join.from} up to {@code
     * join.upTo} that Redis still retains.
     */
    synchronized void replayed(Join join, String readEpoch, List<Entry> entries) {
        if (joining.get(join.subscriber) != join) {
            return; // unsubscribed meanwhile, or moved by an epoch change
        }
        if (!readEpoch.equals(epoch)) {
            return; // the epoch changed: epochChanged() placed the subscriber already
        }
        joining.remove(join.subscriber);
        long oldest = entries.isEmpty() ? join.upTo + 1 : entries.get(0).id();
        List<Frame> batch = new ArrayList<>(join.notes);
        if (join.from + 1 < oldest) {
            batch.add(
                    Frames.error(
                            "replay-truncated",
                            "events "
                                    + (join.from + 1)
                                    + " to "
                                    + (oldest - 1)
                                    + " of channel '"
                                    + name
                                    + "' are no longer retained",
                            join.ref));
        }
        batch.add(Frames.subscribed(name, join.upTo, epoch, join.reset, join.ref));
        int replayed = 0;
        for (Entry e : entries) {
            if (e.id() > join.from && e.id() <= join.upTo) {
                batch.add(Frames.event(name, e.id(), e.data()));
                replayed++;
            }
        }
        batch.addAll(join.held);
        // Charged before the client can see the replay, so its next subscribe finds it charged.
        join.subscriber.replayed(replayed);
        // One batch: a long-poll answers with the whole replay, not its first event.
        join.subscriber.deliverAll(batch);
        live.add(join.subscriber);
    }

    /**
     * The channel's state in Redis is known (first read, or again after Redis was away). Starts the
     * subscribers that waited for it; returns their joins that need a replay.
     */
    List<Join> learned(String redisEpoch, long newest) {
        List<Join> replays = new ArrayList<>();
        synchronized (this) {
            if (!known) {
                known = true;
                epoch = redisEpoch;
                cursor = newest;
            } else if (!redisEpoch.equals(epoch)) {
                epochChanged(redisEpoch, newest);
            }
            for (Join j : waiting) {
                Join start = begin(j);
                if (start != null) {
                    replays.add(start);
                }
            }
            waiting.clear();
        }
        return replays;
    }

    /**
     * Redis lost the history this process delivered from: every subscriber is told its position was
     * reset, and the new history is delivered from its start.
     */
    private void epochChanged(String redisEpoch, long newest) {
        epoch = redisEpoch;
        cursor = 0;
        for (Subscriber s : live) {
            s.deliver(Frames.subscribed(name, newest, epoch, Epoch.CHANGED, null));
        }
        for (Join j : joining.values()) {
            j.subscriber.deliver(Frames.subscribed(name, newest, epoch, Epoch.CHANGED, j.ref));
            live.add(j.subscriber);
        }
        joining.clear();
    }

    /** An event heard on pub/sub. */
    void heard(String eventEpoch, long id, byte[] data) {
        boolean gap;
        synchronized (this) {
            if (!known || retired) {
                return; // the first read of the channel's state covers it
            }
            if (eventEpoch.equals(epoch) && id == cursor + 1 && !catchingUp) {
                deliverLive(Frames.event(name, id, data));
                cursor = id;
                return;
            }
            if (eventEpoch.equals(epoch) && id <= cursor) {
                return; // delivered already, by a read of the log
            }
            gap = true;
        }
        if (gap) {
            actions.catchUp(this);
        }
    }

    /** Starts a catch-up unless one runs; then it runs once more when it ends. */
    synchronized boolean startCatchUp() {
        if (!known || retired) {
            return false;
        }
        if (catchingUp) {
            catchUpAgain = true;
            return false;
        }
        catchingUp = true;
        return true;
    }

    synchronized long cursor() {
        return cursor;
    }

    /**
     * A catch-up read returned: delivers the entries after the cursor, in order; returns whether to
     * read again (a full batch, or events heard meanwhile).
     */
    synchronized boolean caughtUp(String redisEpoch, long newest, List<Entry> entries, int batch) {
        if (!redisEpoch.equals(epoch)) {
            epochChanged(redisEpoch, newest);
            catchUpAgain = true; // read the new history from its start
        } else {
            List<Frame> read = new ArrayList<>();
            for (Entry e : entries) {
                if (e.id() <= cursor) {
                    continue;
                }
                if (e.id() > cursor + 1) {
                    // Trimmed before this process read them: say so rather than skip silently.
                    read.add(
                            Frames.error(
                                    "replay-truncated",
                                    "events "
                                            + (cursor + 1)
                                            + " to "
                                            + (e.id() - 1)
                                            + " of channel '"
                                            + name
                                            + "' are no longer retained",
                                    null));
                }
                read.add(Frames.event(name, e.id(), e.data()));
                cursor = e.id();
            }
            if (!read.isEmpty()) {
                for (Subscriber s : live) {
                    s.deliverAll(read);
                }
                for (Join j : joining.values()) {
                    j.held.addAll(read);
                }
            }
            if (entries.size() >= batch) {
                catchUpAgain = true;
            }
        }
        catchingUp = false;
        boolean again = catchUpAgain;
        catchUpAgain = false;
        if (again) {
            catchingUp = true;
        }
        return again;
    }

    /** A catch-up read failed (Redis away): the next sweep tries again. */
    synchronized void catchUpFailed() {
        catchingUp = false;
        catchUpAgain = false;
    }

    private void deliverLive(Frame f) {
        for (Subscriber s : live) {
            s.deliver(f);
        }
        for (Join j : joining.values()) {
            j.held.add(f);
        }
    }

    /** Removes a subscriber; true if it was one. */
    synchronized boolean unsubscribe(Subscriber s) {
        boolean was = live.remove(s) | joining.remove(s) != null;
        for (int i = 0; i < waiting.size(); i++) {
            if (waiting.get(i).subscriber == s) {
                waiting.remove(i);
                was = true;
                break;
            }
        }
        return was;
    }

    /** Retires this channel if nobody here listens; true if it did. */
    synchronized boolean retireIfEmpty() {
        if (live.isEmpty() && joining.isEmpty() && waiting.isEmpty()) {
            retired = true;
            return true;
        }
        return false;
    }
}
