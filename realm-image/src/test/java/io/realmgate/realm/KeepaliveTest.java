package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ws.CloseCodes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeepaliveTest {
    @Test
    void aSilentPeerIsPingedThenClosedWith4000() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing().pingInterval(Duration.ofMillis(300)));
                RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            long t0 = System.nanoTime();
            RawWebSocket.Frame first = raw.read();
            assertThat(first.opcode()).isEqualTo(RawWebSocket.PING);
            // It never answers: closed after a second interval without a word.
            RawWebSocket.Frame next = raw.read();
            assertThat(next.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(next.closeCode()).isEqualTo(CloseCodes.PING_TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
            assertThat(raw.serverClosedTcp()).isTrue();
            assertThat(realm.server().metrics().render())
                    .contains("realmgate_realm_dead_peer_closes_total 1")
                    .contains("realmgate_realm_websocket_refusals_total{code=\"4000\"} 1");
        }
    }

    @Test
    void aPeerThatAnswersPingsStays() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing().pingInterval(Duration.ofMillis(200)));
                RawWebSocket raw = RawWebSocket.open(realm.ws());
                RealmClient client = RealmClient.builder(realm.wsUri()).noReconnect().build()) {
            client.connect().get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                RawWebSocket.Frame ping = raw.read();
                assertThat(ping.opcode()).isEqualTo(RawWebSocket.PING);
                raw.send(RawWebSocket.PONG, true, true, ping.payload());
            }
            // Netty's client answers pings by itself: still connected after several intervals.
            assertThat(client.publish("alive", "1").get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(client.lastCloseCode()).isZero();
            raw.sendText("{\"op\":\"publish\",\"channel\":\"alive\",\"data\":2}");
            assertThat(raw.readText()).isEqualTo("{\"op\":\"ack\",\"id\":2}");
        }
    }

    @Test
    void shuttingDownTellsWebSocketsGoingAway() throws Exception {
        RunningRealm realm = RunningRealm.start();
        try (RawWebSocket raw = RawWebSocket.open(realm.ws())) {
            raw.sendText("{\"op\":\"subscribe\",\"channel\":\"x\"}");
            raw.readText();
            realm.close();
            assertThat(raw.readUntilClose()).isEqualTo(CloseCodes.GOING_AWAY);
        } finally {
            realm.close();
        }
    }
}
