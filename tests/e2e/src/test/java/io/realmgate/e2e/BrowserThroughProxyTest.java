package io.realmgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.realm.tls.DevelopmentCertificate;
import io.realmgate.tests.peers.RealmProcess;
import io.realmgate.tests.peers.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void afterARealmRestartThePageIsToldOfTheResetOverWebSocket() throws Exception {
        realmRestart("websocket");
    }

    @Test
    void afterARealmRestartThePageIsToldOfTheResetOverTheEventStream() throws Exception {
        realmRestart("stream");
    }

    @Test
    void afterARealmRestartThePageIsToldOfTheResetOverLongPoll() throws Exception {
        realmRestart("longpoll");
    }

    /**
     * The page follows a channel through the proxy; the realm process stops and another starts on
     * the same ports, with nothing of the first's history. The page reconnects with its last id and
     * that history's epoch, is told its position was reset, and receives the new history from its
     * start (ids 1, 2 again) and then live events. The page comes from the realm's https port
     * through a CONNECT tunnel, and so does each transport (wss, or https to the page's origin).
     */
    private void realmRestart(String transport) throws Exception {
        TestCertificates certs = TestCertificates.get();
        Path cert = Files.writeString(tmp.resolve("tls.crt"), certs.server().getCertificatePEM());
        Path key = Files.writeString(tmp.resolve("tls.key"), certs.server().getPrivateKeyPEM());
        Duration startWithin = Duration.ofSeconds(60);
        RealmProcess first =
                RealmProcess.start(
                        tmp,
                        startWithin,
                        "--ws-port",
                        "0",
                        "--wss-port",
                        "0",
                        "--tls-cert",
                        cert.toString(),
                        "--tls-key",
                        key.toString());
        RealmProcess second = null;
        int ws = first.wsPort();
        int wss = first.wssPort();
        try (Scenario proxy = Scenario.proxyOn(0, wss);
                HeadlessChromium browser =
                        HeadlessChromium.start(proxy.proxyPort(), spki(), tmp.resolve("profile"))) {
            // from=0: the page's subscription replays what it missed before it was in place.
            browser.open(
                    "https://127.0.0.1:"
                            + wss
                            + "/?channel=epoch&port="
                            + wss
                            + "&secure=true&transports="
                            + transport
                            + "&from=0");
            waitFor(() -> browser.text("#transport"), t -> t.equals(transport));
            publish(first, "1", "2");
            waitFor(
                    () -> browser.eval("return window.realmDemo.events.length;").asInt(),
                    n -> n == 2);

            first.close();
            second =
                    RealmProcess.start(
                            tmp,
                            startWithin,
                            "--ws-port",
                            String.valueOf(ws),
                            "--wss-port",
                            String.valueOf(wss),
                            "--tls-cert",
                            cert.toString(),
                            "--tls-key",
                            key.toString());
            // In the new history, whether or not the page is back yet: ids 1 and 2 again.
            publish(second, "3");
            JsonNode resets =
                    waitFor(
                            () -> browser.eval("return window.realmDemo.resets;"),
                            r -> r.size() >= 1);
            assertThat(resets.size()).isEqualTo(1);
            assertThat(resets.get(0).path("channel").asText()).isEqualTo("epoch");
            assertThat(resets.get(0).path("reason").asText()).isEqualTo("epoch-changed");
            assertThat(resets.get(0).path("previousId").asLong()).isEqualTo(2);
            assertThat(resets.get(0).path("epoch").asText())
                    .matches("[0-9a-f]{16}")
                    .isNotEqualTo(resets.get(0).path("previousEpoch").asText());
            assertThat(browser.text("#resets")).isEqualTo("1");
            publish(second, "4");
            String seen = "return window.realmDemo.events.map(e => e.id + '=' + e.data);";
            JsonNode events = waitFor(() -> browser.eval(seen), e -> e.size() >= 4);
            assertThat(events.toString()).isEqualTo("[\"1=1\",\"2=2\",\"1=3\",\"2=4\"]");
            // Events carry their history's epoch. Not necessarily the reset's: a long-poll's
            // channel that was only subscribed to goes between polls, and comes back as a new
            // history that, with nothing of the previous one seen, needs no reset.
            assertThat(browser.eval("return window.realmDemo.events[3].epoch;").asText())
                    .matches("[0-9a-f]{16}")
                    .isNotEqualTo(resets.get(0).path("previousEpoch").asText());
            assertThat(browser.text("#transport")).isEqualTo(transport);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    private static void publish(RealmProcess realm, String... data) throws Exception {
        try (RealmClient java = RealmClient.builder(realm.wsUri()).noReconnect().build()) {
            java.connect().get(10, TimeUnit.SECONDS);
            for (String d : data) {
                java.publish("epoch", d).get(10, TimeUnit.SECONDS);
            }
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
