package io.realmgate.realm.client;

/**
 * Receives a subscription's events, in id order, each once. Called on the client's event loop: do
 * not block.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(RealmEvent event);

    /**
     * The subscription's position was reset (the realm lost the history its ids belonged to); the
     * events that follow are the new history's, from its start. Called before them. Does nothing
     * unless overridden.
     */
    default void onReset(PositionReset reset) {}
}
