package io.realmgate.realm.hub;

/**
 * Where a subscription starts: after id {@code from} of the history named {@code epoch}.
 *
 * @param from the last id the subscriber has seen, or a negative number for "live only"
 * @param epoch the epoch those ids belong to, or null if the subscriber does not know it (a client
 *     of protocol v1 without epochs: its ids are taken as the current history's)
 */
public record Position(long from, String epoch) {
    /** Live events only. */
    public static final Position LIVE = new Position(-1, null);

    public boolean replays() {
        return from >= 0;
    }
}
