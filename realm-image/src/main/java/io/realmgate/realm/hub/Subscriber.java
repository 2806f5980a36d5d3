package io.realmgate.realm.hub;

/**
 * Where the hub hands a connection's frames. Called with the channel's lock held, from whichever
 * thread published: it must only queue, never block or write to a socket.
 */
public interface Subscriber {
    void deliver(Frame frame);

    /**
     * Delivers frames that belong together (a replay read from a store) as one batch: a transport
     * that answers per batch (a long-poll) sees all of them at once.
     */
    default void deliverAll(java.util.List<Frame> frames) {
        for (Frame f : frames) {
            deliver(f);
        }
    }
}
