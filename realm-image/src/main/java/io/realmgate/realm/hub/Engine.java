package io.realmgate.realm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;

/**
 * Where a realm keeps its channels: it numbers events, retains them, names each channel's history
 * with an epoch and hands every event to the subscribers of this process. The {@code memory} engine
 * keeps all of it in this process ({@link MemoryEngine}); another engine keeps it in a store
 * several realm processes share, and then also carries events between them.
 *
 * <p>Channel names reach an engine already checked ({@link ChannelName}). No method may block: they
 * run on event loops.
 */
public interface Engine extends AutoCloseable {
    /**
     * Stores the event and hands it to every subscriber. The future completes with the event's id
     * once the event is stored, or fails with a {@link HubException} (for example {@code
     * unavailable}); a refusal known at once may also be thrown.
     *
     * @param data the event's data, already-encoded JSON
     */
    CompletableFuture<Long> publish(String channel, byte[] data) throws HubException;

    /**
     * Adds a subscriber. It receives, in this order: error frames if {@code at} cannot be honoured
     * exactly, the {@code subscribed} frame, the retained events after {@code at}, then live events
     * in id order, each once. The frames may arrive after this method returned.
     */
    void subscribe(String channel, Position at, Subscriber s, JsonNode ref) throws HubException;

    void unsubscribe(String channel, Subscriber s);

    /** The newest id of a channel as this process knows it, 0 if none. */
    long lastId(String channel);

    /** The epoch of the channel's current history as this process knows it, null if unknown. */
    String epoch(String channel);

    /** Channels this process holds. */
    int channelCount();

    /** Whether the engine can store events now (readiness). */
    default boolean available() {
        return true;
    }

    /** Why {@link #available()} is false, for {@code /readyz} and refusals; no secret in it. */
    default String unavailableReason() {
        return "the " + name() + " engine is unavailable";
    }

    /** Connects to what the engine stores in; called once before the realm takes clients. */
    default void start() {}

    /**
     * As {@link #start()}, offered the realm's connection loops ({@code loopCount} of them, for
     * channels of {@code channelType}) for the engine's own connections, so that its I/O needs no
     * threads of its own; an engine without connections ignores them.
     */
    default void start(
            EventLoopGroup connectionLoops,
            int loopCount,
            Class<? extends io.netty.channel.Channel> channelType) {
        start();
    }

    /** A name for logs: {@code memory}, {@code redis}. */
    String name();

    @Override
    default void close() {}
}
