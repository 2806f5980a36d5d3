package io.realmgate.e2e;

import static io.realmgate.e2e.BrowserThroughProxyTest.roundTrip;
import static io.realmgate.e2e.BrowserThroughProxyTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.realmgate.realm.RealmServer;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import io.realmgate.realm.tls.DevelopmentCertificate;
import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, the reference scenario's own case: a web page served by another server (here an origin
 * on 127.0.0.2, another host than the realm's 127.0.0.1) whose script connects to the realm over
 * wss through our proxy, in headless Chromium. The page is the realm's demo page and realmgate.js,
 * copied from the realm jar, so what is checked is what a user gets. Without the page's origin in
 * {@code --allowed-origins} the realm refuses every transport (403, counted) and the page says so;
 * with it listed, publishing and events work over wss and over the HTTP fallbacks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrossOriginPageTest {
    /** Another loopback host: the page's origin differs from the realm's in host, not only port. */
    private static final String PAGE_HOST = "127.0.0.2";

    @TempDir Path tmp;

    private static String spki() {
        return DevelopmentCertificate.spkiSha256(TestCertificates.get().server().getCertificate());
    }

    private static byte[] realmResource(String name) throws IOException {
        try (InputStream in =
                RealmServer.class.getResourceAsStream("/io/realmgate/realm/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the realm jar has no web/" + name);
            }
            return in.readAllBytes();
        }
    }

    /** The page's server: the realm's demo page and client, as any web server would serve them. */
    private static HttpOrigin pageServer() throws IOException {
        return new HttpOrigin(PAGE_HOST, 0)
                .serve("/", "text/html; charset=utf-8", realmResource("index.html"))
                .serve(
                        "/realmgate.js",
                        "text/javascript; charset=utf-8",
                        realmResource("realmgate.js"));
    }

    /**
     * The proxy admits the page's server and the realm's wss port, nothing else (not the ws port).
     */
    private static Scenario proxied(Scenario realmOnly, HttpOrigin page) throws Exception {
        return realmOnly.withProxyRules(
                PAGE_HOST + ":" + page.port(), "127.0.0.1:" + realmOnly.wssPort());
    }

    /** The demo page on the other origin, told to use the realm at 127.0.0.1 on its wss port. */
    private static String pageUrl(HttpOrigin page, Scenario s, String channel, String transports) {
        return page.origin()
                + "/?channel="
                + channel
                + "&host=127.0.0.1&port="
                + s.wssPort()
                + "&secure=true"
                + "&transports="
                + transports;
    }

    private static void assertPageCameFromItsServer(HttpOrigin page) throws InterruptedException {
        HttpOrigin.Seen first = page.nextRequest();
        assertThat(first.method()).isEqualTo("GET");
        assertThat(first.target()).startsWith("/?channel=");
    }

    @Test
    void aPageOfAnotherOriginIsRefusedOnEveryTransportAndSaysSo() throws Exception {
        Scenario realmOnly = Scenario.realm(); // no --allowed-origins
        try (HttpOrigin page = pageServer();
                Scenario s = proxied(realmOnly, page);
                HeadlessChromium browser =
                        HeadlessChromium.start(s.proxyPort(), spki(), tmp.resolve("profile"));
                RealmClient java = RealmClient.builder(s.wsUri()).build()) {
            java.connect().get(5, TimeUnit.SECONDS);
            LinkedBlockingQueue<RealmEvent> fromPage = new LinkedBlockingQueue<>();
            java.subscribe("refused", fromPage::add).get(5, TimeUnit.SECONDS);

            browser.open(pageUrl(page, s, "refused", "websocket,stream,longpoll"));
            assertPageCameFromItsServer(page);
            // Every transport was tried, refused for the page's Origin, and reported on the page.
            JsonNode failed =
                    waitFor(
                            () ->
                                    browser.eval(
                                            "return [...new Set(window.realmDemo.errors.filter(e => e.code === 'connect-failed')"
                                                    + ".map(e => e.transport))].sort();"),
                            t -> t.size() == 3);
            assertThat(failed.toString()).isEqualTo("[\"longpoll\",\"stream\",\"websocket\"]");
            assertThat(s.realm.metrics().originRefusals()).isGreaterThanOrEqualTo(3);
            assertThat(Integer.parseInt(browser.text("#errors"))).isGreaterThanOrEqualTo(3);
            assertThat(browser.text("#lastError"))
                    .contains("--allowed-origins")
                    .contains(page.origin());
            assertThat(browser.text("#transport")).isEqualTo("none");
            assertThat(browser.eval("return window.realmDemo.transports;").size()).isZero();

            // Nothing goes through either way: the page's publish waits unsent, the realm's event
            // never arrives.
            browser.type("#message", "{\"hello\":\"from another origin\"}");
            browser.click("#send");
            assertThat(fromPage.poll(3, TimeUnit.SECONDS)).isNull();
            long id = java.publish("refused", "{\"hello\":\"from java\"}").get(5, TimeUnit.SECONDS);
            assertThat(fromPage.poll(5, TimeUnit.SECONDS))
                    .isEqualTo(new RealmEvent("refused", id, "{\"hello\":\"from java\"}"));
            Thread.sleep(2000); // the time a page that could connect would need to show the event
            assertThat(
                            browser.eval(
                                            "return window.realmDemo.events.length + window.realmDemo.acks.length;")
                                    .asInt())
                    .isZero();
            assertThat(s.realm.metrics().originRefusals()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aListedOriginPublishesAndReceivesOverWss() throws Exception {
        try (HttpOrigin page = pageServer()) {
            Scenario realmOnly = Scenario.realm(List.of(page.origin()));
            try (Scenario s = proxied(realmOnly, page);
                    HeadlessChromium browser =
                            HeadlessChromium.start(s.proxyPort(), spki(), tmp.resolve("profile"))) {
                browser.open(pageUrl(page, s, "listed", "websocket"));
                assertPageCameFromItsServer(page);
                waitFor(() -> browser.text("#transport"), t -> t.equals("websocket"));
                roundTrip(browser, s, "listed");
                assertThat(browser.eval("return window.realmDemo.errors.length;").asInt()).isZero();
                assertThat(s.realm.metrics().originRefusals()).isZero();
            }
        }
    }

    @Test
    void aListedOriginWorksOverTheEventStream() throws Exception {
        fallback("stream");
    }

    @Test
    void aListedOriginWorksOverLongPoll() throws Exception {
        fallback("longpoll");
    }

    /**
     * A fallback transport alone, to the wss port through the same tunnel: the event stream or the
     * polls and the publishes (with their CORS preflight) carry the page's Origin too.
     */
    private void fallback(String transport) throws Exception {
        try (HttpOrigin page = pageServer()) {
            Scenario realmOnly = Scenario.realm(List.of(page.origin()));
            try (Scenario s = proxied(realmOnly, page);
                    HeadlessChromium browser =
                            HeadlessChromium.start(s.proxyPort(), spki(), tmp.resolve("profile"))) {
                browser.open(pageUrl(page, s, transport, transport));
                assertPageCameFromItsServer(page);
                waitFor(() -> browser.text("#transport"), t -> t.equals(transport));
                roundTrip(browser, s, transport);
                assertThat(browser.eval("return window.realmDemo.transports;").toString())
                        .isEqualTo("[\"" + transport + "\"]");
                assertThat(browser.eval("return window.realmDemo.errors.length;").asInt()).isZero();
                assertThat(s.realm.metrics().originRefusals()).isZero();
            }
        }
    }
}
