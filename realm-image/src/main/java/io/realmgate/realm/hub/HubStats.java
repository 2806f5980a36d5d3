package io.realmgate.realm.hub;

/** What the hub reports about itself; the realm's metrics implement it. */
public interface HubStats {
    HubStats NONE = new HubStats() {};

    default void published() {}

    default void subscriptions(int delta) {}

    default void channels(int delta) {}

    default void retained(int events, long bytes) {}

    default void evicted() {}

    /**
     * The engine keeps events in a store several processes share: this process cannot count what is
     * retained (so {@link #retained} is never called), and {@link #channels} is not used. Called
     * once, by the engine's constructor.
     */
    default void retainedElsewhere() {}

    /** The channels the shared store holds, as the store last said (a gauge, set). */
    default void storeChannels(long channels) {}

    /** Channels this process listens to on the store (a gauge, changed by delta). */
    default void listening(int delta) {}
}
