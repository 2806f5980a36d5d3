package io.realmgate.bench;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * One connection of the fan-out run to a system under test (the realm, or Centrifugo), seen the
 * same way: connect, subscribe to a channel, publish with an acknowledgement, close.
 */
interface FanOutClient extends AutoCloseable {
    CompletableFuture<?> connect();

    /**
     * Completes once the system confirmed the subscription; {@code delivered} then gets the payload
     * time ({@link FanOutPayload}) of every event delivered to it, on an event loop.
     */
    CompletableFuture<?> subscribe(String channel, LongConsumer delivered);

    /** Completes once the system acknowledged the publish (stored and handed on). */
    CompletableFuture<?> publish(String channel, String payloadJson);

    /** Whether the system closed this connection (a subscriber dropped as slow, say). */
    boolean lost();

    @Override
    void close();

    /** Makes clients of one system. */
    interface Factory {
        /**
         * @param node the system's wss address
         * @param proxy a forward proxy to tunnel through, or null for a direct connection
         */
        FanOutClient create(InetSocketAddress node, InetSocketAddress proxy, EventLoopGroup group);
    }
}
