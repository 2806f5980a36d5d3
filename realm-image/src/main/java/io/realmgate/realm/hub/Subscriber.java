package io.realmgate.realm.hub;

/**
 * Where the hub hands a connection's frames. Called with the channel's lock held, from whichever
 * thread published: it must only queue, never block or write to a socket.
 */
public interface Subscriber {
    void deliver(Frame frame);
}
