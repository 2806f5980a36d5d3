package io.realmgate.proxy.config;

import io.realmgate.proxy.access.Cidr;
import io.realmgate.proxy.access.ClientPolicy;
import io.realmgate.proxy.access.TargetRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The proxy's validated configuration. Built only by {@link ProxyConfigDocument#toConfig()}, which
 * is where every value is checked, so holding one means it is usable.
 *
 * @param listen where clients connect (explicit proxy)
 * @param name the proxy's name in {@code Via}
 * @param via add {@code Via: 1.1 NAME} to forwarded requests and responses
 * @param allowConnect target rules; empty means every target is refused
 * @param allowClients client address blocks; loopback by default
 * @param timeouts connect, request-head, idle and drain timeouts
 * @param limits sizes and connection counts
 * @param tls when present, clients speak TLS to the proxy (an "HTTPS proxy")
 * @param usersFile when present, clients must authenticate (Basic, bcrypt hashes in this file)
 * @param admin when present, the admin listener (/metrics, /healthz, /readyz)
 * @param transparent when present, the SNI-routing listener for clients that do not know the proxy
 */
public record ProxyConfig(
        ListenAddress listen,
        String name,
        boolean via,
        List<TargetRule> allowConnect,
        List<Cidr> allowClients,
        Timeouts timeouts,
        Limits limits,
        Optional<TlsFiles> tls,
        Optional<Path> usersFile,
        Optional<ListenAddress> admin,
        Optional<Transparent> transparent) {

    public static final ListenAddress DEFAULT_LISTEN = new ListenAddress("127.0.0.1", 3128);
    public static final String DEFAULT_NAME = "realmgate";
    public static final List<Cidr> DEFAULT_CLIENTS = ClientPolicy.LOOPBACK;

    public ProxyConfig {
        allowConnect = List.copyOf(allowConnect);
        allowClients = List.copyOf(allowClients);
    }

    /**
     * @param connect upstream connect timeout: 504 after it
     * @param header time a client has to send a complete request head: 408 after it (slowloris)
     * @param idle a tunnel or connection with no traffic either way for this long is closed
     * @param drain on SIGTERM, how long open tunnels may go on before they are closed
     */
    public record Timeouts(Duration connect, Duration header, Duration idle, Duration drain) {
        public static final Timeouts DEFAULTS =
                new Timeouts(
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10),
                        Duration.ofMinutes(10),
                        Duration.ofSeconds(30));
    }

    /**
     * @param maxHeaderBytes request head size: 431 above it
     * @param maxRequestLine request line length: 414 above it
     * @param maxConnections client connections open at once, all clients together
     * @param maxConnectionsPerClient client connections open at once from one client address
     */
    public record Limits(
            int maxHeaderBytes,
            int maxRequestLine,
            int maxConnections,
            int maxConnectionsPerClient) {
        public static final Limits DEFAULTS = new Limits(16 * 1024, 8 * 1024, 20_000, 4_096);
    }

    /**
     * The transparent listener: clients reach it without knowing it is a proxy (for instance
     * through a DNS name or a redirect) and speak TLS; it routes by the SNI name to {@code
     * SNI:targetPort}.
     */
    public record Transparent(ListenAddress listen, int targetPort) {}

    /**
     * PEM certificate chain and private key; both files are watched and reloaded when they change.
     */
    public record TlsFiles(Path certificate, Path privateKey) {}
}
