package io.realmgate.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The side-by-side fan-out run's connection to a realm: protocol v1 over wss at {@code /realm} (see
 * {@link RealmFrames}), on the same connection code as {@link CentrifugoClient} ({@link
 * WssBenchClient}: one tree parse per server frame, one command tree per publish), so that in
 * "Realm fan-out against Centrifugo" the two systems are driven by the same kind of client. The
 * realm's own Java client ({@link RealmFanOutClient}) does more per delivery (it keeps {@code data}
 * byte for byte, resumes, dedups) and was the bottleneck of those rows on the client's CPU.
 */
final class RealmRawClient extends WssBenchClient {
    static final Factory FACTORY =
            (node, proxy, group) -> {
                if (proxy != null) {
                    throw new IllegalArgumentException(
                            "the raw realm client connects directly only, not through a proxy");
                }
                return new RealmRawClient(node, group);
            };

    private final AtomicLong refs = new AtomicLong();

    private RealmRawClient(InetSocketAddress node, EventLoopGroup group) {
        super("the realm", "/realm", node, group);
    }

    @Override
    public CompletableFuture<?> subscribe(String channelName, LongConsumer delivered) {
        String ref = "s" + refs.incrementAndGet();
        return subscribe(channelName, delivered, ref, RealmFrames.subscribe(ref, channelName));
    }

    @Override
    public CompletableFuture<?> publish(String channelName, String payloadJson) {
        String ref = "p" + refs.incrementAndGet();
        return send(ref, RealmFrames.publish(ref, channelName, payloadJson));
    }

    /** The realm needs no command before the first subscribe. */
    @Override
    void upgraded(ChannelHandlerContext ctx) {
        connected.complete(null);
    }

    /** Replies (ack, subscribed, error) and events; an error without a ref asks for nothing. */
    @Override
    void read(ChannelHandlerContext ctx, String text) throws IOException {
        RealmFrames.Message m = RealmFrames.read(text);
        if (m instanceof RealmFrames.Event e) {
            deliver(e.channel(), e.data().path("t").asLong(-1));
        } else if (m instanceof RealmFrames.Reply r) {
            reply(r.ref(), r.error());
        }
    }
}
