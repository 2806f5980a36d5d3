package io.realmgate.realm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code memory} engine: every channel in this process ({@link ChannelLog}), the realm's
 * behaviour with one pod. An event is stored once it is in the channel's log, so its future is
 * complete when {@link #publish} returns.
 */
public final class MemoryEngine implements Engine {
    private final ConcurrentHashMap<String, ChannelLog> channels = new ConcurrentHashMap<>();
    private final AtomicInteger channelCount = new AtomicInteger();
    private final int retainEvents;
    private final long retainBytes;
    private final int maxChannels;
    private final HubStats stats;

    public MemoryEngine(int retainEvents, long retainBytes, int maxChannels, HubStats stats) {
        this.retainEvents = retainEvents;
        this.retainBytes = retainBytes;
        this.maxChannels = maxChannels;
        this.stats = stats;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public CompletableFuture<Long> publish(String channel, byte[] data) throws HubException {
        while (true) {
            long id = log(channel).publish(data);
            if (id > 0) {
                return CompletableFuture.completedFuture(id);
            }
        }
    }

    /** See {@link ChannelLog#subscribe}. */
    @Override
    public void subscribe(String channel, Position at, Subscriber s, JsonNode ref)
            throws HubException {
        while (!log(channel).subscribe(s, at, ref)) {
            Thread.onSpinWait(); // the log was retired between lookup and use: take the fresh one
        }
    }

    @Override
    public void unsubscribe(String channel, Subscriber s) {
        ChannelLog log = channels.get(channel);
        if (log != null) {
            log.unsubscribe(s);
            retireIfEmpty(log);
        }
    }

    /** The newest id of a channel, 0 if it has none. */
    @Override
    public long lastId(String channel) {
        ChannelLog log = channels.get(channel);
        return log == null ? 0 : log.lastId();
    }

    /**
     * The epoch of the channel's current history, null if the channel does not exist. The store
     * that holds a history names it: here each {@link ChannelLog} draws its own when it is made.
     */
    @Override
    public String epoch(String channel) {
        ChannelLog log = channels.get(channel);
        return log == null ? null : log.epoch();
    }

    @Override
    public int channelCount() {
        return channelCount.get();
    }

    private ChannelLog log(String channel) throws HubException {
        ChannelLog log = channels.get(channel);
        if (log != null) {
            return log;
        }
        // Counted before creation so that racing creators cannot overshoot the limit.
        if (channelCount.incrementAndGet() > maxChannels) {
            channelCount.decrementAndGet();
            throw new HubException(
                    "too-many-channels",
                    "the realm holds its maximum of " + maxChannels + " channels");
        }
        ChannelLog fresh = new ChannelLog(channel, retainEvents, retainBytes, stats);
        ChannelLog existing = channels.putIfAbsent(channel, fresh);
        if (existing != null) {
            channelCount.decrementAndGet();
            return existing;
        }
        stats.channels(1);
        return fresh;
    }

    /**
     * A channel that was only subscribed to, never published on, goes away with its last
     * subscriber.
     */
    private void retireIfEmpty(ChannelLog log) {
        if (log.retireIfEmpty() && channels.remove(log.name(), log)) {
            channelCount.decrementAndGet();
            stats.channels(-1);
        }
    }
}
