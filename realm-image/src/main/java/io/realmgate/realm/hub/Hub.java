package io.realmgate.realm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * The realm's channels. Transports (WebSocket, event stream, long-poll, HTTP publish) all come
 * here, so every transport sees the same events with the same ids. The hub checks what clients ask
 * for and counts it; its {@link Engine} stores, numbers and delivers.
 */
public final class Hub implements AutoCloseable {
    private final Engine engine;
    private final HubStats stats;

    /** A hub on the {@code memory} engine. */
    public Hub(int retainEvents, long retainBytes, int maxChannels, HubStats stats) {
        this(new MemoryEngine(retainEvents, retainBytes, maxChannels, stats), stats);
    }

    public Hub(Engine engine, HubStats stats) {
        this.engine = engine;
        this.stats = stats;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Stores the event and hands it to every subscriber. The future completes with its id once the
     * event is stored, or fails with a {@link HubException} ({@link HubException#of}); a refusal
     * known at once (a bad channel name, too many channels) is thrown.
     *
     * @param data the event's data, already-encoded JSON
     */
    public CompletableFuture<Long> publish(String channel, byte[] data) throws HubException {
        ChannelName.check(channel);
        return engine.publish(channel, data)
                .whenComplete(
                        (id, failure) -> {
                            if (failure == null) {
                                stats.published();
                            }
                        });
    }

    /**
     * Subscribes after {@code from} of the channel's current history, as a client that sends no
     * epoch ({@code from < 0}: live only).
     */
    public void subscribe(String channel, long from, Subscriber s, JsonNode ref)
            throws HubException {
        subscribe(channel, new Position(from, null), s, ref);
    }

    /** See {@link Engine#subscribe}. */
    public void subscribe(String channel, Position at, Subscriber s, JsonNode ref)
            throws HubException {
        ChannelName.check(channel);
        engine.subscribe(channel, at, s, ref);
    }

    public void unsubscribe(String channel, Subscriber s) {
        engine.unsubscribe(channel, s);
    }

    /** The newest id of a channel, 0 if it has none. */
    public long lastId(String channel) {
        return engine.lastId(channel);
    }

    /**
     * The epoch of the channel's current history, null if the channel does not exist. The engine
     * that holds a history names it.
     */
    public String epoch(String channel) {
        return engine.epoch(channel);
    }

    public int channelCount() {
        return engine.channelCount();
    }

    /** Whether events can be stored now; readiness follows it. */
    public boolean available() {
        return engine.available();
    }

    /** Why events cannot be stored now (meaningful while {@link #available()} is false). */
    public String unavailableReason() {
        return engine.unavailableReason();
    }

    @Override
    public void close() {
        engine.close();
    }
}
