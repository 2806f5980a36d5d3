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

    /**
     * {@code events} retained events were just delivered as a replay (a subscribe with {@code
     * from}). Called by the engine when it delivers them, which for an engine with a store
     * elsewhere is after the subscribe returned: the transport charges its {@code --replay-rate}
     * budget here.
     */
    default void replayed(int events) {}
}
