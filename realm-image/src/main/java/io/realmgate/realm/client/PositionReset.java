package io.realmgate.realm.client;

/**
 * A subscription's position was reset: the realm no longer has the history the subscriber's ids
 * belong to (it restarted, or the channel was dropped and made again), so those ids name nothing.
 * The subscription continues in the new history: its retained events follow from the start, then
 * live ones. Events published in between may have been missed, and ids may repeat ids seen before.
 *
 * @param channel the subscription's channel
 * @param reason why, as the realm said it ({@code epoch-changed})
 * @param previousEpoch the epoch the subscriber's ids belonged to
 * @param previousId the last id the subscriber had seen in it
 * @param epoch the epoch of the channel's current history
 * @param newestId the current history's newest id when the subscription was made again
 */
public record PositionReset(
        String channel,
        String reason,
        String previousEpoch,
        long previousId,
        String epoch,
        long newestId) {}
