package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.ops.RealmMetrics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Event stream, long-poll and HTTP publish: the same events, with the same ids, as over WebSocket.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FallbackTransportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(realm.http() + path))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(realm.http() + path))
                        .timeout(Duration.ofSeconds(40))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpPublishIsAckedAndSeenOverWebSocket() throws Exception {
        try (RealmClient ws = RealmClient.builder(realm.wsUri()).build()) {
            ws.connect().get(5, TimeUnit.SECONDS);
            Inbox in = new Inbox();
            ws.subscribe("http-pub", in).get(5, TimeUnit.SECONDS);
            HttpResponse<String> r =
                    post("/publish", "{\"channel\":\"http-pub\",\"data\":{\"a\":1},\"ref\":\"x\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"op\":\"ack\",\"ref\":\"x\",\"id\":1}");
            assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
            assertThat(in.next().data()).isEqualTo("{\"a\":1}");
            long badMessages =
                    realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.BAD_MESSAGE);
            long tooLarge =
                    realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.BODY_TOO_LARGE);
            HttpResponse<String> bad = post("/publish", "{\"channel\":\"http-pub\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).path("code").asText()).isEqualTo("bad-request");
            assertThat(post("/publish", "{\"op\":\"subscribe\",\"channel\":\"x\"}").statusCode())
                    .isEqualTo(400);
            assertThat(post("/publish", "nope").statusCode()).isEqualTo(400);
            String huge = "{\"channel\":\"http-pub\",\"data\":\"" + "x".repeat(200 * 1024) + "\"}";
            assertThat(post("/publish", huge).statusCode()).isEqualTo(413);
            assertThat(realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.BAD_MESSAGE))
                    .isEqualTo(badMessages + 3);
            assertThat(
                            realm.server()
                                    .metrics()
                                    .httpRefusals(RealmMetrics.HttpRefusal.BODY_TOO_LARGE))
                    .isEqualTo(tooLarge + 1);
        }
    }

    @Test
    void longPollReplaysWaitsAndResumesWithTheSameIds() throws Exception {
        for (int i = 1; i <= 3; i++) {
            post("/publish", "{\"channel\":\"lp\",\"data\":" + i + "}");
        }
        JsonNode first = JSON.readTree(get("/poll?sub=lp:1&wait=5").body()).path("frames");
        assertThat(first.toString())
                .isEqualTo(
                        "[{\"op\":\"subscribed\",\"channel\":\"lp\",\"id\":3,\"epoch\":\""
                                + realm.server().hub().epoch("lp")
                                + "\"},"
                                + "{\"op\":\"event\",\"channel\":\"lp\",\"id\":2,\"data\":2},{\"op\":\"event\",\"channel\":\"lp\",\"id\":3,\"data\":3}]");

        // Nothing new: the poll waits, and answers when an event comes.
        Thread publisher =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(500);
                                post("/publish", "{\"channel\":\"lp\",\"data\":\"late\"}");
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        publisher.start();
        long t0 = System.nanoTime();
        JsonNode second = JSON.readTree(get("/poll?sub=lp:3&wait=10").body()).path("frames");
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
        assertThat(second.get(1).toString())
                .isEqualTo("{\"op\":\"event\",\"channel\":\"lp\",\"id\":4,\"data\":\"late\"}");
        publisher.join();

        // Nothing at all: an answer with just the position after wait seconds.
        JsonNode third = JSON.readTree(get("/poll?sub=lp:4&wait=1").body()).path("frames");
        assertThat(third.toString())
                .isEqualTo(
                        "[{\"op\":\"subscribed\",\"channel\":\"lp\",\"id\":4,\"epoch\":\""
                                + realm.server().hub().epoch("lp")
                                + "\"}]");

        long badQueries = realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.BAD_QUERY);
        assertThat(get("/poll?sub=bad%20name").statusCode()).isEqualTo(400);
        assertThat(get("/poll?wait=1").statusCode()).isEqualTo(400);
        assertThat(get("/poll?sub=lp&wait=99").statusCode()).isEqualTo(400);
        assertThat(realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.BAD_QUERY))
                .isEqualTo(badQueries + 3);
    }

    @Test
    void eventStreamCarriesReplayAndLiveEventsAsProtocolFrames() throws Exception {
        for (int i = 1; i <= 2; i++) {
            post("/publish", "{\"channel\":\"sse\",\"data\":" + i + "}");
        }
        HttpURLConnection c =
                (HttpURLConnection)
                        URI.create(realm.http() + "/stream?sub=sse:0&sub=sse2")
                                .toURL()
                                .openConnection();
        c.setReadTimeout(5000);
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.getContentType()).startsWith("text/event-stream");
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> data = new ArrayList<>();
            readData(r, data, 4);
            assertThat(data)
                    .containsExactly(
                            "{\"op\":\"subscribed\",\"channel\":\"sse\",\"id\":2,\"epoch\":\""
                                    + realm.server().hub().epoch("sse")
                                    + "\"}",
                            "{\"op\":\"event\",\"channel\":\"sse\",\"id\":1,\"data\":1}",
                            "{\"op\":\"event\",\"channel\":\"sse\",\"id\":2,\"data\":2}",
                            "{\"op\":\"subscribed\",\"channel\":\"sse2\",\"id\":0,\"epoch\":\""
                                    + realm.server().hub().epoch("sse2")
                                    + "\"}");
            try (RealmClient ws = RealmClient.builder(realm.wsUri()).build()) {
                ws.connect().get(5, TimeUnit.SECONDS);
                assertThat(ws.publish("sse2", "\"from ws\"").get(5, TimeUnit.SECONDS)).isEqualTo(1);
            }
            data.clear();
            readData(r, data, 1);
            assertThat(data)
                    .containsExactly(
                            "{\"op\":\"event\",\"channel\":\"sse2\",\"id\":1,\"data\":\"from ws\"}");
        } finally {
            c.disconnect();
        }
        org.awaitility.Awaitility.await()
                .atMost(5, TimeUnit.SECONDS)
                .until(
                        () ->
                                realm.server()
                                        .metrics()
                                        .render()
                                        .contains(
                                                "realmgate_realm_connections{transport=\"stream\",listener=\"ws\"} 0"));
    }

    private static void readData(BufferedReader r, List<String> into, int n) throws Exception {
        while (into.size() < n) {
            String line = r.readLine();
            if (line == null) {
                throw new AssertionError("stream ended");
            }
            if (line.startsWith("data: ")) {
                into.add(line.substring(6));
            }
        }
    }
}
