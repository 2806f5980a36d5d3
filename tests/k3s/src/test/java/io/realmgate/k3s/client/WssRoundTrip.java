package io.realmgate.k3s.client;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a client pod of the K3s suite, in the realm image (whose class path holds the realm's
 * Java client), from a ConfigMap that carries this class as compiled by the build (the image's
 * runtime has no compiler): opens wss://REALM through the HTTP CONNECT proxy PROXY_HOST:PROXY_PORT,
 * trusting only the CA bundle at CA_FILE, subscribes, publishes one event and receives it back.
 * Exit 0 and "ROUND TRIP OK ..." on success.
 *
 * <p>Arguments: REALM_URL PROXY_HOST PROXY_PORT CA_FILE
 */
public class WssRoundTrip {
    public static void main(String[] args) throws Exception {
        String realm = args[0];
        InetSocketAddress proxy = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        Path ca = Path.of(args[3]);
        CompletableFuture<RealmEvent> received = new CompletableFuture<>();
        try (RealmClient client =
                RealmClient.builder(realm)
                        .proxy(proxy)
                        .trustPem(ca)
                        .noReconnect()
                        .connectTimeout(Duration.ofSeconds(20))
                        .build()) {
            client.connect().get(60, TimeUnit.SECONDS);
            client.subscribe("k3s", received::complete).get(20, TimeUnit.SECONDS);
            client.publish("k3s", "\"hello through the proxy\"").get(20, TimeUnit.SECONDS);
            RealmEvent event = received.get(20, TimeUnit.SECONDS);
            System.out.println(
                    "ROUND TRIP OK channel="
                            + event.channel()
                            + " id="
                            + event.id()
                            + " data="
                            + event.data());
        }
    }
}
