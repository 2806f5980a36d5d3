package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channel epochs on each transport (issue 16): {@code subscribed} names the history's epoch; a
 * position sent back with the same epoch resumes exactly as before, one of another epoch is reset
 * to the start of the current history (said in {@code subscribed}, everything retained replayed),
 * and a position without an epoch is taken as before epochs existed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpochTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Never an epoch the realm draws (those are 16 hex digits): a history of another realm. */
    private static final String OTHER = "another-history";

    private static RunningRealm realm;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        realm = RunningRealm.start(RealmConfig.testing().retainEvents(10).queueEvents(100));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    /** Publishes {@code n} events 1..n on a fresh channel and returns its epoch. */
    private static String channelWith(String channel, int n) throws Exception {
        try (RealmClient pub = RealmClient.builder(realm.wsUri()).build()) {
            pub.connect().get(5, TimeUnit.SECONDS);
            for (int i = 1; i <= n; i++) {
                pub.publish(channel, String.valueOf(i)).get(5, TimeUnit.SECONDS);
            }
        }
        String epoch = realm.server().hub().epoch(channel);
        assertThat(epoch).matches("[0-9a-f]{16}");
        return epoch;
    }

    /** Subscribes on a fresh WebSocket and returns the frames up to the last expected event. */
    private static List<JsonNode> wsSubscribe(String message, int frames) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            ws.sendText(message);
            List<JsonNode> out = new ArrayList<>();
            while (out.size() < frames) {
                out.add(JSON.readTree(ws.readText()));
            }
            return out;
        }
    }

    private static List<Long> eventIds(List<JsonNode> frames) {
        return frames.stream()
                .filter(f -> f.path("op").asText().equals("event"))
                .map(f -> f.path("id").asLong())
                .toList();
    }

    @Test
    void webSocketSubscribedCarriesTheEpochAndASameEpochResumesAsBefore() throws Exception {
        String epoch = channelWith("ws-same", 5);
        List<JsonNode> live = wsSubscribe("{\"op\":\"subscribe\",\"channel\":\"ws-same\"}", 1);
        assertThat(live.get(0).toString())
                .isEqualTo(
                        "{\"op\":\"subscribed\",\"channel\":\"ws-same\",\"id\":5,\"epoch\":\""
                                + epoch
                                + "\"}");

        List<JsonNode> same =
                wsSubscribe(
                        "{\"op\":\"subscribe\",\"channel\":\"ws-same\",\"from\":3,\"epoch\":\""
                                + epoch
                                + "\",\"ref\":\"s\"}",
                        3);
        assertThat(same.get(0).toString())
                .isEqualTo(
                        "{\"op\":\"subscribed\",\"channel\":\"ws-same\",\"id\":5,\"epoch\":\""
                                + epoch
                                + "\",\"ref\":\"s\"}");
        assertThat(eventIds(same)).containsExactly(4L, 5L);
    }

    @Test
    void webSocketPositionOfAnotherEpochIsResetAndReplaysWhatIsRetained() throws Exception {
        String epoch = channelWith("ws-other", 5);
        List<JsonNode> reset =
                wsSubscribe(
                        "{\"op\":\"subscribe\",\"channel\":\"ws-other\",\"from\":3,\"epoch\":\""
                                + OTHER
                                + "\",\"ref\":1}",
                        6);
        assertThat(reset.get(0).toString())
                .isEqualTo(
                        "{\"op\":\"subscribed\",\"channel\":\"ws-other\",\"id\":5,\"epoch\":\""
                                + epoch
                                + "\",\"reset\":\"epoch-changed\",\"ref\":1}");
        assertThat(eventIds(reset)).containsExactly(1L, 2L, 3L, 4L, 5L);

        // An id ahead of the whole history is reset the same way, not reported as from-ahead.
        List<JsonNode> ahead =
                wsSubscribe(
                        "{\"op\":\"subscribe\",\"channel\":\"ws-other\",\"from\":900,\"epoch\":\""
                                + OTHER
                                + "\"}",
                        6);
        assertThat(ahead.get(0).path("reset").asText()).isEqualTo("epoch-changed");
        assertThat(eventIds(ahead)).containsExactly(1L, 2L, 3L, 4L, 5L);

        // from 0 asks for everything retained in any history: nothing seen, nothing reset.
        List<JsonNode> fromZero =
                wsSubscribe(
                        "{\"op\":\"subscribe\",\"channel\":\"ws-other\",\"from\":0,\"epoch\":\""
                                + OTHER
                                + "\"}",
                        6);
        assertThat(fromZero.get(0).has("reset")).isFalse();
        assertThat(eventIds(fromZero)).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aResetPastTheRetentionSaysWhatIsNoLongerRetained() throws Exception {
        String epoch = channelWith("ws-truncated", 15); // retains 10: ids 6 to 15
        List<JsonNode> frames =
                wsSubscribe(
                        "{\"op\":\"subscribe\",\"channel\":\"ws-truncated\",\"from\":12,\"epoch\":\""
                                + OTHER
                                + "\"}",
                        12);
        assertThat(frames.get(0).path("code").asText()).isEqualTo("replay-truncated");
        assertThat(frames.get(0).path("message").asText()).contains("events 1 to 5");
        assertThat(frames.get(1).path("epoch").asText()).isEqualTo(epoch);
        assertThat(frames.get(1).path("reset").asText()).isEqualTo("epoch-changed");
        assertThat(eventIds(frames)).containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    }

    @Test
    void webSocketWithoutAnEpochBehavesAsBeforeEpochs() throws Exception {
        channelWith("ws-none", 5);
        List<JsonNode> frames =
                wsSubscribe("{\"op\":\"subscribe\",\"channel\":\"ws-none\",\"from\":3}", 3);
        assertThat(frames.get(0).has("reset")).isFalse();
        assertThat(eventIds(frames)).containsExactly(4L, 5L);
        // Ahead of the channel without an epoch: from-ahead, as protocol v1 always answered.
        List<JsonNode> ahead =
                wsSubscribe("{\"op\":\"subscribe\",\"channel\":\"ws-none\",\"from\":99}", 2);
        assertThat(ahead.get(0).path("code").asText()).isEqualTo("from-ahead");
        assertThat(ahead.get(1).has("reset")).isFalse();
    }

    @Test
    void aBadEpochIsABadRequestNamingTheRule() throws Exception {
        for (String bad :
                new String[] {"7", "\"\"", "\"has space\"", "\"" + "e".repeat(65) + "\""}) {
            List<JsonNode> frames =
                    wsSubscribe(
                            "{\"op\":\"subscribe\",\"channel\":\"c\",\"from\":1,\"epoch\":"
                                    + bad
                                    + ",\"ref\":\"b\"}",
                            1);
            assertThat(frames.get(0).path("code").asText()).as(bad).isEqualTo("bad-request");
            assertThat(frames.get(0).path("message").asText())
                    .as(bad)
                    .isEqualTo("\"epoch\": an epoch is 1-64 characters of A-Z a-z 0-9 . _ ~ -");
            assertThat(frames.get(0).path("ref").asText()).isEqualTo("b");
        }
    }

    @Test
    void aChannelMadeAgainAndAnotherRealmHaveNewEpochs() throws Exception {
        String first;
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"fleeting\"}");
            first = JSON.readTree(ws.readText()).path("epoch").asText();
        }
        // Only subscribed to, never published on: the channel goes with its last subscriber.
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> realm.server().hub().epoch("fleeting") == null);
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"fleeting\"}");
            assertThat(JSON.readTree(ws.readText()).path("epoch").asText())
                    .matches("[0-9a-f]{16}")
                    .isNotEqualTo(first);
        }
        String here = channelWith("everywhere", 1);
        try (RunningRealm other = RunningRealm.start()) {
            try (RawWebSocket ws = RawWebSocket.open(other.ws())) {
                ws.sendText("{\"op\":\"subscribe\",\"channel\":\"everywhere\"}");
                assertThat(JSON.readTree(ws.readText()).path("epoch").asText()).isNotEqualTo(here);
            }
        }
    }

    // ---- long-poll ----

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(realm.http() + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonNode> poll(String query) throws Exception {
        HttpResponse<String> r = get("/poll?" + query + "&wait=0");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.body()).path("frames").forEach(out::add);
        return out;
    }

    @Test
    void longPollTakesTheEpochAsAQueryParameter() throws Exception {
        String epoch = channelWith("lp-epoch", 3);
        List<JsonNode> live = poll("sub=lp-epoch");
        assertThat(live.get(0).path("epoch").asText()).isEqualTo(epoch);

        List<JsonNode> same = poll("sub=lp-epoch:1&epoch=lp-epoch:" + epoch);
        assertThat(same.get(0).has("reset")).isFalse();
        assertThat(eventIds(same)).containsExactly(2L, 3L);

        List<JsonNode> other = poll("sub=lp-epoch:2&epoch=lp-epoch:" + OTHER);
        assertThat(other.get(0).toString())
                .isEqualTo(
                        "{\"op\":\"subscribed\",\"channel\":\"lp-epoch\",\"id\":3,\"epoch\":\""
                                + epoch
                                + "\",\"reset\":\"epoch-changed\"}");
        assertThat(eventIds(other)).containsExactly(1L, 2L, 3L);

        List<JsonNode> none = poll("sub=lp-epoch:2");
        assertThat(none.get(0).has("reset")).isFalse();
        assertThat(eventIds(none)).containsExactly(3L);
    }

    @Test
    void badEpochParametersAreRefusedWith400NamingThem() throws Exception {
        String[][] cases = {
            {"sub=q:1&epoch=q", "'q': epoch= takes CHANNEL:EPOCH"},
            {"sub=q:1&epoch=q:has%20space", "'q:has space': an epoch is 1-64 characters"},
            {"sub=q:1&epoch=elsewhere:abc", "channel 'elsewhere' has no sub= in this request"},
            {"sub=q:1&epoch=q:abc&epoch=q:def", "channel 'q' has more than one epoch="},
            {"sub=q:1&epoch=bad%20name:abc", "'bad name': channel names are 1-128"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = get("/poll?" + c[0] + "&wait=0");
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains(c[1]);
            HttpResponse<String> s = get("/stream?" + c[0]);
            assertThat(s.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(s.body()).as(c[0]).contains(c[1]);
        }
    }

    // ---- event stream ----

    private static List<JsonNode> stream(String query, int frames) throws Exception {
        HttpURLConnection c =
                (HttpURLConnection)
                        URI.create(realm.http() + "/stream?" + query).toURL().openConnection();
        c.setReadTimeout(10_000);
        try {
            assertThat(c.getResponseCode()).isEqualTo(200);
            List<JsonNode> out = new ArrayList<>();
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                while (out.size() < frames) {
                    String line = r.readLine();
                    if (line == null) {
                        throw new AssertionError("stream ended after " + out);
                    }
                    if (line.startsWith("data: ")) {
                        out.add(JSON.readTree(line.substring(6)));
                    }
                }
            }
            return out;
        } finally {
            c.disconnect();
        }
    }

    @Test
    void eventStreamTakesTheEpochAsAQueryParameter() throws Exception {
        String epoch = channelWith("sse-epoch", 3);
        List<JsonNode> same = stream("sub=sse-epoch:1&epoch=sse-epoch:" + epoch, 3);
        assertThat(same.get(0).path("epoch").asText()).isEqualTo(epoch);
        assertThat(same.get(0).has("reset")).isFalse();
        assertThat(eventIds(same)).containsExactly(2L, 3L);

        List<JsonNode> other = stream("sub=sse-epoch:1&epoch=sse-epoch:" + OTHER, 4);
        assertThat(other.get(0).path("epoch").asText()).isEqualTo(epoch);
        assertThat(other.get(0).path("reset").asText()).isEqualTo("epoch-changed");
        assertThat(eventIds(other)).containsExactly(1L, 2L, 3L);

        List<JsonNode> none = stream("sub=sse-epoch:2", 2);
        assertThat(none.get(0).has("reset")).isFalse();
        assertThat(eventIds(none)).containsExactly(3L);
    }
}
