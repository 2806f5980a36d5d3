package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.ops.RealmMetrics;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpEndpointsTest {
    private static RunningRealm realm;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        realm = RunningRealm.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(realm.http() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheDemoPageTheBrowserClientAndProbes() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("realmgate.js");
        HttpResponse<String> js = get("/realmgate.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
        assertThat(js.body()).contains("Realmgate");
        assertThat(get("/healthz").body()).isEqualTo("ok\n");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        long before =
                realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.UPGRADE_REQUIRED);
        String refusalsBefore = refusalSeries();
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(refusalSeries()).as("a 404 is not a refusal").isEqualTo(refusalsBefore);
        HttpResponse<String> plainRealm = get("/realm");
        assertThat(plainRealm.statusCode()).isEqualTo(426);
        assertThat(realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.UPGRADE_REQUIRED))
                .isEqualTo(before + 1);
    }

    private static String refusalSeries() {
        return realm.server()
                .metrics()
                .render()
                .lines()
                .filter(l -> l.startsWith("realmgate_realm_http_refusals_total"))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void metricsCountConnectionsSubscriptionsAndEvents() throws Exception {
        try (RealmClient c = RealmClient.builder(realm.wsUri()).build()) {
            c.connect().get(5, TimeUnit.SECONDS);
            Inbox in = new Inbox();
            c.subscribe("metered", in).get(5, TimeUnit.SECONDS);
            c.publish("metered", "1").get(5, TimeUnit.SECONDS);
            in.next();
            HttpResponse<String> m = get("/metrics");
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("content-type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            assertThat(m.body())
                    .contains(
                            "realmgate_realm_connections{transport=\"websocket\",listener=\"ws\"} 1")
                    .contains("realmgate_realm_subscriptions 1")
                    .contains("realmgate_realm_events_published_total 1")
                    .contains("realmgate_realm_events_delivered_total{transport=\"websocket\"} 1")
                    .contains("# TYPE realmgate_realm_slow_consumer_drops_total counter");
        }
    }

    @Test
    void absoluteFormRequestsFromAForwardProxyAreRouted() throws Exception {
        try (Socket s = new Socket("127.0.0.1", realm.ws().getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(
                            ("GET http://127.0.0.1:"
                                            + realm.ws().getPort()
                                            + "/healthz HTTP/1.1\r\nHost: x\r\n"
                                            + "Connection: close\r\n\r\n")
                                    .getBytes());
            String resp = new String(s.getInputStream().readAllBytes());
            assertThat(resp).startsWith("HTTP/1.1 200").endsWith("ok\n");
        }
    }
}
