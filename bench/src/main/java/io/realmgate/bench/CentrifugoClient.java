package io.realmgate.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The fan-out run's connection to a Centrifugo node: its JSON client protocol over wss at {@code
 * /connection/websocket} (see {@link CentrifugoFrames}), anonymous (the node allows it), publishing
 * over the same connection and waiting for each publish's reply, as the realm's client waits for
 * its ack. The connection code is {@link WssBenchClient}'s, the same as the realm's raw client's.
 */
final class CentrifugoClient extends WssBenchClient {
    static final Factory FACTORY =
            (node, proxy, group) -> {
                if (proxy != null) {
                    throw new IllegalArgumentException(
                            "the Centrifugo client connects directly only, not through a proxy");
                }
                return new CentrifugoClient(node, group);
            };

    private final AtomicLong ids = new AtomicLong();

    private CentrifugoClient(InetSocketAddress node, EventLoopGroup group) {
        super("Centrifugo", "/connection/websocket", node, group);
    }

    @Override
    public CompletableFuture<?> subscribe(String channelName, LongConsumer delivered) {
        long id = ids.incrementAndGet();
        return subscribe(
                channelName,
                delivered,
                String.valueOf(id),
                CentrifugoFrames.subscribe(id, channelName));
    }

    @Override
    public CompletableFuture<?> publish(String channelName, String payloadJson) {
        long id = ids.incrementAndGet();
        return send(String.valueOf(id), CentrifugoFrames.publish(id, channelName, payloadJson));
    }

    /** Centrifugo wants its connect command first; the client is connected once it is answered. */
    @Override
    void upgraded(ChannelHandlerContext ctx) {
        long id = ids.incrementAndGet();
        send(ctx.channel(), String.valueOf(id), CentrifugoFrames.connect(id))
                .whenComplete(
                        (ok, e) -> {
                            if (e != null) {
                                connected.completeExceptionally(e);
                            } else {
                                connected.complete(null);
                            }
                        });
    }

    /** Replies, publications and pings, several per frame; other pushes ask for nothing. */
    @Override
    void read(ChannelHandlerContext ctx, String text) throws IOException {
        for (CentrifugoFrames.Message m : CentrifugoFrames.read(text)) {
            if (m instanceof CentrifugoFrames.Publication pub) {
                deliver(pub.channel(), pub.data().path("t").asLong(-1));
            } else if (m instanceof CentrifugoFrames.Reply r) {
                reply(String.valueOf(r.id()), r.error());
            } else if (m instanceof CentrifugoFrames.Ping) {
                ctx.writeAndFlush(new TextWebSocketFrame(CentrifugoFrames.pong()));
            } else if (m instanceof CentrifugoFrames.Disconnect) {
                markLost();
            }
        }
    }
}
