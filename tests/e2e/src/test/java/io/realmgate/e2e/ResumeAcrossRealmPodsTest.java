package io.realmgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.realmgate.realm.client.ConnectionListener;
import io.realmgate.realm.client.EventListener;
import io.realmgate.realm.client.PositionReset;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.tests.peers.RealmProcess;
import io.realmgate.tests.peers.RedisPeer;
import io.realmgate.tests.peers.SwitchableFront;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients resume across a realm-pod change on the redis engine (issue 16): two realm processes on
 * one real Redis behind one address ({@link SwitchableFront}, as a Service in front of the pods). A
 * publisher on the second realm publishes a numbered sequence steadily; the realm the subscriber is
 * on is killed mid-stream and the front cuts its connections and sends new ones to the other realm.
 * The subscriber (the Java client, or realmgate.js in headless Chromium on each of its three
 * transports) reconnects to the same address and resumes after its last id: every event once, in
 * order, ids contiguous, in the same epoch (no reset).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResumeAcrossRealmPodsTest {
    /** Events published in all; the kill comes after {@link #KILL_AFTER} were received. */
    private static final int EVENTS = 200;

    private static final int KILL_AFTER = 40;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir Path tmp;

    private RedisPeer redis;
    private RealmProcess doomed;
    private RealmProcess survivor;
    private SwitchableFront front;
    private final ExecutorService publisher = Executors.newSingleThreadExecutor();

    @BeforeEach
    void realms() throws Exception {
        assumeTrue(RedisPeer.available(), "redis-server is not installed");
        redis = RedisPeer.start(false);
        doomed = realm();
        survivor = realm();
        front = SwitchableFront.start(doomed.wsPort());
    }

    private RealmProcess realm() throws Exception {
        return RealmProcess.start(
                tmp,
                WAIT,
                "--ws-port",
                "0",
                "--wss-port",
                "off",
                "--engine",
                "redis",
                "--redis-url",
                redis.url(),
                "--retain-events",
                "1000");
    }

    @AfterEach
    void stop() throws Exception {
        publisher.shutdownNow();
        publisher.awaitTermination(10, TimeUnit.SECONDS);
        if (front != null) {
            front.close();
        }
        for (RealmProcess r : new RealmProcess[] {doomed, survivor}) {
            if (r != null) {
                r.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * Publishes {@code "1"} to {@code "EVENTS"} on {@code channel} through the surviving realm, one
     * every few milliseconds, each acknowledged before the next; returns the acknowledged ids.
     */
    private Future<List<Long>> publishSteadily(String channel) {
        return publisher.submit(
                () -> {
                    List<Long> ids = new ArrayList<>();
                    try (RealmClient pub =
                            RealmClient.builder(survivor.wsUri()).noReconnect().build()) {
                        pub.connect().get(10, TimeUnit.SECONDS);
                        for (int i = 1; i <= EVENTS; i++) {
                            ids.add(
                                    pub.publish(channel, String.valueOf(i))
                                            .get(10, TimeUnit.SECONDS));
                            Thread.sleep(15);
                        }
                    }
                    return ids;
                });
    }

    /**
     * The pod the subscriber is on goes away mid-stream: new connections to the other, old ones
     * cut.
     */
    private void killTheSubscribersRealm(Future<List<Long>> published) throws InterruptedException {
        assertThat(published.isDone()).as("the publisher is still publishing").isFalse();
        doomed.kill();
        front.switchTo(survivor.wsPort());
    }

    private static void assertEveryEventOnceInOrder(List<Long> ids, List<String> data) {
        assertThat(ids).hasSize(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            assertThat(ids.get(i)).as("id of event %d", i + 1).isEqualTo(i + 1L);
            assertThat(data.get(i)).as("data of event %d", i + 1).isEqualTo(String.valueOf(i + 1));
        }
    }

    @Test
    void theJavaClientResumesOnTheOtherRealm() throws Exception {
        List<RealmEvent> events = new CopyOnWriteArrayList<>();
        List<PositionReset> resets = new CopyOnWriteArrayList<>();
        AtomicInteger reconnects = new AtomicInteger();
        try (RealmClient sub =
                RealmClient.builder(URI.create("ws://127.0.0.1:" + front.port() + "/realm"))
                        .reconnect(Duration.ofMillis(100), Duration.ofMillis(500))
                        .listener(
                                new ConnectionListener() {
                                    @Override
                                    public void connected(boolean reconnect) {
                                        if (reconnect) {
                                            reconnects.incrementAndGet();
                                        }
                                    }
                                })
                        .build()) {
            sub.connect().get(10, TimeUnit.SECONDS);
            sub.subscribe(
                            "pods",
                            0,
                            new EventListener() {
                                @Override
                                public void onEvent(RealmEvent event) {
                                    events.add(event);
                                }

                                @Override
                                public void onReset(PositionReset reset) {
                                    resets.add(reset);
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
            Future<List<Long>> published = publishSteadily("pods");
            Awaitility.await().atMost(WAIT).until(() -> events.size() >= KILL_AFTER);
            killTheSubscribersRealm(published);
            assertThat(published.get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(EVENTS);
            Awaitility.await().atMost(WAIT).until(() -> events.size() >= EVENTS);
            // Nothing more arrives late (a duplicate would).
            Thread.sleep(500);
            assertEveryEventOnceInOrder(
                    events.stream().map(RealmEvent::id).toList(),
                    events.stream().map(RealmEvent::data).toList());
            assertThat(resets).as("the same history on the other realm").isEmpty();
            assertThat(reconnects.get()).as("reconnected through the front").isPositive();
            assertThat(front.relayedTo(survivor.wsPort()))
                    .as("came back on the other realm")
                    .isPositive();
        }
    }

    @Test
    void theBrowserResumesOverWebSocket() throws Exception {
        browserResumes("websocket");
    }

    @Test
    void theBrowserResumesOverTheEventStream() throws Exception {
        browserResumes("stream");
    }

    @Test
    void theBrowserResumesOverLongPoll() throws Exception {
        browserResumes("longpoll");
    }

    /**
     * The realm's demo page, loaded from the front (so from the first realm), records every event
     * it receives in {@code window.realmDemo}; its transport reconnects to the same address, now
     * the other realm.
     */
    private void browserResumes(String transport) throws Exception {
        String channel = "pods-" + transport;
        try (HeadlessChromium browser = HeadlessChromium.startDirect(tmp.resolve("profile"))) {
            int port = front.port();
            browser.open(
                    "http://127.0.0.1:"
                            + port
                            + "/?channel="
                            + channel
                            + "&port="
                            + port
                            + "&secure=false&from=0&transports="
                            + transport);
            BrowserThroughProxyTest.waitFor(
                    () -> browser.text("#transport"), t -> t.equals(transport));
            Future<List<Long>> published = publishSteadily(channel);
            BrowserThroughProxyTest.waitFor(
                    () -> browser.eval("return window.realmDemo.events.length;").asInt(),
                    n -> n >= KILL_AFTER);
            killTheSubscribersRealm(published);
            assertThat(published.get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(EVENTS);
            Awaitility.await()
                    .atMost(WAIT)
                    .pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(
                            () -> browser.eval("return window.realmDemo.events.length;").asInt(),
                            n -> n >= EVENTS);
            Thread.sleep(500);
            JsonNode events = browser.eval("return window.realmDemo.events;");
            List<Long> ids = new ArrayList<>();
            List<String> data = new ArrayList<>();
            for (JsonNode e : events) {
                ids.add(e.path("id").asLong());
                data.add(e.path("data").asText());
            }
            assertEveryEventOnceInOrder(ids, data);
            assertThat(browser.eval("return window.realmDemo.resets.length;").asInt())
                    .as("the same history on the other realm")
                    .isZero();
            String epoch = events.get(0).path("epoch").asText();
            assertThat(epoch).matches("[0-9a-f]{16}");
            for (JsonNode e : events) {
                assertThat(e.path("epoch").asText()).as("epoch of %s", e).isEqualTo(epoch);
            }
            assertThat(browser.eval("return window.realmDemo.errors;").toString())
                    .as("errors the page saw")
                    .doesNotContain("replay-truncated");
            assertThat(front.relayedTo(survivor.wsPort()))
                    .as("the page came back through the front, on the other realm")
                    .isPositive();
        }
    }
}
