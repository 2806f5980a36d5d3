package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.client.ConnectionListener;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.realm.config.RealmConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber whose connection is cut while events keep coming: it reconnects and resumes, no gap,
 * no duplicate.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeTest {
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
}
