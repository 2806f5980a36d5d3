package io.realmgate.realm.client;

/** What happens to the client's connection. Called on the client's event loop: do not block. */
public interface ConnectionListener {
    /**
     * Connected; {@code reconnect} is true when this follows a lost connection (subscriptions
     * resume).
     */
    default void connected(boolean reconnect) {}

    /**
     * The connection ended. {@code code} is the WebSocket close code the server sent (see
     * docs/protocol.md), or 1006 when the connection ended without one.
     */
    default void disconnected(int code, String reason) {}

    /**
     * An error frame that answers nothing this client waits for (e.g. {@code replay-truncated}).
     */
    default void error(String code, String message) {}
}
