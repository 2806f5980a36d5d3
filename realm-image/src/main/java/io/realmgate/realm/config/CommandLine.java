package io.realmgate.realm.config;

import io.realmgate.common.Durations;
import io.realmgate.common.Flags;
import io.realmgate.common.InvalidSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The standalone flags: {@code --ws-port 9000 --wss-port 9443 --tls-cert c.pem --tls-key k.pem}, and limits. */
public final class CommandLine {
    public static final String USAGE = String.join("\n",
            "usage: java -jar realmgate-realm.jar [options]",
            "  --ws-port PORT|off        plain ws/http listener (default 9000)",
            "  --wss-port PORT|off       TLS wss/https listener (default 9443; needs a certificate)",
            "  --tls-cert FILE           PEM certificate chain for wss (reloaded when the file changes)",
            "  --tls-key FILE            PEM private key for wss (PKCS#8 or PKCS#1)",
            "  --self-signed             generate a localhost certificate at start-up (development only)",
            "  --bind HOST               address both listeners bind (default 127.0.0.1)",
            "  --retain-events N         events kept per channel for replay (default 1000)",
            "  --retain-bytes SIZE       bytes kept per channel for replay (default 1MiB)",
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
            "  --help                    this text");

    private CommandLine() {
    }

    /** Thrown for {@code --help}. */
    public static final class HelpRequested extends Exception {
        public HelpRequested() {
            super(null, null, false, false);
        }
    }

    private static final Set<String> VALUED = Set.of("--ws-port", "--wss-port", "--tls-cert", "--tls-key", "--bind",
            "--retain-events", "--retain-bytes", "--max-message", "--queue-events", "--queue-bytes", "--max-channels",
            "--max-subscriptions", "--ping-interval", "--cert-poll", "--admin", "--allowed-origins",
            "--max-connections", "--max-connections-per-client", "--header-timeout", "--replay-rate", "--max-streams",
            "--max-streams-per-client", "--max-polls", "--max-polls-per-client");
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
        // A flag given twice: the last one counts, as before.
        for (Flags.Flag flag : flags.flags()) {
            if (flag.name().equals("--self-signed")) {
                b.selfSigned = true;
            } else {
                apply(b, flag.name(), flag.value());
            }
        }
        return b.build();
    }

    private static void apply(RealmConfig.Builder b, String flag, String value) throws ConfigException {
        switch (flag) {
            case "--ws-port" -> b.wsPort = port(flag, value);
            case "--wss-port" -> b.wssPort = port(flag, value);
            case "--tls-cert" -> b.tlsCert = readable(flag, value);
            case "--tls-key" -> b.tlsKey = readable(flag, value);
            case "--bind" -> {
                if (value.isBlank()) {
                    throw new ConfigException("--bind: empty host");
                }
                b.bind = value;
            }
            case "--retain-events" -> b.retainEvents = count(flag, value);
            case "--retain-bytes" -> b.retainBytes = Units.bytes(flag, value);
            case "--max-message" -> b.maxMessageBytes = (int) Math.min(Integer.MAX_VALUE, Units.bytes(flag, value));
            case "--queue-events" -> b.queueEvents = count(flag, value);
            case "--queue-bytes" -> b.queueBytes = Units.bytes(flag, value);
            case "--max-channels" -> b.maxChannels = count(flag, value);
            case "--max-subscriptions" -> b.maxSubscriptions = count(flag, value);
            case "--ping-interval" -> b.pingInterval = duration(flag, value);
            case "--cert-poll" -> b.certPoll = duration(flag, value);
            case "--admin" -> admin(b, value);
            case "--max-connections" -> b.maxConnections = count(flag, value);
            case "--max-connections-per-client" -> b.maxConnectionsPerClient = count(flag, value);
            case "--header-timeout" -> b.headerTimeout = duration(flag, value);
            case "--replay-rate" -> b.replayRate = count(flag, value);
            case "--max-streams" -> b.maxStreams = count(flag, value);
            case "--max-streams-per-client" -> b.maxStreamsPerClient = count(flag, value);
            case "--max-polls" -> b.maxPolls = count(flag, value);
            case "--max-polls-per-client" -> b.maxPollsPerClient = count(flag, value);
            case "--allowed-origins" -> b.allowedOrigins = java.util.Arrays.stream(value.split(","))
                    .map(String::trim).filter(o -> !o.isEmpty()).toList();
            default -> throw new IllegalStateException(flag);
        }
    }

    /** {@code HOST:PORT}, an IPv6 address in brackets ({@code [::1]:8080}); {@code off} turns it off. */
    private static void admin(RealmConfig.Builder b, String value) throws ConfigException {
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
            throw new ConfigException("--admin: '" + value + "' is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)");
        }
        int port = port("--admin", value.substring(colon + 1));
        if (port == RealmConfig.OFF) {
            throw new ConfigException("--admin: '" + value + "' is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)");
        }
        b.adminHost = host;
        b.adminPort = port;
    }

    private static int port(String flag, String value) throws ConfigException {
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
            throw new ConfigException(flag + ": '" + value + "' is not a port (0-65535) or 'off'");
        }
    }

    private static java.time.Duration duration(String flag, String value) throws ConfigException {
        try {
            return Durations.parse(flag, value);
        } catch (InvalidSetting e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static int count(String flag, String value) throws ConfigException {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(flag + ": '" + value + "' is not a whole number");
        }
    }

    private static Path readable(String flag, String value) throws ConfigException {
        Path p = Path.of(value);
        if (!Files.isReadable(p)) {
            throw new ConfigException(flag + ": cannot read '" + value + "'");
        }
        return p;
    }
}
