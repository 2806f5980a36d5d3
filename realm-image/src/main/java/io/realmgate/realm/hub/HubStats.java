package io.realmgate.realm.hub;

/** What the hub reports about itself; the realm's metrics implement it. */
public interface HubStats {
    HubStats NONE = new HubStats() {};

    default void published() {}

    default void subscriptions(int delta) {}

    default void channels(int delta) {}

    default void retained(int events, long bytes) {}

    default void evicted() {}
}
