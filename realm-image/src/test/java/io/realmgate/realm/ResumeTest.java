package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.ConnectionListener;
import io.realmgate.realm.client.EventListener;
import io.realmgate.realm.client.PositionReset;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.RealmProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscriber whose connection is cut while events keep coming: it reconnects and resumes, no gap,
 * no duplicate. A subscriber whose realm restarted (a new process, nothing kept) reconnects, is
 * told its position was reset (the channel's epoch changed), and receives the new history from its
 * start.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResumeTest {
    @TempDir Path dir;

    @Test
    void reconnectResumesAfterTheLastIdSeenWithoutGapOrDuplicate() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .retainEvents(10_000)
                                        .retainBytes(8 << 20)
                                        .queueEvents(20_000)
                                        .queueBytes(16 << 20));
                CuttableRelay relay = new CuttableRelay(realm.ws())) {
            AtomicInteger reconnects = new AtomicInteger();
            List<RealmEvent> received = new CopyOnWriteArrayList<>();
            try (RealmClient sub =
                            RealmClient.builder(
                                            URI.create("ws://127.0.0.1:" + relay.port() + "/realm"))
                                    .reconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                                    .listener(
                                            new ConnectionListener() {
                                                @Override
                                                public void connected(boolean reconnect) {
                                                    if (reconnect) {
                                                        reconnects.incrementAndGet();
                                                    }
                                                }
                                            })
                                    .build();
                    RealmClient pub = RealmClient.builder(realm.wsUri()).build()) {
                sub.connect().get(5, TimeUnit.SECONDS);
                pub.connect().get(5, TimeUnit.SECONDS);
                sub.subscribe("ticks", received::add).get(5, TimeUnit.SECONDS);

                int total = 3000;
                for (int i = 1; i <= total; i++) {
                    pub.publish("ticks", String.valueOf(i));
                    if (i % 750 == 0) {
                        pub.publish("ticks", "0")
                                .get(5, TimeUnit.SECONDS); // let some through before cutting
                        relay.cutAll();
                    }
                }
                pub.publish("ticks", "-1").get(5, TimeUnit.SECONDS);
                long last = total + total / 750 + 1;
                org.awaitility.Awaitility.await()
                        .atMost(20, TimeUnit.SECONDS)
                        .until(
                                () ->
                                        !received.isEmpty()
                                                && received.get(received.size() - 1).id() >= last);
                assertThat(reconnects.get()).isGreaterThanOrEqualTo(4);
                assertThat(received)
                        .extracting(RealmEvent::id)
                        .containsExactlyElementsOf(
                                LongStream.rangeClosed(1, last).boxed().toList());
            }
        }
    }

    @Test
    void afterARealmRestartThePositionIsResetAndTheNewHistoryArrivesFromItsStart()
            throws Exception {
        List<RealmEvent> received = new CopyOnWriteArrayList<>();
        List<PositionReset> resets = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        EventListener listener =
                new EventListener() {
                    @Override
                    public void onEvent(RealmEvent event) {
                        received.add(event);
                    }

                    @Override
                    public void onReset(PositionReset reset) {
                        resets.add(reset);
                    }
                };
        RealmProcess first = realm(0);
        int port = first.wsPort();
        RealmProcess second = null;
        try (RealmClient sub =
                RealmClient.builder(first.wsUri())
                        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500))
                        .listener(
                                new ConnectionListener() {
                                    @Override
                                    public void error(String code, String message) {
                                        errors.add(code);
                                    }
                                })
                        .build()) {
            sub.connect().get(10, TimeUnit.SECONDS);
            sub.subscribe("restart", listener).get(10, TimeUnit.SECONDS);
            publish(first.wsUri(), "1", "2", "3");
            org.awaitility.Awaitility.await()
                    .atMost(20, TimeUnit.SECONDS)
                    .until(() -> received.size() == 3);

            first.close();
            second = realm(port);
            // Published in the new realm's history, whether or not the subscriber is back yet:
            // ids 1 and 2 again, which a position of the old history (3) would have skipped.
            publish(second.wsUri(), "4", "5");
            org.awaitility.Awaitility.await()
                    .atMost(30, TimeUnit.SECONDS)
                    .until(() -> received.size() == 5);
            assertThat(resets).hasSize(1);
            PositionReset reset = resets.get(0);
            assertThat(reset.channel()).isEqualTo("restart");
            assertThat(reset.reason()).isEqualTo("epoch-changed");
            assertThat(reset.previousId()).isEqualTo(3);
            assertThat(reset.previousEpoch()).matches("[0-9a-f]{16}");
            assertThat(reset.epoch()).matches("[0-9a-f]{16}").isNotEqualTo(reset.previousEpoch());

            // It continues in the new history: live events, and a reconnect resumes there.
            publish(second.wsUri(), "6");
            org.awaitility.Awaitility.await()
                    .atMost(20, TimeUnit.SECONDS)
                    .until(() -> received.size() == 6);
            assertThat(received)
                    .extracting(e -> e.id() + "=" + e.data())
                    .containsExactly("1=1", "2=2", "3=3", "1=4", "2=5", "3=6");
            assertThat(resets).hasSize(1);
            assertThat(errors).doesNotContain("from-ahead");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    /** A realm process on this plain port (0: ephemeral), no TLS listener. */
    private RealmProcess realm(int port) throws Exception {
        return RealmProcess.start(
                dir,
                Duration.ofSeconds(60),
                "--ws-port",
                String.valueOf(port),
                "--wss-port",
                "off");
    }

    private static void publish(URI realm, String... data) throws Exception {
        try (RealmClient pub = RealmClient.builder(realm).noReconnect().build()) {
            pub.connect().get(10, TimeUnit.SECONDS);
            for (String d : data) {
                pub.publish("restart", d).get(10, TimeUnit.SECONDS);
            }
        }
    }
}
