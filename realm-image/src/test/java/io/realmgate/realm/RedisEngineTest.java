package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.RedisPeer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redis engine (issue 16) against a real Redis ({@link RedisPeer}) with three realms in this
 * JVM sharing it: ids without gaps across realms, one order for racing publishers, {@code
 * unavailable} while Redis is away and catch-up when it returns, nothing lost over a restart with
 * the append-only file, a reset when Redis lost its data.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private RedisPeer redis;
    private final List<RunningRealm> realms = new ArrayList<>();
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void redis() throws Exception {
        assumeTrue(RedisPeer.available(), "redis-server is not installed");
        redis = RedisPeer.start(true);
    }

    @AfterEach
    void stop() throws IOException {
        for (RawWebSocket ws : sockets) {
            ws.close();
        }
        realms.forEach(RunningRealm::close);
        if (redis != null) {
            redis.close();
        }
    }

    private RunningRealm realm() throws Exception {
        return realm(RealmConfig.testing().retainEvents(1000).queueEvents(5000));
    }

    private RunningRealm realm(RealmConfig.Builder config) throws Exception {
        RunningRealm r = RunningRealm.start(config.engine(RealmConfig.REDIS).redisUrl(redis.url()));
        realms.add(r);
        return r;
    }

    private RawWebSocket socket(RunningRealm realm) throws IOException {
        RawWebSocket ws = RawWebSocket.open(realm.ws());
        ws.setReadTimeout((int) WAIT.toMillis());
        sockets.add(ws);
        return ws;
    }

    /** Subscribes and returns the {@code subscribed} frame. */
    private static JsonNode subscribe(RawWebSocket ws, String channel, String position)
            throws IOException {
        ws.sendText("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\"" + position + "}");
        return next(ws, f -> f.path("op").asText().equals("subscribed"));
    }

    /** The next frame that matches, skipping none: a frame that does not match fails. */
    private static JsonNode next(RawWebSocket ws, Predicate<JsonNode> expected) throws IOException {
        JsonNode f = JSON.readTree(ws.readText());
        assertThat(expected.test(f)).as("unexpected frame %s", f).isTrue();
        return f;
    }

    /** Reads {@code n} event frames and returns them; any other frame fails. */
    private static List<JsonNode> events(RawWebSocket ws, int n) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        while (out.size() < n) {
            out.add(next(ws, f -> f.path("op").asText().equals("event")));
        }
        return out;
    }

    /** Publishes {@code values} (pipelined) and returns the answers in order. */
    private static List<JsonNode> publish(RawWebSocket ws, String channel, List<String> values)
            throws IOException {
        for (String v : values) {
            ws.sendText(
                    "{\"op\":\"publish\",\"channel\":\""
                            + channel
                            + "\",\"data\":\""
                            + v
                            + "\",\"ref\":\""
                            + v
                            + "\"}");
        }
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            answers.add(JSON.readTree(ws.readText()));
        }
        return answers;
    }

    private static List<String> values(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static void assertContiguous(List<JsonNode> events, long first) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).get("id").asLong()).as("event %d", i).isEqualTo(first + i);
        }
    }

    @Test
    void eventsPublishedOnOneRealmReachSubscribersOnTheOthersInOrder() throws Exception {
        RunningRealm a = realm();
        RunningRealm b = realm();
        RunningRealm c = realm();
        RawWebSocket onB = socket(b);
        RawWebSocket onC = socket(c);
        assertThat(subscribe(onB, "prices", "").get("id").asLong()).isZero();
        assertThat(subscribe(onC, "prices", "").get("id").asLong()).isZero();

        List<JsonNode> acks = publish(socket(a), "prices", values("p", 1, 300));
        for (int i = 0; i < acks.size(); i++) {
            assertThat(acks.get(i).get("op").asText()).isEqualTo("ack");
            assertThat(acks.get(i).get("id").asLong()).isEqualTo(i + 1);
        }
        for (RawWebSocket ws : List.of(onB, onC)) {
            List<JsonNode> got = events(ws, 300);
            assertContiguous(got, 1);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).get("data").asText()).isEqualTo("p" + (i + 1));
            }
        }
        // A replay from any realm: the history is Redis's, not the publishing realm's.
        RawWebSocket late = socket(c);
        JsonNode subscribed = subscribe(late, "prices", ",\"from\":250");
        assertThat(subscribed.get("id").asLong()).isEqualTo(300);
        assertContiguous(events(late, 50), 251);
    }

    @Test
    void racingPublishersOnThreeRealmsMakeOneOrderEverySubscriberSees() throws Exception {
        List<RunningRealm> three = List.of(realm(), realm(), realm());
        List<RawWebSocket> subscribers = new ArrayList<>();
        for (RunningRealm r : three) {
            RawWebSocket ws = socket(r);
            subscribe(ws, "race", "");
            subscribers.add(ws);
        }
        int each = 200;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<JsonNode>>> answers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                RawWebSocket pub = socket(three.get(p));
                String prefix = "r" + p + "-";
                answers.add(pool.submit(() -> publish(pub, "race", values(prefix, 1, each))));
            }
            Set<Long> ackIds = new HashSet<>();
            for (Future<List<JsonNode>> f : answers) {
                for (JsonNode ack : f.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    assertThat(ack.get("op").asText()).isEqualTo("ack");
                    ackIds.add(ack.get("id").asLong());
                }
            }
            assertThat(ackIds).hasSize(3 * each);
            assertThat(ackIds).allMatch(id -> id >= 1 && id <= 3 * each);
        } finally {
            pool.shutdownNow();
        }
        List<String> first = null;
        for (RawWebSocket ws : subscribers) {
            List<JsonNode> got = events(ws, 3 * each);
            assertContiguous(got, 1);
            List<String> order = got.stream().map(e -> e.get("data").asText()).toList();
            if (first == null) {
                first = order;
            } else {
                assertThat(order).isEqualTo(first);
            }
        }
    }

    @Test
    void redisAwayRefusesPublishesAndSubscribersCatchUpWhenItReturns() throws Exception {
        RunningRealm a = realm();
        RunningRealm b = realm();
        RawWebSocket sub = socket(b);
        String epoch = subscribe(sub, "news", "").get("epoch").asText();
        RawWebSocket pub = socket(a);
        publish(pub, "news", values("n", 1, 5));
        assertContiguous(events(sub, 5), 1);

        redis.stop();
        Awaitility.await().atMost(WAIT).until(() -> !a.server().ready() && !b.server().ready());
        assertThat(readyz(b)).isEqualTo(503);
        JsonNode refused = publish(pub, "news", List.of("lost")).get(0);
        assertThat(refused.get("op").asText()).isEqualTo("error");
        assertThat(refused.get("code").asText()).isEqualTo("unavailable");
        assertThat(refused.get("ref").asText()).isEqualTo("lost");

        redis.restart(); // with its append-only file: nothing stored is lost
        Awaitility.await().atMost(WAIT).until(() -> a.server().ready() && b.server().ready());
        assertThat(readyz(b)).isEqualTo(200);
        List<JsonNode> acks = publish(pub, "news", values("n", 6, 10));
        assertThat(acks).allMatch(f -> f.get("op").asText().equals("ack"));
        assertThat(acks.get(0).get("id").asLong()).isEqualTo(6);
        // The subscriber stayed connected and goes on without a gap, in the same epoch.
        List<JsonNode> after = events(sub, 5);
        assertContiguous(after, 6);
        assertThat(after.get(4).get("data").asText()).isEqualTo("n10");

        RawWebSocket replay = socket(b);
        JsonNode subscribed = subscribe(replay, "news", ",\"from\":0,\"epoch\":\"" + epoch + "\"");
        assertThat(subscribed.get("epoch").asText()).isEqualTo(epoch);
        assertThat(subscribed.has("reset")).isFalse();
        assertContiguous(events(replay, 10), 1);
    }

    @Test
    void redisThatLostItsDataChangesTheEpochAndSubscribersAreReset() throws Exception {
        RunningRealm a = realm();
        RunningRealm b = realm();
        RawWebSocket sub = socket(b);
        String before = subscribe(sub, "fx", "").get("epoch").asText();
        RawWebSocket pub = socket(a);
        publish(pub, "fx", values("f", 1, 3));
        assertContiguous(events(sub, 3), 1);

        redis.flushAll();
        JsonNode reset = next(sub, f -> f.path("op").asText().equals("subscribed"));
        assertThat(reset.get("reset").asText()).isEqualTo("epoch-changed");
        String after = reset.get("epoch").asText();
        assertThat(after).isNotEqualTo(before);

        JsonNode ack = publish(pub, "fx", List.of("g1")).get(0);
        assertThat(ack.get("id").asLong()).isEqualTo(1);
        JsonNode event = events(sub, 1).get(0);
        assertThat(event.get("id").asLong()).isEqualTo(1);
        assertThat(event.get("data").asText()).isEqualTo("g1");

        // A client of the old history resuming on another realm is reset too.
        RawWebSocket resumer = socket(a);
        JsonNode resumed = subscribe(resumer, "fx", ",\"from\":3,\"epoch\":\"" + before + "\"");
        assertThat(resumed.get("reset").asText()).isEqualTo("epoch-changed");
        assertThat(resumed.get("epoch").asText()).isEqualTo(after);
        assertThat(events(resumer, 1).get(0).get("data").asText()).isEqualTo("g1");

        // Restarted empty: the same again, found by the reconnect instead of the sweep.
        redis.restartEmpty();
        JsonNode again = next(sub, f -> f.path("op").asText().equals("subscribed"));
        assertThat(again.get("reset").asText()).isEqualTo("epoch-changed");
        assertThat(again.get("epoch").asText()).isNotEqualTo(after);
    }

    @Test
    void longPollsEventStreamsAndHttpPublishesWorkOnAnyRealm() throws Exception {
        RunningRealm a = realm();
        RunningRealm b = realm();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> ack =
                    http.send(
                            HttpRequest.newBuilder(URI.create(a.http() + "/publish"))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    "{\"op\":\"publish\",\"channel\":\"poll\",\"data\":"
                                                            + i
                                                            + "}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ack.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ack.body()).get("id").asLong()).isEqualTo(i);
        }
        // A long-poll on the other realm resuming after id 1 gets 2 and 3 from Redis.
        HttpResponse<String> poll =
                http.send(
                        HttpRequest.newBuilder(URI.create(b.http() + "/poll?sub=poll:1&wait=10"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(poll.statusCode()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode f : JSON.readTree(poll.body()).get("frames")) {
            if (f.get("op").asText().equals("event")) {
                events.add(f);
            }
        }
        assertContiguous(events, 2);
        assertThat(events).hasSize(2);

        // wait=0 answers at once, yet with the replay Redis had to be asked for.
        HttpResponse<String> quick =
                http.send(
                        HttpRequest.newBuilder(URI.create(b.http() + "/poll?sub=poll:0&wait=0"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode f : JSON.readTree(quick.body()).get("frames")) {
            if (f.get("op").asText().equals("event")) {
                all.add(f);
            }
        }
        assertThat(all).hasSize(3);
        assertContiguous(all, 1);

        // An event stream on the other realm: the replay, then a live event published on the first.
        HttpResponse<java.util.stream.Stream<String>> stream =
                http.send(
                        HttpRequest.newBuilder(URI.create(b.http() + "/stream?sub=poll:0"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = stream.body()) {
            java.util.Iterator<String> it = lines.iterator();
            List<JsonNode> got = new ArrayList<>();
            boolean published = false;
            while (got.size() < 4) {
                String line = it.next();
                if (!line.startsWith("data:")) {
                    continue;
                }
                JsonNode f = JSON.readTree(line.substring(5).trim());
                if (f.get("op").asText().equals("event")) {
                    got.add(f);
                }
                if (got.size() == 3 && !published) {
                    published = true;
                    publish(socket(a), "poll", List.of("live"));
                }
            }
            assertContiguous(got, 1);
            assertThat(got.get(3).get("data").asText()).isEqualTo("live");
        }
    }

    @Test
    void aPasswordInTheUrlIsUsedAndNeverShown() throws Exception {
        String password = "pw-" + Long.toHexString(System.nanoTime());
        try (RedisPeer locked = RedisPeer.start(false, password)) {
            String wrong = "redis://:not-" + password + "@127.0.0.1:" + locked.port();
            assertThatThrownBy(
                            () ->
                                    RunningRealm.start(
                                            RealmConfig.testing()
                                                    .engine(RealmConfig.REDIS)
                                                    .redisUrl(wrong)))
                    .hasMessageContaining("redis://***@127.0.0.1:" + locked.port())
                    .hasMessageNotContaining(password);
            RunningRealm r =
                    RunningRealm.start(
                            RealmConfig.testing()
                                    .engine(RealmConfig.REDIS)
                                    .redisUrl(
                                            "redis://:"
                                                    + password
                                                    + "@127.0.0.1:"
                                                    + locked.port()));
            realms.add(r);
            // Ready once connected to Redis (a loaded machine may take a moment): only then is
            // a publish acknowledged rather than answered unavailable.
            Awaitility.await().atMost(WAIT).until(() -> readyz(r) == 200);
            JsonNode ack = publish(socket(r), "locked", List.of("x")).get(0);
            assertThat(ack.get("op").asText()).isEqualTo("ack");
            assertThat(ack.get("id").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aPasswordFromAFileIsUsedAndNeverShown(@TempDir Path dir) throws Exception {
        String password = "pw-" + Long.toHexString(System.nanoTime());
        try (RedisPeer locked = RedisPeer.start(false, password)) {
            // A Secret's key written by hand often ends with a line end: it is not the password's.
            Path wrong = Files.writeString(dir.resolve("wrong"), "not-" + password + "\n");
            assertThatThrownBy(
                            () ->
                                    RunningRealm.start(
                                            RealmConfig.testing()
                                                    .engine(RealmConfig.REDIS)
                                                    .redisUrl(locked.url())
                                                    .redisPasswordFile(wrong)))
                    .hasMessageContaining("redis://127.0.0.1:" + locked.port())
                    .hasMessageNotContaining(password);
            Path right = Files.writeString(dir.resolve("password"), password + "\n");
            RunningRealm r =
                    RunningRealm.start(
                            RealmConfig.testing()
                                    .engine(RealmConfig.REDIS)
                                    .redisUrl(locked.url())
                                    .redisPasswordFile(right));
            realms.add(r);
            // Ready once connected to Redis (a loaded machine may take a moment): only then is
            // a publish acknowledged rather than answered unavailable.
            Awaitility.await().atMost(WAIT).until(() -> readyz(r) == 200);
            JsonNode ack = publish(socket(r), "locked", List.of("x")).get(0);
            assertThat(ack.get("op").asText()).isEqualTo("ack");
            assertThat(ack.get("id").asLong()).isEqualTo(1);
        }
    }

    @Test
    void twoKeyPrefixesOnOneRedisAreTwoRealmsWithSeparateHistories() throws Exception {
        RunningRealm quotes = realm(RealmConfig.testing().redisKeyPrefix("realmgate:feeds/quotes"));
        RunningRealm trades = realm(RealmConfig.testing().redisKeyPrefix("realmgate:feeds/trades"));
        RawWebSocket onTrades = socket(trades);
        assertThat(subscribe(onTrades, "prices", "").get("id").asLong()).isZero();

        List<JsonNode> quoteAcks = publish(socket(quotes), "prices", values("q", 1, 3));
        List<JsonNode> tradeAcks = publish(socket(trades), "prices", values("t", 1, 2));
        assertThat(quoteAcks).extracting(a -> a.get("id").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(tradeAcks).extracting(a -> a.get("id").asLong()).containsExactly(1L, 2L);
        // The subscriber on trades heard trades' events only, none of quotes' on the same name.
        List<JsonNode> heard = events(onTrades, 2);
        assertThat(heard).extracting(e -> e.get("data").asText()).containsExactly("t1", "t2");

        RawWebSocket replayQuotes = socket(quotes);
        assertThat(subscribe(replayQuotes, "prices", ",\"from\":0").get("id").asLong())
                .isEqualTo(3);
        assertThat(events(replayQuotes, 3))
                .extracting(e -> e.get("data").asText())
                .containsExactly("q1", "q2", "q3");
        assertThat(redis.command("XLEN realmgate:feeds/quotes:ch:prices:log")).isEqualTo(":3");
        assertThat(redis.command("XLEN realmgate:feeds/trades:ch:prices:log")).isEqualTo(":2");
        assertThat(redis.command("EXISTS realmgate:ch:prices:log")).isEqualTo(":0");
    }

    @Test
    void retentionByCountBytesAndAgeIsKeptInRedis() throws Exception {
        RunningRealm byCount = realm(RealmConfig.testing().retainEvents(5).queueEvents(100));
        publish(socket(byCount), "counted", values("c", 1, 12));
        assertThat(redis.command("XLEN realmgate:ch:counted:log")).isEqualTo(":5");
        RawWebSocket ws = socket(byCount);
        ws.sendText("{\"op\":\"subscribe\",\"channel\":\"counted\",\"from\":0}");
        JsonNode truncated = next(ws, f -> f.path("code").asText().equals("replay-truncated"));
        assertThat(truncated.get("message").asText()).contains("events 1 to 7");
        next(ws, f -> f.path("op").asText().equals("subscribed") && f.get("id").asLong() == 12);
        assertContiguous(events(ws, 5), 8);

        // 600 bytes of data at most (at least twice --max-message): 100-byte events, 6 kept.
        RunningRealm byBytes = realm(RealmConfig.testing().maxMessageBytes(300).retainBytes(600));
        String hundred = "b".repeat(98); // a JSON string of 100 bytes with its quotes
        publish(socket(byBytes), "sized", java.util.Collections.nCopies(10, hundred));
        assertThat(redis.command("XLEN realmgate:ch:sized:log")).isEqualTo(":6");
        assertThat(redis.command("INCRBY realmgate:ch:sized:bytes 0")).isEqualTo(":600");

        RunningRealm byAge = realm(RealmConfig.testing().retainAge(Duration.ofSeconds(1)));
        RawWebSocket pub = socket(byAge);
        publish(pub, "aged", values("a", 1, 3));
        Thread.sleep(1500);
        publish(pub, "aged", List.of("a4"));
        assertThat(redis.command("XLEN realmgate:ch:aged:log")).isEqualTo(":1");
        // Nothing published for the whole age: Redis drops the log itself.
        Awaitility.await()
                .atMost(WAIT)
                .until(() -> redis.command("EXISTS realmgate:ch:aged:log").equals(":0"));
    }

    @Test
    void aRestartedRealmResumesClientsInTheSameHistory() throws Exception {
        RunningRealm a = realm();
        RawWebSocket pub = socket(a);
        publish(pub, "keep", values("k", 1, 4));
        RawWebSocket first = socket(a);
        String epoch = subscribe(first, "keep", ",\"from\":4").get("epoch").asText();
        pub.close();
        first.close();
        sockets.removeAll(List.of(pub, first));
        realms.remove(a);
        a.close();

        RunningRealm again = realm();
        publish(socket(again), "keep", values("k", 5, 6));
        RawWebSocket resumed = socket(again);
        JsonNode subscribed = subscribe(resumed, "keep", ",\"from\":4,\"epoch\":\"" + epoch + "\"");
        assertThat(subscribed.get("epoch").asText()).isEqualTo(epoch);
        assertThat(subscribed.has("reset")).isFalse();
        assertContiguous(events(resumed, 2), 5);
    }

    @Test
    void pipelinedHttpPublishesAreAnsweredInOrder() throws Exception {
        RunningRealm a = realm();
        StringBuilder requests = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            String body =
                    "{\"op\":\"publish\",\"channel\":\"piped\",\"data\":"
                            + i
                            + ",\"ref\":"
                            + i
                            + "}";
            requests.append("POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    .append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.length())
                    .append("\r\n\r\n")
                    .append(body);
        }
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", a.ws().getPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream()
                    .write(
                            requests.toString()
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            for (int i = 1; i <= 5; i++) {
                int length = -1;
                String line = readLine(in);
                assertThat(line).startsWith("HTTP/1.1 200");
                while (!(line = readLine(in)).isEmpty()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                byte[] body = new byte[length];
                in.readFully(body);
                JsonNode ack = JSON.readTree(body);
                assertThat(ack.get("ref").asInt()).isEqualTo(i);
                assertThat(ack.get("id").asLong()).isEqualTo(i);
            }
        }
    }

    /** The status of the realm's {@code /readyz}. */
    private static int readyz(RunningRealm realm) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(realm.http() + "/readyz"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String readLine(java.io.InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /**
     * The scripts go by their SHA (EVALSHA); after Redis forgot them (SCRIPT FLUSH mid-run) the
     * next call sends the script again and every publish is still acknowledged, in order.
     */
    @Test
    void scriptsAreCalledByShaAndSentAgainAfterRedisForgotThem() throws Exception {
        RunningRealm a = realm();
        RunningRealm b = realm();
        RawWebSocket sub = socket(b);
        subscribe(sub, "sha", "");
        RawWebSocket pub = socket(a);
        List<JsonNode> acks = publish(pub, "sha", values("s", 1, 20));
        assertThat(acks).allMatch(f -> f.get("op").asText().equals("ack"));
        long evalsBefore = redis.calls("eval");
        assertThat(redis.calls("evalsha")).isGreaterThanOrEqualTo(20);
        assertThat(evalsBefore).as("scripts sent whole before any flush").isZero();

        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");
        acks = publish(pub, "sha", values("s", 21, 40));
        for (int i = 0; i < acks.size(); i++) {
            assertThat(acks.get(i).get("op").asText()).as("answer %d", i).isEqualTo("ack");
            assertThat(acks.get(i).get("id").asLong()).isEqualTo(21 + i);
        }
        assertThat(redis.calls("eval")).as("the script sent again").isPositive();
        assertContiguous(events(sub, 40), 1);
        // A replay read after the flush goes through the same fallback for read.lua.
        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");
        RawWebSocket replay = socket(b);
        subscribe(replay, "sha", ",\"from\":30");
        assertContiguous(events(replay, 10), 31);
    }

    /**
     * What the admin {@code /metrics} says with the redis engine: the realm's channels (the set in
     * Redis, the same on every pod), the channels this pod listens to, the trims its own publishes
     * made; no retained gauges (they would need every channel's log read).
     */
    @Test
    void metricsSayWhatEachPodKnowsOfTheRetentionInRedis() throws Exception {
        RunningRealm a =
                realm(RealmConfig.testing().retainEvents(5).queueEvents(100).admin("127.0.0.1", 0));
        RunningRealm b =
                realm(RealmConfig.testing().retainEvents(5).queueEvents(100).admin("127.0.0.1", 0));
        RawWebSocket sub = socket(b);
        subscribe(sub, "m1", "");
        publish(socket(a), "m1", values("m", 1, 12));
        publish(socket(b), "m2", values("m", 1, 3));
        assertContiguous(events(sub, 12), 1);

        String onA = metrics(a);
        assertThat(onA)
                .contains("\nrealmgate_realm_events_evicted_total 7\n")
                .contains("\nrealmgate_realm_events_published_total 12\n")
                .contains("\nrealmgate_realm_channels_listening 0\n")
                .doesNotContain("realmgate_realm_retained_events")
                .doesNotContain("realmgate_realm_retained_bytes");
        String onB = metrics(b);
        assertThat(onB)
                .contains("\nrealmgate_realm_events_evicted_total 0\n")
                .contains("\nrealmgate_realm_channels 2\n")
                .contains("\nrealmgate_realm_channels_listening 1\n")
                .doesNotContain("realmgate_realm_retained_events");
        // a last published before b made m2: it learns the realm's count from its sweep.
        Awaitility.await()
                .atMost(WAIT)
                .until(() -> metrics(a).contains("\nrealmgate_realm_channels 2\n"));
        // A memory realm still exports its retained gauges.
        RunningRealm memory =
                RunningRealm.start(RealmConfig.testing().retainEvents(5).admin("127.0.0.1", 0));
        realms.add(memory);
        publish(socket(memory), "m1", values("m", 1, 7));
        assertThat(metrics(memory))
                .contains("\nrealmgate_realm_retained_events 5\n")
                .contains("\nrealmgate_realm_events_evicted_total 2\n")
                .doesNotContain("realmgate_realm_channels_listening");
    }

    private static String metrics(RunningRealm realm) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + realm.server()
                                                                        .adminAddress()
                                                                        .getPort()
                                                                + "/metrics"))
                                        .timeout(WAIT)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /**
     * Redis's replies are read on the realm's connection loops, not on threads of Lettuce's own: a
     * publish's ack then needs no hand-over between threads (decisions.md, "the fan-out's warm-up
     * and the redis round trip"). A stage added to the engine's future runs on the thread that
     * completes it, or on this one if it already completed.
     */
    @Test
    void redisRepliesAreReadOnTheRealmsConnectionLoops() throws Exception {
        RunningRealm r = realm();
        String test = Thread.currentThread().getName();
        List<String> completedOn = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            r.server()
                    .hub()
                    .engine()
                    .publish("loops", "{\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .whenComplete(
                            (id, failure) -> completedOn.add(Thread.currentThread().getName()))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(completedOn)
                .hasSize(20)
                .allMatch(t -> t.startsWith("realm-io") || t.equals(test));
        assertThat(completedOn).anyMatch(t -> t.startsWith("realm-io"));
    }

    /**
     * A realm forced to NIO where Lettuce would take epoll keeps Lettuce on loops of its own (an
     * epoll channel cannot join a NIO loop), and still stores and acknowledges.
     */
    @Test
    void aRealmOnNioKeepsRedisOnLettucesOwnLoops() throws Exception {
        assumeTrue(
                io.netty.channel.epoll.Epoll.isAvailable(), "epoll is not available: NIO for both");
        RunningRealm r =
                RunningRealm.start(
                        RealmConfig.testing().engine(RealmConfig.REDIS).redisUrl(redis.url()),
                        io.realmgate.common.Transport.NIO);
        realms.add(r);
        List<String> completedOn = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(
                    r.server()
                            .hub()
                            .engine()
                            .publish(
                                    "nio",
                                    "{\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                            .whenComplete(
                                    (id, failure) ->
                                            completedOn.add(Thread.currentThread().getName()))
                            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertThat(completedOn).noneMatch(t -> t.startsWith("realm-io"));
        assertThat(completedOn).anyMatch(t -> t.startsWith("lettuce-"));
        assertThat(ids).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
    }

    @Test
    void quietSubscriberSeesNoStrayFrames() throws Exception {
        RunningRealm a = realm();
        RawWebSocket sub = socket(a);
        subscribe(sub, "quiet", "");
        sub.setReadTimeout(2500);
        try {
            JsonNode stray = JSON.readTree(sub.readText());
            throw new AssertionError("nothing was published, yet the subscriber got " + stray);
        } catch (SocketTimeoutException expected) {
            // nothing: the sweep and its reads deliver nothing twice
        }
    }
}
