package io.realmgate.proxy.config;

import io.realmgate.common.Flags;
import io.realmgate.common.InvalidSetting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The standalone flags, mirroring the reference scenario. {@code --config FILE} is read first;
 * flags given beside it override the file's keys.
 */
public final class CommandLine {
    public static final String USAGE =
            String.join(
                    "\n",
                    "usage: java -jar realmgate-proxy.jar [options]",
                    "  --listen HOST:PORT          where clients connect (default 127.0.0.1:3128)",
                    "  --allow-connect RULE[,...]  allowed targets, [HOST|IP|CIDR:]PORT[-PORT] (default: none)",
                    "  --allow-client CIDR[,...]   allowed client addresses (default: loopback)",
                    "  --via                       add 'Via: 1.1 NAME' to forwarded messages",
                    "  --name NAME                 the proxy's name in Via (default realmgate)",
                    "  --admin HOST:PORT           admin listener: /metrics, /healthz, /readyz (default: off)",
                    "  --tls-cert FILE             PEM certificate: clients speak TLS to the proxy (with --tls-key)",
                    "  --tls-key FILE              PEM private key for --tls-cert",
                    "  --users FILE                require Basic proxy auth; lines of user:bcrypt-hash",
                    "  --transparent HOST:PORT     SNI-routing listener for clients that do not know the proxy",
                    "  --transparent-target-port N port dialled on the SNI host (default: the transparent port)",
                    "  --config FILE               YAML config (docs/proxy-config.md); flags override it",
                    "  --help                      this text");

    private CommandLine() {}

    /** Thrown for {@code --help}. */
    public static final class HelpRequested extends Exception {
        public HelpRequested() {
            super(null, null, false, false);
        }
    }

    private static final Set<String> VALUED =
            Set.of(
                    "--listen",
                    "--allow-connect",
                    "--allow-client",
                    "--name",
                    "--config",
                    "--admin",
                    "--tls-cert",
                    "--tls-key",
                    "--users",
                    "--transparent",
                    "--transparent-target-port");
    private static final Set<String> SWITCHES = Set.of("--via");

    public static ProxyConfig parse(String... args) throws ConfigException, HelpRequested {
        ProxyConfigDocument flags = new ProxyConfigDocument();
        Path configFile = null;
        // A flag given twice: the last one counts, as before.
        for (Flags.Flag flag : read(args).flags()) {
            String value = flag.value();
            switch (flag.name()) {
                case "--via" -> flags.via = true;
                case "--listen" -> flags.listen = value;
                case "--allow-connect" -> flags.allowConnect = list(value);
                case "--allow-client" -> flags.allowClients = list(value);
                case "--name" -> flags.name = value;
                case "--admin" -> flags.admin = value;
                case "--transparent" -> transparent(flags).listen = value;
                case "--transparent-target-port" -> {
                    if (!value.matches("\\d{1,5}")) {
                        throw new ConfigException(
                                "--transparent-target-port: '" + value + "' is not a port");
                    }
                    transparent(flags).targetPort = Integer.parseInt(value);
                }
                case "--tls-cert" -> tls(flags).certificate = value;
                case "--tls-key" -> tls(flags).privateKey = value;
                case "--users" -> {
                    flags.auth = new ProxyConfigDocument.Auth();
                    flags.auth.usersFile = value;
                }
                case "--config" -> configFile = Path.of(value);
                default -> throw new IllegalStateException(flag.name());
            }
        }
        ProxyConfigDocument doc =
                configFile != null ? ConfigFiles.read(configFile) : new ProxyConfigDocument();
        overlay(doc, flags);
        try {
            return doc.toConfig();
        } catch (ConfigException e) {
            throw new ConfigException(flagName(e.getMessage()));
        }
    }

    /** The file {@code --config} names, if any: the file the running proxy watches. */
    public static Optional<Path> configFile(String... args) throws ConfigException, HelpRequested {
        Path file = null;
        for (Flags.Flag flag : read(args).flags()) {
            if (flag.name().equals("--config")) {
                file = Path.of(flag.value());
            }
        }
        return Optional.ofNullable(file);
    }

    private static Flags read(String... args) throws ConfigException, HelpRequested {
        Flags flags;
        try {
            flags = Flags.read(args, VALUED, SWITCHES);
        } catch (InvalidSetting e) {
            throw new ConfigException(e.getMessage() + " (try --help)");
        }
        if (flags.help()) {
            throw new HelpRequested();
        }
        return flags;
    }

    private static ProxyConfigDocument.Transparent transparent(ProxyConfigDocument flags) {
        if (flags.transparent == null) {
            flags.transparent = new ProxyConfigDocument.Transparent();
        }
        return flags.transparent;
    }

    private static ProxyConfigDocument.Tls tls(ProxyConfigDocument flags) {
        if (flags.tls == null) {
            flags.tls = new ProxyConfigDocument.Tls();
        }
        return flags.tls;
    }

    private static void overlay(ProxyConfigDocument doc, ProxyConfigDocument flags) {
        if (flags.admin != null) {
            doc.admin = flags.admin;
        }
        if (flags.transparent != null) {
            ProxyConfigDocument.Transparent t =
                    doc.transparent == null
                            ? new ProxyConfigDocument.Transparent()
                            : doc.transparent;
            if (flags.transparent.listen != null) {
                t.listen = flags.transparent.listen;
            }
            if (flags.transparent.targetPort != null) {
                t.targetPort = flags.transparent.targetPort;
            }
            doc.transparent = t;
        }
        if (flags.auth != null) {
            doc.auth = flags.auth;
        }
        if (flags.tls != null) {
            ProxyConfigDocument.Tls t = doc.tls == null ? new ProxyConfigDocument.Tls() : doc.tls;
            if (flags.tls.certificate != null) {
                t.certificate = flags.tls.certificate;
            }
            if (flags.tls.privateKey != null) {
                t.privateKey = flags.tls.privateKey;
            }
            doc.tls = t;
        }
        if (flags.listen != null) {
            doc.listen = flags.listen;
        }
        if (flags.name != null) {
            doc.name = flags.name;
        }
        if (flags.via != null) {
            doc.via = flags.via;
        }
        if (flags.allowConnect != null) {
            doc.allowConnect = flags.allowConnect;
        }
        if (flags.allowClients != null) {
            doc.allowClients = flags.allowClients;
        }
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            out.add(part.trim());
        }
        return out;
    }

    /**
     * Messages name config keys; say which flag sets that key as well, for the command-line user.
     */
    private static String flagName(String message) {
        for (String[] m :
                Arrays.asList(
                        new String[] {"listen:", "--listen / listen:"},
                        new String[] {"allowConnect[", "--allow-connect / allowConnect["},
                        new String[] {"allowClients[", "--allow-client / allowClients["},
                        new String[] {"name:", "--name / name:"},
                        new String[] {"admin:", "--admin / admin:"},
                        new String[] {"transparent.listen:", "--transparent / transparent.listen:"},
                        new String[] {
                            "transparent.targetPort:",
                            "--transparent-target-port / transparent.targetPort:"
                        },
                        new String[] {"tls.certificate:", "--tls-cert / tls.certificate:"},
                        new String[] {"tls.privateKey:", "--tls-key / tls.privateKey:"},
                        new String[] {"tls:", "--tls-cert, --tls-key / tls:"},
                        new String[] {"auth.usersFile:", "--users / auth.usersFile:"})) {
            if (message.startsWith(m[0])) {
                return m[1] + message.substring(m[0].length());
            }
        }
        return message;
    }
}
