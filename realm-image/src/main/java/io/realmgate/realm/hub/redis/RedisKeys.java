package io.realmgate.realm.hub.redis;

/**
 * The names the redis engine uses in Redis, all under one prefix and a colon ({@code
 * --redis-key-prefix}, default {@code realmgate}), so that a Redis may hold other data too and
 * several realms may share one Redis without sharing a channel: each realm's keys and pub/sub
 * channels are its own. Channel names are plain ASCII without spaces (ChannelName), so they go in
 * as they are.
 */
final class RedisKeys {
    private final String prefix;

    /** The epoch of everything the realm keeps in this Redis: gone when Redis lost its data. */
    final String epoch;

    /** The set of channel names, for the max-channels limit. */
    final String channels;

    private final String eventsHead;

    /**
     * @param prefix the realm's key prefix, without the colon that follows it
     */
    RedisKeys(String prefix) {
        this.prefix = prefix + ":";
        this.epoch = this.prefix + "epoch";
        this.channels = this.prefix + "channels";
        this.eventsHead = this.prefix + "ev:";
    }

    String counter(String channel) {
        return prefix + "ch:" + channel + ":id";
    }

    String log(String channel) {
        return prefix + "ch:" + channel + ":log";
    }

    String bytes(String channel) {
        return prefix + "ch:" + channel + ":bytes";
    }

    /** The pub/sub channel that carries the channel's events between realm processes. */
    String events(String channel) {
        return eventsHead + channel;
    }

    /** The realm channel a pub/sub channel carries, or null if it is not one of ours. */
    String channelOf(String pubSubChannel) {
        return pubSubChannel.startsWith(eventsHead)
                ? pubSubChannel.substring(eventsHead.length())
                : null;
    }
}
