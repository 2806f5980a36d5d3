package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --admin}: probes and metrics on a port of their own, nothing a client uses there; off by
 * default.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminEndpointTest {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> request(RunningRealm realm, String method, String path)
            throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + realm.server().adminAddress().getPort() + path);
        return http.send(
                HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthReadinessAndMetricsOnlyOnItsOwnPort() throws Exception {
        try (RunningRealm realm = RunningRealm.start(RealmConfig.testing().admin("127.0.0.1", 0));
                RealmClient client = RealmClient.builder(realm.wsUri()).build()) {
            client.connect().get(5, TimeUnit.SECONDS);
            assertThat(realm.server().adminAddress().getPort()).isNotEqualTo(realm.ws().getPort());

            assertThat(request(realm, "GET", "/healthz").body()).isEqualTo("ok\n");
            assertThat(request(realm, "GET", "/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = request(realm, "GET", "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type"))
                    .contains("text/plain; version=0.0.4; charset=utf-8");
            assertThat(metrics.body())
                    .contains(
                            "realmgate_realm_connections{transport=\"websocket\",listener=\"ws\"} 1");
            HttpResponse<String> head = request(realm, "HEAD", "/metrics");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();

            // What clients use is not here.
            for (String path :
                    new String[] {"/", "/realm", "/realmgate.js", "/poll?sub=a", "/stream?sub=a"}) {
                assertThat(request(realm, "GET", path).statusCode()).as(path).isEqualTo(404);
            }
            assertThat(request(realm, "POST", "/publish").statusCode()).isEqualTo(405);
            assertThat(realm.server().openConnections())
                    .as("admin requests are not client connections")
                    .isEqualTo(1);
        }
    }

    @Test
    void offByDefault() throws Exception {
        try (RunningRealm realm = RunningRealm.start()) {
            assertThat(realm.server().adminAddress()).isNull();
        }
    }
}
