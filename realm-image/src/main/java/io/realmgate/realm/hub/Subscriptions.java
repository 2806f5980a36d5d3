package io.realmgate.realm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The channels one connection subscribed to, all delivering into its one {@link Outbox}. Used from
 * the connection's event loop only. {@link #close()} unsubscribes everything, so a closed
 * connection never stays registered in the hub.
 */
public final class Subscriptions implements AutoCloseable {
    private final Hub hub;
    private final Outbox outbox;
    private final int max;
    private final Set<String> channels = new LinkedHashSet<>();
    private boolean closed;

    public Subscriptions(Hub hub, Outbox outbox, int max) {
        this.hub = hub;
        this.outbox = outbox;
        this.max = max;
    }

    public void subscribe(String channel, Position at, JsonNode ref) throws HubException {
        if (closed) {
            return;
        }
        if (!channels.contains(channel) && channels.size() >= max) {
            throw new HubException(
                    "too-many-subscriptions",
                    "a connection may hold at most " + max + " subscriptions");
        }
        hub.subscribe(channel, at, outbox, ref);
        channels.add(channel);
    }

    /** Returns false if the connection was not subscribed to the channel. */
    public boolean unsubscribe(String channel) {
        if (channels.remove(channel)) {
            hub.unsubscribe(channel, outbox);
            return true;
        }
        return false;
    }

    public int size() {
        return channels.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String c : channels) {
            hub.unsubscribe(c, outbox);
        }
        channels.clear();
        outbox.shut();
    }
}
