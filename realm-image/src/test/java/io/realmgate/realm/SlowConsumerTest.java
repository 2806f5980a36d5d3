package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ws.CloseCodes;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowConsumerTest {
    /**
     * A subscriber that stops reading: the socket buffers fill, then its queue; it is closed with
     * 4008, and the publisher and a healthy subscriber carry on unaffected.
     */
    @Test
    void aConsumerThatStaysBehindIsClosedWith4008AndOthersCarryOn() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .retainEvents(50)
                                        .queueEvents(200)
                                        .retainBytes(1 << 20)
                                        .queueBytes(2 << 20));
                RawWebSocket stalled = RawWebSocket.open(realm.ws(), 4096);
                RealmClient healthy = RealmClient.builder(realm.wsUri()).build();
                RealmClient pub = RealmClient.builder(realm.wsUri()).build()) {
            healthy.connect().get(5, TimeUnit.SECONDS);
            pub.connect().get(5, TimeUnit.SECONDS);
            Inbox inbox = new Inbox();
            healthy.subscribe("firehose", inbox).get(5, TimeUnit.SECONDS);
            stalled.sendText("{\"op\":\"subscribe\",\"channel\":\"firehose\"}");
            stalled.readText(); // subscribed; from here on it reads nothing

            String data = "\"" + "x".repeat(4000) + "\"";
            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (realm.server().metrics().slowConsumers() == 0 && System.nanoTime() < deadline) {
                pub.publish("firehose", data).get(5, TimeUnit.SECONDS);
                sent++;
            }
            assertThat(realm.server().metrics().slowConsumers()).isEqualTo(1);
            assertThat(inbox.take(sent, 10)).hasSize(sent);

            // Now read what was buffered: a close frame with 4008 comes after it.
            stalled.setReadTimeout(10_000);
            assertThat(stalled.readUntilClose()).isEqualTo(CloseCodes.SLOW_CONSUMER);
            assertThat(realm.server().metrics().render())
                    .contains("realmgate_realm_slow_consumer_drops_total 1")
                    .contains("realmgate_realm_websocket_refusals_total{code=\"4008\"} 1");
            assertThat(pub.publish("firehose", "1").get(5, TimeUnit.SECONDS)).isEqualTo(sent + 1);
        }
    }

    /**
     * A consumer that falls behind, then reads on, slowly: what was already on its way takes longer
     * than a fixed grace to drain, and it must still end with the 4008 close frame, not a cut
     * connection.
     */
    @Test
    void aDroppedConsumerThatReadsSlowlyStillGets4008() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .retainEvents(50)
                                        .queueEvents(200)
                                        .retainBytes(1 << 20)
                                        .queueBytes(2 << 20));
                RawWebSocket stalled = RawWebSocket.open(realm.ws(), 4096);
                RealmClient pub = RealmClient.builder(realm.wsUri()).build()) {
            pub.connect().get(5, TimeUnit.SECONDS);
            stalled.sendText("{\"op\":\"subscribe\",\"channel\":\"trickle\"}");
            stalled.readText();
            String data = "\"" + "x".repeat(4000) + "\"";
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (realm.server().metrics().slowConsumers() == 0 && System.nanoTime() < deadline) {
                pub.publish("trickle", data).get(5, TimeUnit.SECONDS);
            }
            assertThat(realm.server().metrics().slowConsumers()).isEqualTo(1);
            // Read on at a pace that takes well over two seconds for what is already under way.
            stalled.setReadTimeout(10_000);
            long started = System.nanoTime();
            int code = -1;
            int n = 0;
            while (code < 0) {
                RawWebSocket.Frame f;
                try {
                    f = stalled.read();
                } catch (IOException e) {
                    throw new AssertionError(
                            "after "
                                    + n
                                    + " frames, "
                                    + Duration.ofNanos(System.nanoTime() - started).toMillis()
                                    + " ms",
                            e);
                }
                n++;
                if (f.opcode() == RawWebSocket.CLOSE) {
                    code = f.closeCode();
                } else {
                    Thread.sleep(5);
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThan(Duration.ofSeconds(2));
            assertThat(code).isEqualTo(CloseCodes.SLOW_CONSUMER);
        }
    }
}
