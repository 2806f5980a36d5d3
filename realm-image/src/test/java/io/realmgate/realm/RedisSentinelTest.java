package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.RedisPeer;
import io.realmgate.tests.peers.RedisSentinelPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The redis engine through Redis Sentinel ({@code redis-sentinel://127.0.0.1:PORT#mymaster}):
 * Debian's redis-server as a master, a replica and one sentinel, on loopback. Publish and subscribe
 * work across two realms, and after a failover ({@code SENTINEL FAILOVER}: the replica becomes the
 * master, the old master its replica, the sentinel cuts their clients) the realms find the new
 * master through the sentinel and go on in the same history.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisSentinelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RedisPeer master;
    private RedisPeer replica;
    private RedisSentinelPeer sentinel;
    private final List<RunningRealm> realms = new ArrayList<>();
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void redis() throws Exception {
        assumeTrue(RedisPeer.available(), "redis-server is not installed");
        master = RedisPeer.start(false);
        replica = RedisPeer.startReplicaOf(master.port());
        sentinel = RedisSentinelPeer.watch(master.port());
    }

    @AfterEach
    void stop() throws IOException {
        for (RawWebSocket ws : sockets) {
            ws.close();
        }
        realms.forEach(RunningRealm::close);
        if (sentinel != null) {
            sentinel.close();
        }
        if (replica != null) {
            replica.close();
        }
        if (master != null) {
            master.close();
        }
    }

    private RunningRealm realm() throws Exception {
        RunningRealm r =
                RunningRealm.start(
                        RealmConfig.testing()
                                .retainEvents(1000)
                                .engine(RealmConfig.REDIS)
                                .redisUrl(sentinel.url()));
        realms.add(r);
        return r;
    }

    private RawWebSocket socket(RunningRealm realm) throws IOException {
        RawWebSocket ws = RawWebSocket.open(realm.ws());
        ws.setReadTimeout((int) WAIT.toMillis());
        sockets.add(ws);
        return ws;
    }

    private static JsonNode read(RawWebSocket ws) throws IOException {
        return JSON.readTree(ws.readText());
    }

    private static JsonNode subscribe(RawWebSocket ws, String channel, String position)
            throws IOException {
        ws.sendText("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\"" + position + "}");
        JsonNode f = read(ws);
        assertThat(f.get("op").asText()).as("answer %s", f).isEqualTo("subscribed");
        return f;
    }

    /** One publish and its answer (an ack or an error). */
    private static JsonNode publish(RawWebSocket ws, String channel, String value)
            throws IOException {
        ws.sendText(
                "{\"op\":\"publish\",\"channel\":\""
                        + channel
                        + "\",\"data\":\""
                        + value
                        + "\",\"ref\":\""
                        + value
                        + "\"}");
        return read(ws);
    }

    /** Reads {@code n} frames, each the event with the next id from {@code first}. */
    private static void expectEvents(RawWebSocket ws, long first, int n, String prefix)
            throws IOException {
        for (int i = 0; i < n; i++) {
            JsonNode f = read(ws);
            assertThat(f.get("op").asText()).as("frame %s", f).isEqualTo("event");
            assertThat(f.get("id").asLong()).as("frame %s", f).isEqualTo(first + i);
            assertThat(f.get("data").asText()).isEqualTo(prefix + (first + i));
        }
    }

    @Test
    void realmsFindTheMasterThroughTheSentinelAndFollowAFailover() throws Exception {
        RunningRealm a = realm();
        RunningRealm b = realm();
        RawWebSocket sub = socket(b);
        String epoch = subscribe(sub, "sentinel", "").get("epoch").asText();
        RawWebSocket pub = socket(a);
        for (int i = 1; i <= 5; i++) {
            JsonNode ack = publish(pub, "sentinel", "e" + i);
            assertThat(ack.get("op").asText()).as("answer %s", ack).isEqualTo("ack");
            assertThat(ack.get("id").asLong()).isEqualTo(i);
        }
        expectEvents(sub, 1, 5, "e");
        // Stored on the master the sentinel named, and replicated.
        assertThat(master.command("XLEN realmgate:ch:sentinel:log")).isEqualTo(":5");
        Awaitility.await()
                .atMost(WAIT)
                .until(() -> replica.command("XLEN realmgate:ch:sentinel:log").equals(":5"));

        assertThat(sentinel.command("SENTINEL FAILOVER " + RedisSentinelPeer.MASTER))
                .isEqualTo("+OK");
        // Publish again only once the old master is a replica: a write it took before would be
        // lost (Redis replicates asynchronously), which is Redis's to tell, not the realm's.
        Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                sentinel.masterPort() == replica.port()
                                        && replica.role().equals("master")
                                        && master.role().equals("slave"));
        JsonNode ack = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ack = publish(pub, "sentinel", "e6");
            if (ack.get("op").asText().equals("ack")) {
                break;
            }
            Thread.sleep(200); // unavailable while the realm reconnects to the new master
        }
        assertThat(ack.get("op").asText()).as("answer %s", ack).isEqualTo("ack");
        assertThat(ack.get("id").asLong()).as("the next id, on the new master").isEqualTo(6);
        for (int i = 7; i <= 8; i++) {
            assertThat(publish(pub, "sentinel", "e" + i).get("id").asLong()).isEqualTo(i);
        }
        assertThat(replica.command("XLEN realmgate:ch:sentinel:log")).isEqualTo(":8");
        // The subscriber on the other realm stayed and goes on without a gap or a reset.
        expectEvents(sub, 6, 3, "e");
        RawWebSocket replay = socket(b);
        JsonNode subscribed =
                subscribe(replay, "sentinel", ",\"from\":0,\"epoch\":\"" + epoch + "\"");
        assertThat(subscribed.get("epoch").asText()).isEqualTo(epoch);
        assertThat(subscribed.has("reset")).isFalse();
        expectEvents(replay, 1, 8, "e");
    }
}
