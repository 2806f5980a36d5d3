package io.realmgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.client.RealmClient;
import io.realmgate.realm.client.RealmEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Node's ws package (a second, independent WebSocket implementation) over wss through our proxy.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeWsThroughProxyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS_VERSION = System.getProperty("node.ws.version", "8.18.0");
    private static Path node;
    private static Path folder;

    /** Installs the pinned ws package into target/node (once; later runs find it there). */
    @BeforeAll
    static void installWs() throws Exception {
        node = ExternalTool.require("Node.js", "apt-get install nodejs npm", "node", "nodejs");
        Path npm = ExternalTool.require("npm", "apt-get install npm", "npm");
        folder = Path.of("target", "node").toAbsolutePath();
        Path installed = folder.resolve("node_modules/ws/package.json");
        if (!Files.exists(installed)
                || !Files.readString(installed).contains("\"version\": \"" + WS_VERSION + "\"")) {
            Files.createDirectories(folder);
            Process p =
                    new ProcessBuilder(
                                    npm.toString(),
                                    "install",
                                    "--prefix",
                                    folder.toString(),
                                    "--no-audit",
                                    "--no-fund",
                                    "--no-save",
                                    "--loglevel=error",
                                    "ws@" + WS_VERSION)
                            .redirectErrorStream(true)
                            .start();
            String out = read(p.getInputStream());
            if (!p.waitFor(150, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                ExternalTool.unusable(
                        "npm could not install ws@" + WS_VERSION + " into " + folder + ":\n" + out);
            }
        }
        try (InputStream in =
                NodeWsThroughProxyTest.class.getResourceAsStream("/node/wss-through-proxy.js")) {
            Files.write(folder.resolve("wss-through-proxy.js"), in.readAllBytes());
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void nodeWsOverWssThroughOurProxy() throws Exception {
        Scenario realmOnly = Scenario.realm();
        try (Scenario s = realmOnly.withProxy(realmOnly.wssPort());
                RealmClient java = RealmClient.builder(realmOnly.wsUri()).build()) {
            java.connect().get(5, TimeUnit.SECONDS);
            LinkedBlockingQueue<RealmEvent> seen = new LinkedBlockingQueue<>();
            java.subscribe("node", seen::add).get(5, TimeUnit.SECONDS);

            Process p =
                    new ProcessBuilder(
                                    node.toString(),
                                    folder.resolve("wss-through-proxy.js").toString(),
                                    String.valueOf(s.proxyPort()),
                                    "127.0.0.1",
                                    String.valueOf(s.wssPort()),
                                    s.caFile().toString(),
                                    "node")
                            .directory(folder.toFile())
                            .redirectErrorStream(true)
                            .start();
            try {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("node finished").isTrue();
                String out = read(p.getInputStream()).trim();
                List<String> lines = out.lines().toList();
                JsonNode r = JSON.readTree(lines.get(lines.size() - 1));
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(r.path("wsVersion").asText()).isEqualTo(WS_VERSION);
                assertThat(r.path("connectStatus").asInt()).isEqualTo(200);
                assertThat(r.path("peerCertificate").asText()).isEqualTo("localhost");
                assertThat(r.path("event").toString())
                        .isEqualTo(
                                "{\"op\":\"event\",\"channel\":\"node\",\"id\":"
                                        + r.path("ack").asLong()
                                        + ",\"data\":{\"from\":\"node\"}}");
                assertThat(r.path("closeCode").asInt()).isEqualTo(1000);
            } finally {
                p.destroyForcibly();
            }
            // The Java client, connected directly, saw the event Node published through the proxy.
            assertThat(seen.poll(5, TimeUnit.SECONDS))
                    .isEqualTo(new RealmEvent("node", 1, "{\"from\":\"node\"}"));
        }
    }
}
