package io.realmgate.realm.hub.redis;

/**
 * The names the redis engine uses in Redis, all under one prefix so that a Redis may hold other
 * data too. Channel names are plain ASCII without spaces (ChannelName), so they go in as they are.
 */
final class RedisKeys {
    static final String PREFIX = "realmgate:";

    /** The epoch of everything the realm keeps in this Redis: gone when Redis lost its data. */
    static final String EPOCH = PREFIX + "epoch";

    /** The set of channel names, for the max-channels limit. */
    static final String CHANNELS = PREFIX + "channels";

    private RedisKeys() {}

    static String counter(String channel) {
        return PREFIX + "ch:" + channel + ":id";
    }

    static String log(String channel) {
        return PREFIX + "ch:" + channel + ":log";
    }

    static String bytes(String channel) {
        return PREFIX + "ch:" + channel + ":bytes";
    }

    /** The pub/sub channel that carries the channel's events between realm processes. */
    static String events(String channel) {
        return PREFIX + "ev:" + channel;
    }

    /** The realm channel a pub/sub channel carries, or null if it is not one of ours. */
    static String channelOf(String pubSubChannel) {
        String head = PREFIX + "ev:";
        return pubSubChannel.startsWith(head) ? pubSubChannel.substring(head.length()) : null;
    }
}
