package io.realmgate.bench;

import io.netty.channel.EventLoopGroup;
import io.realmgate.realm.client.ConnectionListener;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.tests.peers.TestCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** The fan-out run's connection to a realm: the realm's own Java client, without reconnecting. */
final class RealmFanOutClient implements FanOutClient {
    static final Factory FACTORY = RealmFanOutClient::new;

    private final RealmClient client;
    private volatile boolean lost;

    private RealmFanOutClient(
            InetSocketAddress node, InetSocketAddress proxy, EventLoopGroup group) {
        RealmClient.Builder b =
                RealmClient.builder(URI.create("wss://127.0.0.1:" + node.getPort() + "/realm"))
                        .trust(TestCertificates.get().ca().getCertificate())
                        .eventLoopGroup(group)
                        .noReconnect()
                        .connectTimeout(Duration.ofSeconds(60))
                        .listener(
                                new ConnectionListener() {
                                    @Override
                                    public void disconnected(int code, String reason) {
                                        lost = true;
                                    }
                                });
        if (proxy != null) {
            b.proxy(proxy);
        }
        this.client = b.build();
    }

    @Override
    public CompletableFuture<?> connect() {
        return client.connect();
    }

    @Override
    public CompletableFuture<?> subscribe(String channel, LongConsumer delivered) {
        return client.subscribe(channel, ev -> delivered.accept(FanOutPayload.sentAt(ev.data())));
    }

    @Override
    public CompletableFuture<?> publish(String channel, String payloadJson) {
        return client.publish(channel, payloadJson);
    }

    @Override
    public boolean lost() {
        return lost;
    }

    @Override
    public void close() {
        client.close();
    }
}
