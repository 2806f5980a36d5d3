package io.realmgate.realm.config;

import io.realmgate.common.Durations;
import io.realmgate.common.Flags;
import io.realmgate.common.InvalidSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The standalone flags: {@code --ws-port 9000 --wss-port 9443 --tls-cert c.pem --tls-key k.pem},
 * and limits. {@code --config FILE} is read first, wherever it stands; flags given beside it
 * override the file's keys. A key is read with its flag's rule ({@link #apply}), so the two cannot
 * drift apart.
 */
public final class CommandLine {
    public static final String USAGE =
            String.join(
                    "\n",
                    "usage: java -jar realmgate-realm.jar [options]",
                    "  --ws-port PORT|off        plain ws/http listener (default 9000)",
                    "  --wss-port PORT|off       TLS wss/https listener (default 9443; needs a certificate)",
                    "  --tls-cert FILE           PEM certificate chain for wss (reloaded when the file changes)",
                    "  --tls-key FILE            PEM private key for wss (PKCS#8 or PKCS#1)",
                    "  --self-signed             generate a localhost certificate at start-up (development only)",
                    "  --bind HOST               address both listeners bind (default 127.0.0.1; :: is dual-stack)",
                    "  --retain-events N         events kept per channel for replay (default 1000)",
                    "  --retain-bytes SIZE       bytes kept per channel for replay (default 1MiB)",
                    "  --retain-age DURATION     how long events are kept for replay (redis engine only; default off: no limit)",
                    "  --engine memory|redis     where channels live: this process (default) or Redis, shared by several realms",
                    "  --redis-url URL           the redis engine's Redis: redis://[:PASSWORD@]HOST[:PORT][/DB], rediss:// for TLS,",
                    "                            redis-sentinel://HOST[:PORT][,HOST[:PORT]]#MASTER for Sentinel",
                    "  --redis-password-file FILE  the Redis password, read from this file (instead of one in --redis-url)",
                    "  --redis-key-prefix PREFIX the realm's keys and pub/sub channels in Redis start with PREFIX: (default realmgate)",
                    "  --redis-ca-file FILE      PEM CA certificates a rediss:// Redis is checked against (default: the JVM's)",
                    "  --max-message SIZE        largest client message (default 64KiB)",
                    "  --queue-events N          frames waiting for one connection before it is closed as slow (default 4096)",
                    "  --queue-bytes SIZE        bytes waiting for one connection before it is closed as slow (default 8MiB)",
                    "  --max-channels N          channels the realm holds (default 10000)",
                    "  --max-subscriptions N     subscriptions per connection (default 1000)",
                    "  --ping-interval DURATION  ping a silent WebSocket after this; close it after twice this (default 30s)",
                    "  --cert-poll DURATION      how often certificate files are checked for changes (default 1s)",
                    "  --admin HOST:PORT         admin listener: /healthz, /readyz, /metrics, and nothing else (default off)",
                    "  --allowed-origins LIST    browser origins (scheme://host[:port], comma-separated, or *) allowed",
                    "                            besides the realm's own; other Origins are refused with 403 (default none)",
                    "  --max-connections N       client connections, both listeners together (default 10000)",
                    "  --max-connections-per-client N  client connections from one address (default 1000)",
                    "  --header-timeout DURATION time a request's whole header may take to arrive (default 10s)",
                    "  --replay-rate N           events one WebSocket, or one address's event streams and long-polls together,",
                    "                            may have replayed (from) per second (default 10000)",
                    "  --max-streams N           concurrent event streams, both listeners together (default 5000)",
                    "  --max-streams-per-client N  concurrent event streams from one address (default 500)",
                    "  --max-polls N             concurrent long-polls, both listeners together (default 5000)",
                    "  --max-polls-per-client N  concurrent long-polls from one address (default 500)",
                    "  --config FILE             YAML config file (docs/realm.md); flags given beside it override its keys",
                    "  --help                    this text");

    private CommandLine() {}

    /** Thrown for {@code --help}. */
    public static final class HelpRequested extends Exception {
        public HelpRequested() {
            super(null, null, false, false);
        }
    }

    private static final Set<String> VALUED =
            Set.of(
                    "--ws-port",
                    "--wss-port",
                    "--tls-cert",
                    "--tls-key",
                    "--bind",
                    "--retain-events",
                    "--retain-bytes",
                    "--retain-age",
                    "--engine",
                    "--redis-url",
                    "--redis-password-file",
                    "--redis-key-prefix",
                    "--redis-ca-file",
                    "--max-message",
                    "--queue-events",
                    "--queue-bytes",
                    "--max-channels",
                    "--max-subscriptions",
                    "--ping-interval",
                    "--cert-poll",
                    "--admin",
                    "--allowed-origins",
                    "--max-connections",
                    "--max-connections-per-client",
                    "--header-timeout",
                    "--replay-rate",
                    "--max-streams",
                    "--max-streams-per-client",
                    "--max-polls",
                    "--max-polls-per-client",
                    "--config");
    private static final Set<String> SWITCHES = Set.of("--self-signed");

    public static RealmConfig parse(String... args) throws ConfigException, HelpRequested {
        Flags flags;
        try {
            flags = Flags.read(args, VALUED, SWITCHES);
        } catch (InvalidSetting e) {
            throw new ConfigException(e.getMessage() + " (try --help)");
        }
        if (flags.help()) {
            throw new HelpRequested();
        }
        RealmConfig.Builder b = new RealmConfig.Builder();
        Path configFile = null;
        for (Flags.Flag flag : flags.flags()) {
            if (flag.name().equals("--config")) {
                configFile = Path.of(flag.value());
            }
        }
        if (configFile != null) {
            RealmConfigFiles.Loaded file = RealmConfigFiles.read(configFile);
            for (RealmConfigDocument.Setting key : file.document().settings()) {
                String name = file.name(key.key());
                b.heads.put(key.flag(), name);
                b.terms.put(key.flag(), key.key());
                applyKey(b, key, name);
            }
        }
        // A flag given twice: the last one counts, as before.
        for (Flags.Flag flag : flags.flags()) {
            if (flag.name().equals("--config")) {
                continue;
            }
            b.heads.remove(flag.name());
            b.terms.remove(flag.name());
            if (flag.name().equals("--self-signed")) {
                b.selfSigned = true;
            } else {
                apply(b, flag.name(), flag.name(), flag.value());
            }
        }
        return b.build();
    }

    /**
     * A config file's key: a value as its flag takes it, except the two that YAML types (a switch,
     * a list).
     */
    private static void applyKey(
            RealmConfig.Builder b, RealmConfigDocument.Setting key, String name)
            throws ConfigException {
        if (key.value() instanceof Boolean selfSigned) {
            b.selfSigned = selfSigned;
        } else if (key.value() instanceof java.util.List<?> origins) {
            b.allowedOrigins =
                    origins.stream()
                            .filter(java.util.Objects::nonNull)
                            .map(o -> o.toString().trim())
                            .filter(o -> !o.isEmpty())
                            .toList();
        } else {
            apply(b, key.flag(), name, key.value().toString());
        }
    }

    /**
     * @param flag the setting, by its flag
     * @param name what the message calls it: the flag, or the config file's {@code FILE:LINE: key}
     */
    private static void apply(RealmConfig.Builder b, String flag, String name, String value)
            throws ConfigException {
        switch (flag) {
            case "--ws-port" -> b.wsPort = port(name, value);
            case "--wss-port" -> b.wssPort = port(name, value);
            case "--tls-cert" -> b.tlsCert = readable(name, value);
            case "--tls-key" -> b.tlsKey = readable(name, value);
            case "--bind" -> {
                if (value.isBlank()) {
                    throw new ConfigException(name + ": empty host");
                }
                b.bind = value;
            }
            case "--retain-events" -> b.retainEvents = count(name, value);
            case "--retain-bytes" -> b.retainBytes = Units.bytes(name, value);
            case "--retain-age" ->
                    b.retainAge = value.equalsIgnoreCase("off") ? null : duration(name, value);
            case "--engine" -> b.engine = value.trim().toLowerCase(java.util.Locale.ROOT);
            case "--redis-url" -> b.redisUrl = value.trim();
            case "--redis-password-file" -> b.redisPasswordFile = readable(name, value);
            case "--redis-key-prefix" -> b.redisKeyPrefix = value.trim();
            case "--redis-ca-file" -> b.redisCaFile = readable(name, value);
            case "--max-message" ->
                    b.maxMessageBytes = (int) Math.min(Integer.MAX_VALUE, Units.bytes(name, value));
            case "--queue-events" -> b.queueEvents = count(name, value);
            case "--queue-bytes" -> b.queueBytes = Units.bytes(name, value);
            case "--max-channels" -> b.maxChannels = count(name, value);
            case "--max-subscriptions" -> b.maxSubscriptions = count(name, value);
            case "--ping-interval" -> b.pingInterval = duration(name, value);
            case "--cert-poll" -> b.certPoll = duration(name, value);
            case "--admin" -> admin(b, name, value);
            case "--max-connections" -> b.maxConnections = count(name, value);
            case "--max-connections-per-client" -> b.maxConnectionsPerClient = count(name, value);
            case "--header-timeout" -> b.headerTimeout = duration(name, value);
            case "--replay-rate" -> b.replayRate = count(name, value);
            case "--max-streams" -> b.maxStreams = count(name, value);
            case "--max-streams-per-client" -> b.maxStreamsPerClient = count(name, value);
            case "--max-polls" -> b.maxPolls = count(name, value);
            case "--max-polls-per-client" -> b.maxPollsPerClient = count(name, value);
            case "--allowed-origins" ->
                    b.allowedOrigins =
                            java.util.Arrays.stream(value.split(","))
                                    .map(String::trim)
                                    .filter(o -> !o.isEmpty())
                                    .toList();
            default -> throw new IllegalStateException(flag);
        }
    }

    /**
     * {@code HOST:PORT}, an IPv6 address in brackets ({@code [::1]:8080}); {@code off} turns it
     * off.
     */
    private static void admin(RealmConfig.Builder b, String name, String value)
            throws ConfigException {
        if (value.equalsIgnoreCase("off")) {
            b.adminHost = null;
            b.adminPort = RealmConfig.OFF;
            return;
        }
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = "";
        }
        if (host.isBlank()) {
            throw new ConfigException(
                    name
                            + ": '"
                            + value
                            + "' is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)");
        }
        int port = port(name, value.substring(colon + 1));
        if (port == RealmConfig.OFF) {
            throw new ConfigException(
                    name
                            + ": '"
                            + value
                            + "' is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)");
        }
        b.adminHost = host;
        b.adminPort = port;
    }

    private static int port(String name, String value) throws ConfigException {
        if (value.equalsIgnoreCase("off")) {
            return RealmConfig.OFF;
        }
        try {
            int p = Integer.parseInt(value.trim());
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + ": '" + value + "' is not a port (0-65535) or 'off'");
        }
    }

    private static java.time.Duration duration(String name, String value) throws ConfigException {
        try {
            return Durations.parse(name, value);
        } catch (InvalidSetting e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static int count(String name, String value) throws ConfigException {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + ": '" + value + "' is not a whole number");
        }
    }

    private static Path readable(String name, String value) throws ConfigException {
        Path p = Path.of(value);
        if (!Files.isReadable(p)) {
            throw new ConfigException(name + ": cannot read '" + value + "'");
        }
        return p;
    }
}
