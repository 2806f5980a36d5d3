package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.RedisPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redis realm started before its Redis (both rolled out together): it starts, is alive but not
 * ready, refuses publishes and holds subscribes; once Redis is there it works as if Redis had been
 * there from the start. A bad URL is still a configuration error that stops the process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisStartsFirstTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "s3cret-pw";

    @TempDir Path dir;

    private RedisPeer redis;
    private final List<RunningRealm> realms = new ArrayList<>();
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RawWebSocket ws : sockets) {
            ws.close();
        }
        realms.forEach(RunningRealm::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRealmStartedBeforeRedisWaitsForItAndThenWorks() throws Exception {
        assumeTrue(RedisPeer.available(), "redis-server is not installed");
        int port = freePort();
        String url = "redis://:" + PASSWORD + "@127.0.0.1:" + port;
        RunningRealm a = realm(url);
        RunningRealm b = realm(url);

        // Alive, not ready, and the reason names Redis (without its password).
        assertThat(get(a.http() + "/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> readyz = get(a.http() + "/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).contains("redis").doesNotContain(PASSWORD);
        HttpResponse<String> adminReadyz = get(admin(a) + "/readyz");
        assertThat(adminReadyz.statusCode()).isEqualTo(503);
        assertThat(adminReadyz.body())
                .contains("redis at redis://***@127.0.0.1:" + port)
                .doesNotContain(PASSWORD);

        RawWebSocket pub = socket(a);
        JsonNode refused = publish(pub, "news", "early");
        assertThat(refused.get("op").asText()).isEqualTo("error");
        assertThat(refused.get("code").asText()).isEqualTo("unavailable");
        assertThat(refused.get("ref").asText()).isEqualTo("early");

        // A subscribe while Redis was never reached is held, as while Redis is away after start.
        RawWebSocket sub = socket(b);
        sub.sendText("{\"op\":\"subscribe\",\"channel\":\"news\"}");

        redis = RedisPeer.startOn(port, false, PASSWORD);
        Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> a.server().ready() && b.server().ready());
        assertThat(get(a.http() + "/readyz").statusCode()).isEqualTo(200);
        assertThat(get(admin(a) + "/readyz").statusCode()).isEqualTo(200);

        JsonNode subscribed = JSON.readTree(sub.readText());
        assertThat(subscribed.get("op").asText()).as("%s", subscribed).isEqualTo("subscribed");
        // The channel's epoch was read from Redis (written by the scripts on first use).
        assertThat(subscribed.path("epoch").asText()).isNotBlank();
        JsonNode ack = publish(pub, "news", "first");
        assertThat(ack.get("op").asText()).as("%s", ack).isEqualTo("ack");
        assertThat(ack.get("id").asLong()).isEqualTo(1);
        JsonNode event = JSON.readTree(sub.readText());
        assertThat(event.get("op").asText()).as("%s", event).isEqualTo("event");
        assertThat(event.get("id").asLong()).isEqualTo(1);
        assertThat(event.get("data").asText()).isEqualTo("first");
    }

    @Test
    void aBadRedisUrlStopsTheProcessWithExit2AndOneLine() throws Exception {
        for (String bad :
                List.of("http://:topsecret@127.0.0.1:6379", "redis://:topsecret@[::1:6379")) {
            Path log = Files.createTempFile(dir, "realm", ".log");
            Process p =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    RealmMain.class.getName(),
                                    "--ws-port",
                                    "0",
                                    "--wss-port",
                                    "off",
                                    "--engine",
                                    "redis",
                                    "--redis-url",
                                    bad)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            try {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited for %s", bad).isTrue();
                assertThat(p.exitValue()).isEqualTo(2);
                List<String> lines = Files.readAllLines(log);
                assertThat(lines).hasSize(1);
                assertThat(lines.get(0))
                        .startsWith("realmgate-realm: --redis-url:")
                        .doesNotContain("topsecret");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private RunningRealm realm(String url) throws Exception {
        RunningRealm r =
                RunningRealm.start(
                        RealmConfig.testing()
                                .admin("127.0.0.1", 0)
                                .engine(RealmConfig.REDIS)
                                .redisUrl(url));
        realms.add(r);
        return r;
    }

    private static String admin(RunningRealm realm) {
        InetSocketAddress a = realm.server().adminAddress();
        return "http://127.0.0.1:" + a.getPort();
    }

    private RawWebSocket socket(RunningRealm realm) throws IOException {
        RawWebSocket ws = RawWebSocket.open(realm.ws());
        ws.setReadTimeout((int) WAIT.toMillis());
        sockets.add(ws);
        return ws;
    }

    private static JsonNode publish(RawWebSocket ws, String channel, String value)
            throws IOException {
        ws.sendText(
                "{\"op\":\"publish\",\"channel\":\""
                        + channel
                        + "\",\"data\":\""
                        + value
                        + "\",\"ref\":\""
                        + value
                        + "\"}");
        return JSON.readTree(ws.readText());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
