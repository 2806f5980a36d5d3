package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.RedisPeer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplayRateTest {
    /** Reads frames until the one answering {@code ref}; counts the events before it. */
    private static String answerTo(RawWebSocket ws, String ref) throws Exception {
        while (true) {
            String t = ws.readText();
            if (t.contains("\"ref\":\"" + ref + "\"")) {
                return t;
            }
        }
    }

    @Test
    void replaysBeyondTheRateAreRefusedWithAnErrorUntilTheBudgetRefills() throws Exception {
        try (RunningRealm realm =
                RunningRealm.start(RealmConfig.testing().retainEvents(100).replayRate(20))) {
            replaysBeyondTheRateAreRefused(realm);
        }
    }

    /**
     * The same budget when the replay is read from Redis, which arrives after the subscribe was
     * handled: it is charged when it is delivered.
     */
    @Test
    void replaysReadFromRedisAreChargedToTheSameBudget() throws Exception {
        assumeTrue(RedisPeer.available(), "redis-server is not installed");
        try (RedisPeer redis = RedisPeer.start(false);
                RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing()
                                        .retainEvents(100)
                                        .replayRate(20)
                                        .engine(RealmConfig.REDIS)
                                        .redisUrl(redis.url()))) {
            replaysBeyondTheRateAreRefused(realm);
            assertThat(realm.server().metrics().replaysRefused()).isEqualTo(1);
        }
    }

    private static void replaysBeyondTheRateAreRefused(RunningRealm realm) throws Exception {
        try (RawWebSocket pub = RawWebSocket.open(realm.ws());
                RawWebSocket ws = RawWebSocket.open(realm.ws());
                RawWebSocket other = RawWebSocket.open(realm.ws())) {
            for (String ch : new String[] {"replay-a", "replay-b", "replay-c"}) {
                for (int i = 0; i < 30; i++) {
                    pub.sendText(
                            "{\"op\":\"publish\",\"channel\":\"" + ch + "\",\"data\":" + i + "}");
                    assertThat(pub.readText()).contains("ack");
                }
            }
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"replay-a\",\"from\":0,\"ref\":\"a\"}");
            assertThat(answerTo(ws, "a")).contains("subscribed");
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"replay-b\",\"from\":0,\"ref\":\"b\"}");
            assertThat(answerTo(ws, "b")).contains("\"error\"").contains("replay-rate");
            // Live subscriptions are not replays; other connections have budgets of their own.
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"replay-b\",\"ref\":\"live\"}");
            assertThat(answerTo(ws, "live")).contains("subscribed");
            other.sendText(
                    "{\"op\":\"subscribe\",\"channel\":\"replay-c\",\"from\":0,\"ref\":\"c\"}");
            assertThat(answerTo(other, "c")).contains("subscribed");
            // 30 events at 20 per second: about a second and a half later the budget is back.
            Thread.sleep(1700);
            ws.sendText(
                    "{\"op\":\"subscribe\",\"channel\":\"replay-c\",\"from\":0,\"ref\":\"c2\"}");
            assertThat(answerTo(ws, "c2")).contains("subscribed");
        }
    }
}
