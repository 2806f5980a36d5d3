package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmClientException;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.tests.peers.LeakWatch;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Protocol v1 over real WebSocket connections on loopback: the Java client and a raw socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningRealm realm;
    private static LeakWatch leaks;

    @BeforeAll
    static void start() throws Exception {
        leaks = LeakWatch.install();
        realm = RunningRealm.start(RealmConfig.testing().retainEvents(10).queueEvents(100));
    }

    @AfterAll
    static void stop() throws Exception {
        realm.close();
        List<String> found = leaks.leaks();
        leaks.uninstall();
        assertThat(found).as("Netty leak reports").isEmpty();
    }

    private static RealmClient client() throws Exception {
        RealmClient c = RealmClient.builder(realm.wsUri()).build();
        c.connect().get(5, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void publishIsAckedWithItsIdAndReachesEverySubscriber() throws Exception {
        try (RealmClient a = client();
                RealmClient b = client();
                RealmClient pub = client()) {
            Inbox ia = new Inbox();
            Inbox ib = new Inbox();
            long start = a.subscribe("prices", ia).get(5, TimeUnit.SECONDS);
            b.subscribe("prices", ib).get(5, TimeUnit.SECONDS);

            long id1 =
                    pub.publish("prices", "{\"sym\":\"ACME\",\"px\":12.5}")
                            .get(5, TimeUnit.SECONDS);
            long id2 = pub.publish("prices", "[1,2,3]").get(5, TimeUnit.SECONDS);

            assertThat(id1).isEqualTo(start + 1);
            assertThat(id2).isEqualTo(id1 + 1);
            for (Inbox in : List.of(ia, ib)) {
                RealmEvent e1 = in.next();
                RealmEvent e2 = in.next();
                assertThat(e1)
                        .isEqualTo(new RealmEvent("prices", id1, "{\"sym\":\"ACME\",\"px\":12.5}"));
                assertThat(e2).isEqualTo(new RealmEvent("prices", id2, "[1,2,3]"));
            }
        }
    }

    @Test
    void idsGrowByOnePerChannel() throws Exception {
        try (RealmClient c = client()) {
            long a1 = c.publish("ids-a", "1").get(5, TimeUnit.SECONDS);
            long b1 = c.publish("ids-b", "1").get(5, TimeUnit.SECONDS);
            long a2 = c.publish("ids-a", "2").get(5, TimeUnit.SECONDS);
            long b2 = c.publish("ids-b", "2").get(5, TimeUnit.SECONDS);
            assertThat(List.of(a1, a2, b1, b2)).containsExactly(1L, 2L, 1L, 2L);
        }
    }

    @Test
    void fromReplaysRetainedEventsThenGoesLive() throws Exception {
        try (RealmClient pub = client();
                RealmClient sub = client()) {
            for (int i = 1; i <= 5; i++) {
                pub.publish("replay", String.valueOf(i)).get(5, TimeUnit.SECONDS);
            }
            Inbox in = new Inbox();
            long at = sub.subscribe("replay", 2, in).get(5, TimeUnit.SECONDS);
            assertThat(at).isEqualTo(5);
            pub.publish("replay", "6").get(5, TimeUnit.SECONDS);
            assertThat(in.take(4, 5)).extracting(RealmEvent::id).containsExactly(3L, 4L, 5L, 6L);
            assertThat(in.quietFor(200)).isTrue();
        }
    }

    @Test
    void unsubscribeStopsEvents() throws Exception {
        try (RealmClient c = client()) {
            Inbox in = new Inbox();
            c.subscribe("unsub", in).get(5, TimeUnit.SECONDS);
            c.publish("unsub", "1").get(5, TimeUnit.SECONDS);
            assertThat(in.next().id()).isEqualTo(1);
            c.unsubscribe("unsub");
            // Messages of one connection are handled in order: the publish below comes after the
            // unsubscribe.
            c.publish("unsub", "2").get(5, TimeUnit.SECONDS);
            assertThat(in.quietFor(300)).isTrue();
        }
    }

    @Test
    void retentionLimitIsReportedAsTruncatedReplay() throws Exception {
        try (RealmClient pub = client();
                RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            for (int i = 1; i <= 15; i++) {
                pub.publish("retain", String.valueOf(i)).get(5, TimeUnit.SECONDS);
            }
            raw.sendText("{\"op\":\"subscribe\",\"channel\":\"retain\",\"from\":0,\"ref\":7}");
            JsonNode err = JSON.readTree(raw.readText());
            assertThat(err.path("op").asText()).isEqualTo("error");
            assertThat(err.path("code").asText()).isEqualTo("replay-truncated");
            assertThat(err.path("ref").asInt()).isEqualTo(7);
            assertThat(JSON.readTree(raw.readText()).toString())
                    .isEqualTo(
                            "{\"op\":\"subscribed\",\"channel\":\"retain\",\"id\":15,\"epoch\":\""
                                    + realm.server().hub().epoch("retain")
                                    + "\",\"ref\":7}");
            for (int id = 6; id <= 15; id++) {
                assertThat(JSON.readTree(raw.readText()).path("id").asLong()).isEqualTo(id);
            }
        }
    }

    @Test
    void fromAheadOfTheChannelIsReportedAndFollowsTheRealm() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.sendText("{\"op\":\"subscribe\",\"channel\":\"ahead\",\"from\":99}");
            assertThat(JSON.readTree(raw.readText()).path("code").asText()).isEqualTo("from-ahead");
            assertThat(JSON.readTree(raw.readText()).path("id").asLong()).isZero();
            raw.sendText("{\"op\":\"publish\",\"channel\":\"ahead\",\"data\":null}");
            String a = raw.readText();
            String b = raw.readText();
            assertThat(List.of(a, b))
                    .containsExactlyInAnyOrder(
                            "{\"op\":\"event\",\"channel\":\"ahead\",\"id\":1,\"data\":null}",
                            "{\"op\":\"ack\",\"id\":1}");
        }
    }

    @Test
    void badMessagesGetErrorFramesAndTheConnectionStays() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            String[][] cases = {
                {"{not json", "bad-json"},
                {"[1,2]", "bad-request"},
                {"{\"op\":\"dance\",\"channel\":\"x\",\"ref\":\"r1\"}", "unknown-op"},
                {"{\"op\":\"publish\",\"channel\":\"has space\",\"data\":1}", "bad-channel"},
                {"{\"op\":\"publish\",\"channel\":\"x\"}", "bad-request"},
                {"{\"op\":\"subscribe\",\"channel\":\"x\",\"from\":-4}", "bad-request"},
                {"{\"op\":\"subscribe\"}", "bad-request"},
                {
                    "{\"op\":\"publish\",\"channel\":\"x\",\"data\":1,\"ref\":{\"o\":1}}",
                    "bad-request"
                },
                {"[".repeat(100) + "]".repeat(100), "bad-json"},
            };
            for (String[] c : cases) {
                raw.sendText(c[0]);
                JsonNode e = JSON.readTree(raw.readText());
                assertThat(e.path("op").asText()).as(c[0]).isEqualTo("error");
                assertThat(e.path("code").asText()).as(c[0]).isEqualTo(c[1]);
            }
            raw.sendText("{\"op\":\"dance\",\"channel\":\"x\",\"ref\":\"r1\"}");
            assertThat(JSON.readTree(raw.readText()).path("ref").asText()).isEqualTo("r1");
            raw.sendText(
                    "{\"op\":\"publish\",\"channel\":\"still-ok\",\"data\":true,\"ref\":\"r2\",\"future\":1}");
            assertThat(raw.readText()).isEqualTo("{\"op\":\"ack\",\"ref\":\"r2\",\"id\":1}");
        }
    }

    @Test
    void clientSideErrorsFailTheFuture() throws Exception {
        try (RealmClient c = client()) {
            assertThatThrownBy(() -> c.publish("bad name", "1").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(RealmClientException.class)
                    .extracting(t -> ((RealmClientException) t).code())
                    .isEqualTo("bad-channel");
            assertThatThrownBy(() -> c.subscribe("bad name", new Inbox()).get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(RealmClientException.class);
        }
    }

    @Test
    void refusedFramesGetTheMatchingCloseCodeAndTheServerStaysUp() throws Exception {
        int max = realm.server().metrics() != null ? 64 * 1024 : 0;
        RealmMetrics metrics = realm.server().metrics();
        long[] before = {
            metrics.webSocketRefusals(1003),
            metrics.webSocketRefusals(1009),
            metrics.webSocketRefusals(1007),
            metrics.webSocketRefusals(1002)
        };
        // A binary frame: 1003.
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.send(RawWebSocket.BINARY, true, true, new byte[] {1, 2, 3});
            assertThat(raw.readUntilClose()).isEqualTo(1003);
        }
        // One frame larger than --max-message: 1009.
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.send(RawWebSocket.TEXT, true, true, new byte[max + 1]);
            assertThat(raw.readUntilClose()).isEqualTo(1009);
        }
        // A message in fragments that together exceed --max-message: 1009.
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            byte[] part = new byte[40 * 1024];
            Arrays.fill(part, (byte) 'a');
            raw.send(RawWebSocket.TEXT, false, true, part);
            raw.send(RawWebSocket.CONTINUATION, true, true, part);
            assertThat(raw.readUntilClose()).isEqualTo(1009);
        }
        // Text that is not UTF-8: 1007.
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.send(
                    RawWebSocket.TEXT, true, true, new byte[] {'"', (byte) 0xc3, (byte) 0x28, '"'});
            assertThat(raw.readUntilClose()).isEqualTo(1007);
        }
        // An unmasked client frame: 1002 protocol error.
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.send(RawWebSocket.TEXT, true, false, "{}".getBytes());
            assertThat(raw.readUntilClose()).isEqualTo(1002);
        }
        assertThat(
                        new long[] {
                            metrics.webSocketRefusals(1003),
                            metrics.webSocketRefusals(1009),
                            metrics.webSocketRefusals(1007),
                            metrics.webSocketRefusals(1002)
                        })
                .containsExactly(before[0] + 1, before[1] + 2, before[2] + 1, before[3] + 1);
        assertThat(metrics.render())
                .contains(
                        "realmgate_realm_websocket_refusals_total{code=\"1009\"} "
                                + (before[1] + 2));
        // A fragmented message whose parts add up fine is accepted.
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.send(RawWebSocket.TEXT, false, true, "{\"op\":\"publish\",".getBytes());
            raw.send(
                    RawWebSocket.CONTINUATION,
                    true,
                    true,
                    "\"channel\":\"frag\",\"data\":1}".getBytes());
            assertThat(raw.readText()).isEqualTo("{\"op\":\"ack\",\"id\":1}");
        }
        // And the realm still serves.
        try (RealmClient c = client()) {
            assertThat(c.publish("after-abuse", "1").get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void closingCleanlyIsEchoedAndUnsubscribes() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.sendText("{\"op\":\"subscribe\",\"channel\":\"bye\"}");
            raw.readText();
            raw.send(RawWebSocket.CLOSE, true, true, new byte[] {0x03, (byte) 0xe8});
            assertThat(raw.readUntilClose()).isEqualTo(1000);
        }
        org.awaitility.Awaitility.await()
                .atMost(5, TimeUnit.SECONDS)
                .until(
                        () ->
                                realm.server()
                                        .metrics()
                                        .render()
                                        .contains("realmgate_realm_subscriptions 0"));
    }
}
