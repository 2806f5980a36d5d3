package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.config.RealmConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
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
                        RunningRealm.start(RealmConfig.testing().retainEvents(100).replayRate(20));
                RawWebSocket pub = RawWebSocket.open(realm.ws());
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
