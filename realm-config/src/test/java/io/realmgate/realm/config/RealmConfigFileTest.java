package io.realmgate.realm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config FILE}: every key, the defaults, flags over keys, and each way a file can be
 * wrong.
 */
class RealmConfigFileTest {
    @TempDir Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("realm.yaml"), yaml);
    }

    private RealmConfig parse(String yaml, String... flags) throws Exception {
        String[] args = new String[flags.length + 2];
        args[0] = "--config";
        args[1] = file(yaml).toString();
        System.arraycopy(flags, 0, args, 2, flags.length);
        return CommandLine.parse(args);
    }

    /** The message, with the temporary directory taken out: {@code realm.yaml:3: ...}. */
    private String error(String yaml, String... flags) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> parse(yaml, flags));
        assertThat(t).isInstanceOf(ConfigException.class);
        assertThat(t.getMessage()).doesNotContain("\n");
        return t.getMessage().replace(dir + "/", "");
    }

    private String allKeys() throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
        Path key = Files.writeString(dir.resolve("tls.key"), "x");
        return """
                listeners:
                  bind: 0.0.0.0
                  wsPort: 9100
                  wssPort: 9543
                tls:
                  certificate: %s
                  privateKey: %s
                  selfSigned: false
                  certPoll: 5s
                admin: 0.0.0.0:8081
                allowedOrigins:
                  - https://App.Example.com
                  - http://localhost:8080
                pingInterval: 45s
                retention:
                  events: 200
                  bytes: 2MiB
                  age: 1h
                queues:
                  events: 300
                  bytes: 16MiB
                limits:
                  maxMessage: 128KiB
                  maxChannels: 11
                  maxSubscriptions: 12
                  maxConnections: 13
                  maxConnectionsPerClient: 14
                  headerTimeout: 15s
                  replayRate: 16
                  maxStreams: 17
                  maxStreamsPerClient: 18
                  maxPolls: 19
                  maxPollsPerClient: 20
                engine: redis
                redis:
                  url: rediss://redis.example:6380/2
                  passwordFile: %s
                  keyPrefix: realmgate:apps/prices
                  caFile: %s
                """
                .formatted(cert, key, cert, cert);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        RealmConfig c = parse(allKeys());
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.wsPort()).isEqualTo(9100);
        assertThat(c.wssPort()).isEqualTo(9543);
        assertThat(c.tlsCert()).isEqualTo(dir.resolve("tls.crt"));
        assertThat(c.tlsKey()).isEqualTo(dir.resolve("tls.key"));
        assertThat(c.selfSigned()).isFalse();
        assertThat(c.certPoll()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.adminHost()).isEqualTo("0.0.0.0");
        assertThat(c.adminPort()).isEqualTo(8081);
        assertThat(c.allowedOrigins())
                .containsExactly("https://app.example.com:443", "http://localhost:8080");
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.retainEvents()).isEqualTo(200);
        assertThat(c.retainBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(c.queueEvents()).isEqualTo(300);
        assertThat(c.queueBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(c.maxMessageBytes()).isEqualTo(128 * 1024);
        assertThat(c.maxChannels()).isEqualTo(11);
        assertThat(c.maxSubscriptions()).isEqualTo(12);
        assertThat(c.maxConnections()).isEqualTo(13);
        assertThat(c.maxConnectionsPerClient()).isEqualTo(14);
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.replayRate()).isEqualTo(16);
        assertThat(c.maxStreams()).isEqualTo(17);
        assertThat(c.maxStreamsPerClient()).isEqualTo(18);
        assertThat(c.maxPolls()).isEqualTo(19);
        assertThat(c.maxPollsPerClient()).isEqualTo(20);
        assertThat(c.engine()).isEqualTo(RealmConfig.REDIS);
        assertThat(c.redisUrl().value()).isEqualTo("rediss://redis.example:6380/2");
        assertThat(c.redisPasswordFile()).isEqualTo(dir.resolve("tls.crt"));
        assertThat(c.redisKeyPrefix()).isEqualTo("realmgate:apps/prices");
        assertThat(c.redisCaFile()).isEqualTo(dir.resolve("tls.crt"));
        assertThat(c.retainAge()).isEqualTo(Duration.ofHours(1));
    }

    /**
     * A new flag without a key (or a key whose flag is gone) fails here: the usage text is the list
     * of flags.
     */
    @Test
    void everyFlagButConfigAndHelpHasAKey() throws Exception {
        Matcher m = Pattern.compile("(?m)^  (--[a-z-]+)").matcher(CommandLine.USAGE);
        Set<String> flags = new java.util.TreeSet<>();
        while (m.find()) {
            flags.add(m.group(1));
        }
        flags.removeAll(Set.of("--config", "--help"));
        RealmConfigDocument doc = RealmConfigFiles.parse(allKeys(), "realm.yaml").document();
        Set<String> keyed =
                doc.settings().stream()
                        .map(RealmConfigDocument.Setting::flag)
                        .collect(Collectors.toSet());
        assertThat(keyed).isEqualTo(flags);
        assertThat(flags).hasSize(31);
    }

    @Test
    void absentKeysHaveTheFlagsDefaults() throws Exception {
        RealmConfig flagsOnly = CommandLine.parse("--wss-port", "off");
        assertThat(parse("listeners:\n  wssPort: off\n")).isEqualTo(flagsOnly);
        assertThat(parse("", "--wss-port", "off")).isEqualTo(flagsOnly);
        assertThat(parse("# nothing but a comment\n", "--wss-port", "off")).isEqualTo(flagsOnly);
        assertThat(parse("limits:\n  maxPolls:\n", "--wss-port", "off")).isEqualTo(flagsOnly);
        // Without a file the realm is as before: the default wss listener needs a certificate.
        assertThat(error("limits:\n  maxPolls: 3\n"))
                .isEqualTo(
                        "--tls-cert: the wss listener (--wss-port 9443) needs --tls-cert and --tls-key"
                                + " (or --self-signed for development, or --wss-port off)");
    }

    @Test
    void flagsOverrideKeysWhereverTheyStand() throws Exception {
        String yaml =
                "listeners:\n  wssPort: off\nlimits:\n  maxConnections: 5\n  maxPolls: 6\n"
                        + "allowedOrigins: [https://a.example]\n";
        RealmConfig c =
                parse(yaml, "--max-connections", "7", "--allowed-origins", "https://b.example");
        assertThat(c.maxConnections()).isEqualTo(7);
        assertThat(c.maxPolls()).isEqualTo(6);
        assertThat(c.allowedOrigins()).containsExactly("https://b.example:443");
        RealmConfig before =
                CommandLine.parse("--max-connections=8", "--config", file(yaml).toString());
        assertThat(before.maxConnections()).isEqualTo(8);
        assertThat(parse(yaml, "--ws-port", "off", "--wss-port", "0", "--self-signed").selfSigned())
                .isTrue();
        // A bad key is refused even if a flag overrides it: the file is wrong either way.
        assertThat(error("limits:\n  maxConnections: lots\n", "--max-connections", "7"))
                .startsWith("realm.yaml:2: limits.maxConnections: 'lots' is not a whole number");
        // A value a flag overrides is named by the flag, the rest by key.
        assertThat(
                        error(
                                "retention:\n  events: 10\nqueues:\n  events: 11\n",
                                "--wss-port",
                                "off",
                                "--retain-events",
                                "20"))
                .isEqualTo(
                        "realm.yaml:4: queues.events: must be larger than --retain-events"
                                + " (20) so a full replay fits");
    }

    @Test
    void aDocumentWritesAndReadsBackTheSame() throws Exception {
        RealmConfigDocument doc = RealmConfigFiles.parse(allKeys(), "realm.yaml").document();
        String written = RealmConfigFiles.write(doc);
        RealmConfigDocument again = RealmConfigFiles.parse(written, "again.yaml").document();
        assertThat(again.settings()).isEqualTo(doc.settings());
        assertThat(written).startsWith("listeners:\n").contains("limits:\n  maxMessage: 128KiB\n");
        assertThat(parse(written)).isEqualTo(parse(allKeys()));
        // As a program rendering the config would build it: in Java, only what it sets.
        RealmConfigDocument built = new RealmConfigDocument();
        built.limits = new RealmConfigDocument.Limits();
        built.limits.maxConnections = 40;
        built.listeners = new RealmConfigDocument.Listeners();
        built.listeners.wssPort = "off";
        assertThat(RealmConfigFiles.write(built))
                .isEqualTo("listeners:\n  wssPort: \"off\"\nlimits:\n  maxConnections: 40\n");
        assertThat(parse(RealmConfigFiles.write(built)).maxConnections()).isEqualTo(40);
    }

    @Test
    void anUnknownKeyIsNamedWithItsLine() {
        assertThat(error("listeners:\n  wssPort: off\nlimits:\n  maxConection: 5\n"))
                .isEqualTo(
                        "realm.yaml:4: unknown key 'limits.maxConection' (known here: limits.headerTimeout, limits.maxChannels, "
                                + "limits.maxConnections, limits.maxConnectionsPerClient, limits.maxMessage, limits.maxPolls, "
                                + "limits.maxPollsPerClient, limits.maxStreams, limits.maxStreamsPerClient, "
                                + "limits.maxSubscriptions, limits.replayRate)");
        assertThat(error("wsPort: 9000\n"))
                .startsWith("realm.yaml:1: unknown key 'wsPort' (known here: admin, ");
    }

    @Test
    void aWrongTypeIsNamedWithItsLine() {
        assertThat(error("limits:\n  maxConnections: [1, 2]\n"))
                .isEqualTo(
                        "realm.yaml:2: limits.maxConnections: wrong type, a whole number is needed");
        assertThat(error("limits:\n  maxConnections: 1.5\n"))
                .isEqualTo("realm.yaml:2: limits.maxConnections: '1.5' is not a whole number");
        assertThat(error("limits:\n  maxConnections: 99999999999\n"))
                .isEqualTo(
                        "realm.yaml:2: limits.maxConnections:"
                                + " Numeric value (99999999999) out of range of int (-2147483648 - 2147483647)");
        assertThat(error("limits: 5\n"))
                .isEqualTo("realm.yaml:1: limits: wrong type, a mapping of keys is needed");
        assertThat(error("allowedOrigins: https://a.example\n"))
                .isEqualTo("realm.yaml:1: allowedOrigins: wrong type, a list is needed");
        assertThat(error("admin:\n  host: 0.0.0.0\n"))
                .isEqualTo("realm.yaml:2: admin: wrong type, a single value is needed");
        assertThat(error("tls:\n  selfSigned: maybe\n"))
                .isEqualTo("realm.yaml:2: tls.selfSigned: 'maybe' is not true or false");
        assertThat(error("- limits\n"))
                .startsWith("realm.yaml:1: the file must be a mapping of keys");
    }

    @Test
    void aBadValueIsNamedByKeyAndLineWithTheFlagsRule() {
        assertThat(error("listeners:\n  wssPort: off\nlimits:\n  maxConnections: 0\n"))
                .isEqualTo("realm.yaml:4: limits.maxConnections: must be positive");
        assertThat(error("listeners:\n  wssPort: 70000\n"))
                .isEqualTo(
                        "realm.yaml:2: listeners.wssPort: '70000' is not a port (0-65535) or 'off'");
        assertThat(error("limits:\n  headerTimeout: soon\n"))
                .isEqualTo(
                        "realm.yaml:2: limits.headerTimeout: \"soon\" is"
                                + " not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)");
        assertThat(error("retention:\n  bytes: 1 lot\n"))
                .isEqualTo(
                        "realm.yaml:2: retention.bytes: '1 lot' is not a size (e.g. 65536, 64KiB, 1MiB)");
        assertThat(error("listeners:\n  wssPort: off\nallowedOrigins:\n  - ftp://files.example\n"))
                .isEqualTo(
                        "realm.yaml:3: allowedOrigins: 'ftp://files.example' is not an origin such as"
                                + " https://app.example.com or http://localhost:8080 (or *)");
        assertThat(error("admin: 8080\n"))
                .isEqualTo(
                        "realm.yaml:1: admin: '8080' is not HOST:PORT (such as 0.0.0.0:8080"
                                + " or [::1]:8080)");
        assertThat(error("tls:\n  certificate: missing.pem\n"))
                .isEqualTo("realm.yaml:2: tls.certificate: cannot read 'missing.pem'");
        assertThat(error("listeners:\n  wssPort: off\n  bind: ' '\n"))
                .isEqualTo("realm.yaml:3: listeners.bind: empty host");
        // A rule between two values names both by key.
        assertThat(error("listeners:\n  wssPort: off\nlimits:\n  maxMessage: 1MiB\n"))
                .isEqualTo(
                        "--retain-bytes: must be at least twice limits.maxMessage (1048576 bytes) so that the newest"
                                + " event always fits");
        assertThat(
                        error(
                                "listeners:\n  wssPort: off\nretention:\n  bytes: 16MiB\nlimits:\n  maxMessage: 1MiB\n"))
                .isEqualTo(
                        "--queue-bytes: must be larger than retention.bytes (16777216) so a full replay fits");
        assertThat(error("listeners:\n  wsPort: off\n  wssPort: off\n"))
                .isEqualTo(
                        "realm.yaml:2: listeners.wsPort / listeners.wssPort: both listeners are off, nothing to serve");
        assertThat(
                        error(
                                "tls:\n  selfSigned: true\n  certificate: "
                                        + dir
                                        + "/realm.yaml\n  privateKey: "
                                        + dir
                                        + "/realm.yaml\n"))
                .isEqualTo(
                        "realm.yaml:2: tls.selfSigned: give either tls.selfSigned or "
                                + "tls.certificate/tls.privateKey, not both");
    }

    @Test
    void aFileThatCannotBeReadOrParsedIsNamed() throws Exception {
        assertThatThrownBy(() -> CommandLine.parse("--config", dir.resolve("none.yaml").toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--config: " + dir.resolve("none.yaml") + " does not exist");
        assertThatThrownBy(() -> CommandLine.parse("--config", dir.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--config: cannot read " + dir + ": ");
        Path latin1 =
                Files.write(
                        dir.resolve("latin1.yaml"),
                        new byte[] {'a', 'd', 'm', 'i', 'n', ':', ' ', (byte) 0xe9});
        assertThatThrownBy(() -> CommandLine.parse("--config", latin1.toString()))
                .hasMessage("--config: cannot read " + latin1 + ": not UTF-8 text");
        assertThat(error("limits:\n  maxConnections: 5\n maxPolls: [\n"))
                .startsWith("realm.yaml:3: not valid YAML: ");
        assertThat(error("limits:\n  maxPolls: 5\n  maxPolls: 6\n"))
                .isEqualTo("realm.yaml:3: limits.maxPolls: given twice");
        assertThat(error("admin: off\nadmin: 0.0.0.0:8080\n"))
                .isEqualTo("realm.yaml:2: admin: given twice");
        assertThatThrownBy(() -> CommandLine.parse("--config"))
                .hasMessage("--config needs a value (try --help)");
    }

    /**
     * docs/realm.md, "The config file": the example reads, and the table's keys, flags and defaults
     * are the code's.
     */
    @Test
    void theDocumentationsExampleAndTableAreTheCodes() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "realm.md"));
        String section = doc.substring(doc.indexOf("## The config file"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        String example =
                section.substring(
                        section.indexOf("```yaml\n") + 8,
                        section.indexOf("```\n", section.indexOf("```yaml")));
        Set<String> exampleFlags =
                RealmConfigFiles.parse(example, "example").document().settings().stream()
                        .map(RealmConfigDocument.Setting::flag)
                        .collect(Collectors.toSet());
        Set<String> documented = new java.util.HashSet<>();
        RealmConfig baseline = CommandLine.parse("--self-signed");
        // The redis engine's own settings are refused with the memory engine: their defaults are
        // checked on a redis realm.
        String[] redis = {"--self-signed", "--engine", "redis", "--redis-url", "redis://h"};
        RealmConfig redisBaseline = CommandLine.parse(redis);
        Matcher row =
                Pattern.compile("(?m)^\\| `([a-zA-Z.]+)`[^|]*\\| `(--[a-z-]+)`[^|]*\\| (\\S+) \\|$")
                        .matcher(section);
        java.util.Map<String, String> keyToFlag =
                RealmConfigFiles.parse(allKeys(), "all").document().settings().stream()
                        .collect(
                                Collectors.toMap(
                                        RealmConfigDocument.Setting::key,
                                        RealmConfigDocument.Setting::flag));
        while (row.find()) {
            String key = row.group(1);
            String flag = row.group(2);
            String dflt = row.group(3).replace("`", "");
            assertThat(keyToFlag.get(key)).as(key).isEqualTo(flag);
            documented.add(flag);
            if (flag.startsWith("--redis-") && !dflt.equals("none")) {
                String[] args = Arrays.copyOf(redis, redis.length + 2);
                args[redis.length] = flag;
                args[redis.length + 1] = dflt;
                assertThat(CommandLine.parse(args)).as(flag + " " + dflt).isEqualTo(redisBaseline);
            } else if (!dflt.equals("none") && !flag.equals("--self-signed")) {
                assertThat(CommandLine.parse("--self-signed", flag, dflt))
                        .as(flag + " " + dflt)
                        .isEqualTo(baseline);
            }
        }
        assertThat(documented).isEqualTo(Set.copyOf(keyToFlag.values())).isEqualTo(exampleFlags);
    }

    @Test
    void theUsageNamesTheConfigFlag() {
        assertThat(
                        Arrays.stream(CommandLine.USAGE.split("\n"))
                                .filter(l -> l.startsWith("  --config FILE"))
                                .toList())
                .hasSize(1);
        assertThat(List.of(CommandLine.USAGE.split("\n"))).last().asString().contains("--help");
    }
}
