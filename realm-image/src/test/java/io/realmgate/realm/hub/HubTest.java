package io.realmgate.realm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HubTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] data(int i) {
        return String.valueOf(i).getBytes(StandardCharsets.UTF_8);
    }

    /** Event ids a subscriber saw, in order. */
    private static final class Recorder implements Subscriber {
        final List<Long> ids = new CopyOnWriteArrayList<>();
        final List<String> other = new CopyOnWriteArrayList<>();

        @Override
        public void deliver(Frame f) {
            if (f.kind() == Frame.Kind.EVENT) {
                try {
                    ids.add(JSON.readTree(f.json()).path("id").asLong());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            } else {
                other.add(f.toString());
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void subscribersJoiningDuringConcurrentPublishesSeeEveryIdOnceInOrder() throws Exception {
        Hub hub = new Hub(100_000, 64L << 20, 10, HubStats.NONE);
        int publishers = 4;
        int each = 5000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    go.await();
                                    for (int i = 0; i < each; i++) {
                                        hub.publish("c", data(i));
                                    }
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        // Join at different moments, each resuming from some id already published.
        List<Recorder> late = new ArrayList<>();
        List<Long> froms = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            Thread.sleep(1);
            long from = hub.lastId("c") / 2;
            Recorder r = new Recorder();
            hub.subscribe("c", from, r, MissingNode.getInstance());
            late.add(r);
            froms.add(from);
        }
        for (Thread t : threads) {
            t.join();
        }
        long total = (long) publishers * each;
        assertThat(hub.lastId("c")).isEqualTo(total);
        for (int k = 0; k < late.size(); k++) {
            List<Long> ids = late.get(k).ids;
            assertThat(ids).hasSize((int) (total - froms.get(k)));
            for (int i = 0; i < ids.size(); i++) {
                assertThat(ids.get(i)).isEqualTo(froms.get(k) + 1 + i);
            }
        }
    }

    @Test
    void retentionKeepsTheNewestByCountAndBytes() throws Exception {
        Hub hub = new Hub(3, 1 << 20, 10, HubStats.NONE);
        for (int i = 1; i <= 5; i++) {
            hub.publish("c", data(i));
        }
        Recorder r = new Recorder();
        hub.subscribe("c", 0, r, MissingNode.getInstance());
        assertThat(r.ids).containsExactly(3L, 4L, 5L);
        assertThat(r.other.get(0))
                .contains("\"code\":\"replay-truncated\"")
                .contains("events 1 to 2");

        Hub small = new Hub(1000, 300, 10, HubStats.NONE);
        byte[] hundred = ("\"" + "x".repeat(98) + "\"").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5; i++) {
            small.publish("c", hundred);
        }
        Recorder s = new Recorder();
        small.subscribe("c", 0, s, MissingNode.getInstance());
        assertThat(s.ids).containsExactly(4L, 5L); // ~150 bytes per encoded event, 300 bytes kept
    }

    @Test
    void channelLimitAndNames() throws Exception {
        Hub hub = new Hub(10, 1 << 20, 2, HubStats.NONE);
        hub.publish("a", data(1));
        hub.publish("b", data(1));
        assertThatThrownBy(() -> hub.publish("c", data(1)))
                .isInstanceOf(HubException.class)
                .extracting(e -> ((HubException) e).code())
                .isEqualTo("too-many-channels");
        assertThatThrownBy(() -> hub.publish("a b", data(1)))
                .extracting(e -> ((HubException) e).code())
                .isEqualTo("bad-channel");
        assertThatThrownBy(() -> hub.publish("x".repeat(129), data(1)))
                .isInstanceOf(HubException.class);
        assertThat(ChannelName.valid("team/prices.eu-west_1~x")).isTrue();
        assertThat(ChannelName.valid("a:b")).isFalse();
        assertThat(ChannelName.valid("é")).isFalse();
    }

    @Test
    void aChannelOnlySubscribedToGoesAwayWithItsLastSubscriber() throws Exception {
        Hub hub = new Hub(10, 1 << 20, 1, HubStats.NONE);
        Recorder r = new Recorder();
        hub.subscribe("temp", -1, r, MissingNode.getInstance());
        assertThat(hub.channelCount()).isEqualTo(1);
        hub.unsubscribe("temp", r);
        assertThat(hub.channelCount()).isZero();
        hub.publish("other", data(1)); // the slot is free again
    }

    @Test
    void eventFrameIsTheProtocolsJson() throws Exception {
        Frame f = Frames.event("c", 7, "{\"a\":[1,\"é\"]}".getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(f.json()).toString())
                .isEqualTo(
                        "{\"op\":\"event\",\"channel\":\"c\",\"id\":7,\"data\":{\"a\":[1,\"é\"]}}");
        assertThat(
                        Frames.error("bad-json", "say \"why\"", JSON.getNodeFactory().numberNode(3))
                                .toString())
                .isEqualTo(
                        "{\"op\":\"error\",\"code\":\"bad-json\",\"message\":\"say \\\"why\\\"\",\"ref\":3}");
    }
}
