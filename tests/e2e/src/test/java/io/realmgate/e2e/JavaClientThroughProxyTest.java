package io.realmgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.tests.peers.TestCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client reaches the realm through our proxy with CONNECT, over ws and over wss (TLS end
 * to end).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JavaClientThroughProxyTest {
    private static Scenario realmOnly;
    private static Scenario scenario;

    @BeforeAll
    static void start() throws Exception {
        realmOnly = Scenario.realm();
        scenario = realmOnly.withProxy(realmOnly.wsPort(), realmOnly.wssPort());
    }

    @AfterAll
    static void stop() {
        scenario.close();
    }

    private static RealmClient viaProxy(URI uri) {
        return RealmClient.builder(uri)
                .proxy(new InetSocketAddress("127.0.0.1", scenario.proxyPort()))
                .trust(TestCertificates.get().ca().getCertificate())
                .build();
    }

    private static void roundTrip(URI uri, String channel) throws Exception {
        try (RealmClient sub = viaProxy(uri);
                RealmClient pub = viaProxy(uri)) {
            sub.connect().get(10, TimeUnit.SECONDS);
            pub.connect().get(10, TimeUnit.SECONDS);
            LinkedBlockingQueue<RealmEvent> events = new LinkedBlockingQueue<>();
            sub.subscribe(channel, events::add).get(5, TimeUnit.SECONDS);
            long id = pub.publish(channel, "{\"via\":\"proxy\"}").get(5, TimeUnit.SECONDS);
            assertThat(events.poll(5, TimeUnit.SECONDS))
                    .isEqualTo(new RealmEvent(channel, id, "{\"via\":\"proxy\"}"));
        }
    }

    @Test
    void wsThroughTheProxy() throws Exception {
        roundTrip(scenario.wsUri(), "e2e-ws");
    }

    @Test
    void wssThroughTheProxy() throws Exception {
        roundTrip(scenario.wssUri(), "e2e-wss");
        // Both tunnels were real CONNECTs: the realm saw its wss connections come and go.
        assertThat(scenario.realm.metrics().render())
                .contains("realmgate_realm_connections_opened_total{transport=\"websocket\"}");
    }

    @Test
    void aTargetTheProxyDoesNotAllowIsRefused() throws Exception {
        Scenario onlyWss = realmOnly.withProxy(realmOnly.wssPort());
        try (RealmClient c =
                RealmClient.builder(scenario.wsUri())
                        .proxy(new InetSocketAddress("127.0.0.1", onlyWss.proxyPort()))
                        .noReconnect()
                        .build()) {
            assertThatThrownBy(() -> c.connect().get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("403");
        } finally {
            onlyWss.closeProxy();
        }
    }
}
