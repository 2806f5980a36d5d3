package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.config.CommandLine;
import io.realmgate.realm.config.ConfigException;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ops.RealmMetrics;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cross-site WebSocket hijacking and cross-site publishes, refused by Origin, on raw sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OriginPolicyTest {
    private static RunningRealm realm;
    private static RunningRealm allowing;
    private static RunningRealm any;

    @BeforeAll
    static void start() throws Exception {
        realm = RunningRealm.start();
        allowing =
                RunningRealm.start(
                        RealmConfig.testing()
                                .allowedOrigins(
                                        List.of("https://App.Example", "http://localhost:8080")));
        any = RunningRealm.start(RealmConfig.testing().allowedOrigins(List.of("*")));
    }

    @AfterAll
    static void stop() {
        realm.close();
        allowing.close();
        any.close();
    }

    private static String statusLine(RunningRealm r, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", r.ws().getPort())) {
            s.setSoTimeout(1000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            StrictHandshakeTest.Answer a = StrictHandshakeTest.readAll(s.getInputStream());
            return a.statusLine();
        }
    }

    private static String upgrade(RunningRealm r, String origin) {
        return "GET /realm HTTP/1.1\r\nHost: 127.0.0.1:"
                + r.ws().getPort()
                + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "\r\n";
    }

    private static String get(RunningRealm r, String path, String origin) {
        return "GET "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + r.ws().getPort()
                + "\r\nConnection: close\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "\r\n";
    }

    private static String publish(RunningRealm r, String origin, String contentType) {
        String body = "{\"channel\":\"origin\",\"data\":1}";
        return "POST /publish HTTP/1.1\r\nHost: 127.0.0.1:"
                + r.ws().getPort()
                + "\r\nConnection: close\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body;
    }

    @Test
    void aForeignOriginIsRefusedOnEveryTransportAndCounted() throws Exception {
        long before = realm.server().metrics().originRefusals();
        String evil = "https://evil.example";
        assertThat(statusLine(realm, upgrade(realm, evil))).startsWith("HTTP/1.1 403");
        assertThat(statusLine(realm, get(realm, "/stream?sub=origin", evil)))
                .startsWith("HTTP/1.1 403");
        assertThat(statusLine(realm, get(realm, "/poll?sub=origin&wait=0", evil)))
                .startsWith("HTTP/1.1 403");
        assertThat(statusLine(realm, publish(realm, evil, "application/json")))
                .startsWith("HTTP/1.1 403");
        assertThat(statusLine(realm, upgrade(realm, "null"))).startsWith("HTTP/1.1 403");
        // Same host, other port or scheme: another origin.
        assertThat(statusLine(realm, upgrade(realm, "http://127.0.0.1:1")))
                .startsWith("HTTP/1.1 403");
        assertThat(statusLine(realm, upgrade(realm, "https://127.0.0.1:" + realm.ws().getPort())))
                .startsWith("HTTP/1.1 403");
        assertThat(realm.server().metrics().originRefusals()).isEqualTo(before + 7);
        assertThat(realm.server().metrics().render())
                .contains("realmgate_realm_origin_refusals_total");
        // The demo page and the probes do not look at Origin.
        assertThat(statusLine(realm, get(realm, "/healthz", evil))).startsWith("HTTP/1.1 200");
    }

    @Test
    void theRealmsOwnOriginAndClientsWithoutOriginAreAllowed() throws Exception {
        String own = "http://127.0.0.1:" + realm.ws().getPort();
        assertThat(statusLine(realm, upgrade(realm, own))).startsWith("HTTP/1.1 101");
        assertThat(statusLine(realm, upgrade(realm, null))).startsWith("HTTP/1.1 101");
        assertThat(statusLine(realm, get(realm, "/poll?sub=origin&wait=0", own)))
                .startsWith("HTTP/1.1 200");
        assertThat(statusLine(realm, publish(realm, own, "application/json; charset=utf-8")))
                .startsWith("HTTP/1.1 200");
        assertThat(statusLine(realm, publish(realm, null, "application/json")))
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void listedOriginsAndTheWildcardAreAllowed() throws Exception {
        assertThat(statusLine(allowing, upgrade(allowing, "https://app.example")))
                .startsWith("HTTP/1.1 101");
        assertThat(statusLine(allowing, upgrade(allowing, "https://app.example:443")))
                .startsWith("HTTP/1.1 101");
        assertThat(
                        statusLine(
                                allowing,
                                get(allowing, "/poll?sub=origin&wait=0", "http://localhost:8080")))
                .startsWith("HTTP/1.1 200");
        assertThat(statusLine(allowing, upgrade(allowing, "http://app.example")))
                .startsWith("HTTP/1.1 403");
        assertThat(statusLine(any, upgrade(any, "https://evil.example")))
                .startsWith("HTTP/1.1 101");
    }

    @Test
    void publishTakesOnlyJson() throws Exception {
        long before = realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.CONTENT_TYPE);
        assertThat(statusLine(realm, publish(realm, null, "text/plain")))
                .startsWith("HTTP/1.1 415");
        assertThat(statusLine(realm, publish(realm, null, "application/x-www-form-urlencoded")))
                .startsWith("HTTP/1.1 415");
        assertThat(statusLine(realm, publish(realm, null, null))).startsWith("HTTP/1.1 415");
        assertThat(statusLine(realm, publish(realm, null, "Application/JSON;charset=UTF-8")))
                .startsWith("HTTP/1.1 200");
        assertThat(realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.CONTENT_TYPE))
                .isEqualTo(before + 3);
    }

    @Test
    void theFlagTakesAListOrTheWildcard() throws Exception {
        assertThat(
                        CommandLine.parse(
                                        "--wss-port",
                                        "off",
                                        "--allowed-origins",
                                        "https://a.example, http://b.example:8080")
                                .allowedOrigins())
                .containsExactly("https://a.example:443", "http://b.example:8080");
        assertThat(CommandLine.parse("--wss-port", "off", "--allowed-origins=*").allowedOrigins())
                .containsExactly("*");
        assertThat(CommandLine.parse("--wss-port", "off").allowedOrigins()).isEmpty();
        Assertions.assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off", "--allowed-origins", "evil.example"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--allowed-origins");
        Assertions.assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port",
                                        "off",
                                        "--allowed-origins",
                                        "https://a.example/path"))
                .isInstanceOf(ConfigException.class);
    }
}
