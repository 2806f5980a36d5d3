package io.realmgate.realm.client;

/**
 * Receives a subscription's events, in id order, each once. Called on the client's event loop: do
 * not block.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(RealmEvent event);
}
