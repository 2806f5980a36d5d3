package io.realmgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.realm.tls.DevelopmentCertificate;
import io.realmgate.tests.peers.TestCertificates;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium runs the realm's demo page (realmgate.js with {@code webSocket: true,
 * webSocketPort: <wss>, secure: true}) through our proxy, as in the reference scenario; a Java
 * client on the other end publishes and subscribes, so the round trip crosses both directions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserThroughProxyTest {
    @TempDir Path tmp;

    private static String spki() {
        return DevelopmentCertificate.spkiSha256(TestCertificates.get().server().getCertificate());
    }

    static <T> T waitFor(Callable<T> value, Predicate<T> done) {
        return Awaitility.await()
                .atMost(30, TimeUnit.SECONDS)
                .pollInterval(100, TimeUnit.MILLISECONDS)
                .until(value, done);
    }

    /**
     * Publishes from the page (typing and clicking) and from Java, and checks each side saw the
     * other.
     */
    static void roundTrip(HeadlessChromium browser, Scenario s, String channel) throws Exception {
        try (RealmClient java = RealmClient.builder(s.wsUri()).build()) {
            java.connect().get(5, TimeUnit.SECONDS);
            LinkedBlockingQueue<RealmEvent> seen = new LinkedBlockingQueue<>();
            java.subscribe(channel, seen::add).get(5, TimeUnit.SECONDS);

            browser.type("#message", "{\"hello\":\"from chromium\"}");
            browser.click("#send");
            RealmEvent fromPage = seen.poll(15, TimeUnit.SECONDS);
            assertThat(fromPage).isNotNull();
            assertThat(fromPage.data()).isEqualTo("{\"hello\":\"from chromium\"}");
            waitFor(() -> browser.eval("return window.realmDemo.acks;"), acks -> acks.size() == 1);
            assertThat(browser.eval("return window.realmDemo.acks[0];").asLong())
                    .isEqualTo(fromPage.id());

            long id = java.publish(channel, "{\"hello\":\"from java\"}").get(5, TimeUnit.SECONDS);
            JsonNode events =
                    waitFor(
                            () -> browser.eval("return window.realmDemo.events;"),
                            e -> e.size() == 2);
            assertThat(events.get(1).path("id").asLong()).isEqualTo(id);
            assertThat(events.get(1).path("data").toString())
                    .isEqualTo("{\"hello\":\"from java\"}");
        }
    }

    @Test
    void webSocketOverWssThroughAProxyThatAllowsConnectOnlyToTheWssPort() throws Exception {
        Scenario realmOnly = Scenario.realm();
        try (Scenario s = realmOnly.withProxy(realmOnly.wssPort());
                HeadlessChromium browser =
                        HeadlessChromium.start(s.proxyPort(), spki(), tmp.resolve("profile"))) {
            int wss = s.wssPort();
            // The page itself comes through the same tunnel (https on the wss port).
            browser.open(
                    "https://127.0.0.1:" + wss + "/?channel=browser&port=" + wss + "&secure=true");
            waitFor(() -> browser.text("#transport"), t -> t.equals("websocket"));
            roundTrip(browser, s, "browser");
            assertThat(browser.eval("return window.realmDemo.session.transport;").asText())
                    .isEqualTo("websocket");
            assertThat(
                            s.realm
                                    .metrics()
                                    .openConnections(
                                            io.realmgate.realm.ops.RealmMetrics.Transport
                                                    .WEBSOCKET))
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void fallsBackToTheStreamWhenTheProxyRefusesTheWebSocketTunnel() throws Exception {
        Scenario realmOnly = Scenario.realm();
        // This proxy admits only the plain HTTP port: CONNECT to the wss port is refused (403),
        // while
        // plain HTTP to the ws port is forwarded, as an HTTP-only or transparent proxy would.
        try (Scenario s = realmOnly.withProxy(realmOnly.wsPort());
                HeadlessChromium browser =
                        HeadlessChromium.start(s.proxyPort(), spki(), tmp.resolve("profile"))) {
            browser.open(
                    "http://127.0.0.1:"
                            + s.wsPort()
                            + "/?channel=fallback&port="
                            + s.wssPort()
                            + "&secure=true&transports=websocket,stream,longpoll");
            waitFor(() -> browser.text("#transport"), t -> t.equals("stream"));
            roundTrip(browser, s, "fallback");
            assertThat(browser.eval("return window.realmDemo.session.transport;").asText())
                    .isEqualTo("stream");
            assertThat(browser.eval("return window.realmDemo.transports;").toString())
                    .isEqualTo("[\"stream\"]");
        }
    }

    @Test
    void fallsBackToLongPollWhenThatIsWhatTheSessionOffers() throws Exception {
        Scenario realmOnly = Scenario.realm();
        try (Scenario s = realmOnly.withProxy(realmOnly.wsPort());
                HeadlessChromium browser =
                        HeadlessChromium.start(s.proxyPort(), spki(), tmp.resolve("profile"))) {
            browser.open(
                    "http://127.0.0.1:"
                            + s.wsPort()
                            + "/?channel=poll&port="
                            + s.wssPort()
                            + "&secure=true&transports=websocket,longpoll");
            waitFor(() -> browser.text("#transport"), t -> t.equals("longpoll"));
            roundTrip(browser, s, "poll");
            assertThat(browser.eval("return window.realmDemo.transports;").toString())
                    .isEqualTo("[\"longpoll\"]");
        }
    }

    @Test
    void thePageReconnectsAndResumesAfterTheProxyWasDown() throws Exception {
        Scenario realmOnly = Scenario.realm();
        Scenario first = realmOnly.withProxy(realmOnly.wssPort());
        int proxyPort = first.proxyPort();
        Scenario second = null;
        try (HeadlessChromium browser =
                        HeadlessChromium.start(proxyPort, spki(), tmp.resolve("profile"));
                RealmClient java = RealmClient.builder(realmOnly.wsUri()).build()) {
            int wss = realmOnly.wssPort();
            browser.open(
                    "https://127.0.0.1:" + wss + "/?channel=resume&port=" + wss + "&secure=true");
            waitFor(() -> browser.text("#transport"), t -> t.equals("websocket"));
            java.connect().get(5, TimeUnit.SECONDS);
            java.publish("resume", "1").get(5, TimeUnit.SECONDS);
            waitFor(
                    () -> browser.eval("return window.realmDemo.events.length;").asInt(),
                    n -> n == 1);

            first.closeProxy(); // every tunnel through it dies with it
            waitFor(() -> browser.text("#transport"), t -> t.equals("none"));
            for (int i = 2; i <= 4; i++) {
                java.publish("resume", String.valueOf(i)).get(5, TimeUnit.SECONDS);
            }
            second = restartProxy(proxyPort, wss);
            java.publish("resume", "5").get(5, TimeUnit.SECONDS);
            JsonNode events =
                    waitFor(
                            () -> browser.eval("return window.realmDemo.events.map(e => e.id);"),
                            ids -> ids.size() >= 5);
            assertThat(events.toString()).isEqualTo("[1,2,3,4,5]");
            assertThat(browser.text("#transport")).isIn("websocket", "stream", "longpoll");
        } finally {
            if (second != null) {
                second.closeProxy();
            }
            realmOnly.close();
        }
    }

    /** The same proxy flags on the same port again (the browser was told that port). */
    private static Scenario restartProxy(int port, int allowedPort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return Scenario.proxyOn(port, allowedPort);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
