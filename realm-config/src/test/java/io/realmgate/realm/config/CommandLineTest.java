package io.realmgate.realm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir Path dir;

    @Test
    void wssNeedsACertificateAndSaysWhichFlag() {
        assertThatThrownBy(CommandLine::parse)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "--tls-cert: the wss listener (--wss-port 9443) needs --tls-cert and --tls-key");
    }

    @Test
    void fallbackTransportCapsHaveDefaultsAndFlags() throws Exception {
        RealmConfig d = CommandLine.parse("--wss-port", "off");
        assertThat(d.maxStreams()).isEqualTo(5000);
        assertThat(d.maxStreamsPerClient()).isEqualTo(500);
        assertThat(d.maxPolls()).isEqualTo(5000);
        assertThat(d.maxPollsPerClient()).isEqualTo(500);
        RealmConfig c =
                CommandLine.parse(
                        "--wss-port",
                        "off",
                        "--max-streams",
                        "10",
                        "--max-streams-per-client=2",
                        "--max-polls",
                        "20",
                        "--max-polls-per-client",
                        "3");
        assertThat(c.maxStreams()).isEqualTo(10);
        assertThat(c.maxStreamsPerClient()).isEqualTo(2);
        assertThat(c.maxPolls()).isEqualTo(20);
        assertThat(c.maxPollsPerClient()).isEqualTo(3);
        assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--max-polls", "0"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void listenersCanBeTurnedOff() throws Exception {
        RealmConfig c = CommandLine.parse("--wss-port", "off");
        assertThat(c.wsPort()).isEqualTo(9000);
        assertThat(c.wssEnabled()).isFalse();
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--ws-port", "off"))
                .hasMessageContaining("nothing to serve");
    }

    @Test
    void certificatePairAndSelfSigned() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        RealmConfig c =
                CommandLine.parse(
                        "--tls-cert", cert.toString(), "--tls-key=" + key, "--bind", "0.0.0.0");
        assertThat(c.tlsCert()).isEqualTo(cert);
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(CommandLine.parse("--self-signed").selfSigned()).isTrue();
        assertThatThrownBy(() -> CommandLine.parse("--tls-cert", cert.toString()))
                .hasMessageStartingWith("--tls-key");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--tls-cert", dir.resolve("missing.pem").toString()))
                .hasMessageStartingWith("--tls-cert: cannot read");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--self-signed",
                                        "--tls-cert",
                                        cert.toString(),
                                        "--tls-key",
                                        key.toString()))
                .hasMessageStartingWith("--self-signed");
    }

    @Test
    void adminListenerIsHostAndPortAndOffByDefault() throws Exception {
        assertThat(CommandLine.parse("--wss-port", "off").adminEnabled()).isFalse();
        RealmConfig c = CommandLine.parse("--wss-port", "off", "--admin", "0.0.0.0:8080");
        assertThat(c.adminHost()).isEqualTo("0.0.0.0");
        assertThat(c.adminPort()).isEqualTo(8080);
        RealmConfig v6 = CommandLine.parse("--wss-port", "off", "--admin=[::1]:9100");
        assertThat(v6.adminHost()).isEqualTo("::1");
        assertThat(v6.adminPort()).isEqualTo(9100);
        for (String bad :
                new String[] {"8080", ":8080", "::1:8080", "host:http", "host:off", "host:70000"}) {
            assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--admin", bad))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("--admin");
        }
        assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--admin", "0.0.0.0:9000"))
                .hasMessage("--admin: port 9000 is also a client listener's port");
    }

    @Test
    void badValuesNameTheirFlag() {
        String[][] cases = {
            {"--ws-port", "99999"},
            {"--ws-port", "x"},
            {"--retain-bytes", "lots"},
            {"--ping-interval", "soon"},
            {"--retain-events", "-1"},
            {"--queue-events", "5"},
            {"--max-message", "10"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", c[0], c[1]))
                    .as(c[0] + " " + c[1])
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(c[0]);
        }
        assertThatThrownBy(() -> CommandLine.parse("--frobnicate"))
                .hasMessage("unknown flag '--frobnicate' (try --help)");
        assertThatThrownBy(() -> CommandLine.parse("--ws-port"))
                .hasMessage("--ws-port needs a value (try --help)");
        assertThatThrownBy(() -> CommandLine.parse("--help"))
                .isInstanceOf(CommandLine.HelpRequested.class);
    }

    @Test
    void engineIsMemoryByDefaultAndRedisNeedsItsUrl() throws Exception {
        RealmConfig memory = CommandLine.parse("--wss-port", "off");
        assertThat(memory.engine()).isEqualTo(RealmConfig.MEMORY);
        assertThat(memory.redisUrl()).isNull();
        assertThat(memory.retainAge()).isNull();

        RealmConfig redis =
                CommandLine.parse(
                        "--wss-port", "off",
                        "--engine", "redis",
                        "--redis-url", "rediss://app:pw@10.0.0.5:6379",
                        "--retain-age", "10m");
        assertThat(redis.engine()).isEqualTo(RealmConfig.REDIS);
        assertThat(redis.redisUrl().value()).isEqualTo("rediss://app:pw@10.0.0.5:6379");
        assertThat(redis.redisUrl().toString()).isEqualTo("rediss://***@10.0.0.5:6379");
        assertThat(redis.retainAge()).isEqualTo(Duration.ofMinutes(10));

        assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--engine", "disk"))
                .hasMessage("--engine: 'disk' is not an engine (memory or redis)");
        assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--engine", "redis"))
                .hasMessageStartingWith("--redis-url: the redis engine needs it");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off", "--redis-url", "redis://h:6379"))
                .hasMessage("--redis-url: only the redis engine uses it (give --engine redis)");
        assertThatThrownBy(() -> CommandLine.parse("--wss-port", "off", "--retain-age", "1h"))
                .hasMessage(
                        "--retain-age: only the redis engine retains by age (give --engine redis)");
        // A bad URL is named without the password it may hold.
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "http://:topsecret@h:6379"))
                .hasMessageStartingWith("--redis-url: 'http://***@h:6379' is not redis://")
                .hasMessageNotContaining("topsecret");
        // Through Sentinel (Lettuce's form): the sentinels, then the master's name.
        RealmConfig sentinel =
                CommandLine.parse(
                        "--wss-port", "off",
                        "--engine", "redis",
                        "--redis-url",
                                "redis-sentinel://pw@10.0.0.5:26379,10.0.0.6:26379#mymaster");
        assertThat(sentinel.redisUrl().toString())
                .isEqualTo("redis-sentinel://***@10.0.0.5:26379,10.0.0.6:26379#mymaster");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis-sentinel://10.0.0.5:26379"))
                .hasMessageStartingWith(
                        "--redis-url: 'redis-sentinel://10.0.0.5:26379' names no master:"
                                + " redis-sentinel://HOST[:PORT][,HOST[:PORT]]#MASTER");
    }

    @Test
    void aConfigBuiltAgainFromItsBuilderIsTheSame() throws Exception {
        // The key prefix has a default; a memory realm's builder must not carry it as if set.
        RealmConfig memory = CommandLine.parse("--wss-port", "off");
        assertThat(memory.toBuilder().build().engine()).isEqualTo(RealmConfig.MEMORY);
        RealmConfig redis =
                CommandLine.parse(
                        "--wss-port", "off",
                        "--engine", "redis",
                        "--redis-url", "redis://h",
                        "--redis-key-prefix", "team-a");
        assertThat(redis.toBuilder().build().redisKeyPrefix()).isEqualTo("team-a");
    }

    @Test
    void redisPasswordFileKeyPrefixAndCaFile() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "pw\n");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        RealmConfig defaults =
                CommandLine.parse(
                        "--wss-port", "off", "--engine", "redis", "--redis-url", "redis://h");
        assertThat(defaults.redisKeyPrefix()).isEqualTo("realmgate");
        assertThat(defaults.redisPasswordFile()).isNull();
        assertThat(defaults.redisCaFile()).isNull();
        RealmConfig c =
                CommandLine.parse(
                        "--wss-port", "off",
                        "--engine", "redis",
                        "--redis-url", "rediss://redis.feeds.svc:6379",
                        "--redis-password-file", password.toString(),
                        "--redis-key-prefix", "realmgate:feeds/quotes",
                        "--redis-ca-file", ca.toString());
        assertThat(c.redisPasswordFile()).isEqualTo(password);
        assertThat(c.redisKeyPrefix()).isEqualTo("realmgate:feeds/quotes");
        assertThat(c.redisCaFile()).isEqualTo(ca);
        RealmConfig sentinel =
                CommandLine.parse(
                        "--wss-port", "off",
                        "--engine", "redis",
                        "--redis-url", "redis-sentinel://s1:26379,s2:26379#mymaster");
        assertThat(sentinel.redisUrl().value()).startsWith("redis-sentinel://");

        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port",
                                        "off",
                                        "--redis-password-file",
                                        password.toString()))
                .hasMessage(
                        "--redis-password-file: only the redis engine uses it (give --engine redis)");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis://:topsecret@h",
                                        "--redis-password-file", password.toString()))
                .hasMessageStartingWith("--redis-password-file: --redis-url 'redis://***@h'")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis://h",
                                        "--redis-password-file", dir.resolve("none").toString()))
                .hasMessageStartingWith("--redis-password-file: cannot read");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis://h",
                                        "--redis-ca-file", ca.toString()))
                .hasMessageStartingWith("--redis-ca-file: only a TLS Redis uses it");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis://h",
                                        "--redis-key-prefix", "a b"))
                .hasMessageStartingWith("--redis-key-prefix: 'a b' has a character");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis://h",
                                        "--redis-key-prefix", ""))
                .hasMessage("--redis-key-prefix: must have 1 to 200 characters");
        assertThatThrownBy(
                        () ->
                                CommandLine.parse(
                                        "--wss-port", "off",
                                        "--engine", "redis",
                                        "--redis-url", "redis-sentinel://s1:26379"))
                .hasMessageContaining("names no master");
    }

    @Test
    void unitsAreReadAsTyped() throws Exception {
        RealmConfig c =
                CommandLine.parse(
                        "--wss-port",
                        "off",
                        "--retain-bytes",
                        "2MiB",
                        "--max-message",
                        "16KiB",
                        "--ping-interval",
                        "500ms",
                        "--queue-bytes",
                        "64MiB");
        assertThat(c.retainBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.maxMessageBytes()).isEqualTo(16 * 1024);
        assertThat(c.pingInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void durationsTakeTheCommonGrammar() throws Exception {
        RealmConfig c =
                CommandLine.parse(
                        "--wss-port",
                        "off",
                        "--ping-interval",
                        "1H",
                        "--cert-poll=PT2S",
                        "--header-timeout",
                        " 30s ");
        assertThat(c.pingInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(c.certPoll()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> CommandLine.parse("--ping-interval", "0s"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--ping-interval: \"0s\" must be longer than zero");
    }
}
