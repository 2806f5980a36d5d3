package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.RedisPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redis engine over TLS ({@code rediss://}) to a real Redis with a TLS listener, its
 * certificate made by the openssl command for this test: trusted through {@code --redis-ca-file},
 * refused without it (the JVM's trust store does not know that certificate).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisTlsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @TempDir Path dir;
    private RedisPeer redis;
    private final List<RunningRealm> realms = new ArrayList<>();

    @AfterEach
    void stop() {
        realms.forEach(RunningRealm::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRedissUrlIsCheckedAgainstTheCaFile() throws Exception {
        assumeTrue(RedisPeer.available(), "redis-server is not installed");
        assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
        Path cert = dir.resolve("redis.crt");
        Path key = dir.resolve("redis.key");
        Process openssl =
                new ProcessBuilder(
                                OPENSSL.toString(),
                                "req",
                                "-x509",
                                "-newkey",
                                "ec",
                                "-pkeyopt",
                                "ec_paramgen_curve:P-256",
                                "-nodes",
                                "-keyout",
                                key.toString(),
                                "-out",
                                cert.toString(),
                                "-days",
                                "1",
                                "-subj",
                                "/CN=localhost",
                                "-addext",
                                "subjectAltName=DNS:localhost")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("openssl.log").toFile())
                        .start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
        redis = RedisPeer.startTls(cert, key);

        // Without the CA file the JVM's trust store is asked, which does not know this CA: the
        // realm starts (Redis may come later) but is not ready and refuses publishes.
        RunningRealm untrusting =
                RunningRealm.start(
                        RealmConfig.testing().engine(RealmConfig.REDIS).redisUrl(redis.tlsUrl()));
        realms.add(untrusting);
        assertThat(untrusting.server().ready()).isFalse();
        assertThat(publish(untrusting).get("code").asText()).isEqualTo("unavailable");
        RunningRealm trusting =
                RunningRealm.start(
                        RealmConfig.testing()
                                .engine(RealmConfig.REDIS)
                                .redisUrl(redis.tlsUrl())
                                .redisCaFile(cert));
        realms.add(trusting);
        assertThat(trusting.server().ready()).isTrue();
        JsonNode ack = publish(trusting);
        assertThat(ack.get("op").asText()).as(ack.toString()).isEqualTo("ack");
        assertThat(ack.get("id").asLong()).isEqualTo(1);
        assertThat(redis.command("XLEN realmgate:ch:tls:log")).isEqualTo(":1");
    }

    /** One publish on channel tls, and its answer. */
    private static JsonNode publish(RunningRealm realm) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            ws.setReadTimeout(30_000);
            ws.sendText("{\"op\":\"publish\",\"channel\":\"tls\",\"data\":1,\"ref\":\"r\"}");
            return JSON.readTree(ws.readText());
        }
    }
}
