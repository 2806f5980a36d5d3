package io.realmgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.realmgate.common.Durations;
import io.realmgate.common.InvalidSetting;
import io.realmgate.proxy.access.Cidr;
import io.realmgate.proxy.access.TargetRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The YAML file format of docs/proxy-config.md, field for field. Everything is optional here;
 * {@link #toConfig()} applies defaults and validates, naming the key that is wrong. The operator
 * writes this same type, so what it renders is what the proxy reads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "listen",
    "name",
    "via",
    "allowConnect",
    "allowClients",
    "timeouts",
    "limits",
    "tls",
    "auth",
    "admin",
    "transparent"
})
public final class ProxyConfigDocument {
    @JsonProperty public String listen;
    @JsonProperty public String name;
    @JsonProperty public Boolean via;
    @JsonProperty public List<String> allowConnect;
    @JsonProperty public List<String> allowClients;
    @JsonProperty public Timeouts timeouts;
    @JsonProperty public Limits limits;
    @JsonProperty public Tls tls;
    @JsonProperty public Auth auth;

    /** {@code HOST:PORT} of the admin listener (/metrics, /healthz, /readyz); off when absent. */
    @JsonProperty public String admin;

    /** The transparent (SNI-routing) listener; off when absent. */
    @JsonProperty public Transparent transparent;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Transparent {
        /** {@code HOST:PORT} where clients that do not know the proxy connect. */
        @JsonProperty public String listen;

        /** Port dialled on the SNI host; defaults to the listen port. */
        @JsonProperty public Integer targetPort;
    }

    /**
     * Durations such as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} ({@link Durations}, the
     * grammar of all three programs).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Timeouts {
        @JsonProperty public String connect;
        @JsonProperty public String header;
        @JsonProperty public String idle;
        @JsonProperty public String drain;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Limits {
        @JsonProperty public Integer maxHeaderBytes;
        @JsonProperty public Integer maxRequestLine;
        @JsonProperty public Integer maxConnections;
        @JsonProperty public Integer maxConnectionsPerClient;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Tls {
        /** PEM certificate chain file. */
        @JsonProperty public String certificate;

        /** PEM private key file (PKCS#8 or PKCS#1). */
        @JsonProperty public String privateKey;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Auth {
        /**
         * File of {@code user:bcrypt-hash} lines; when set, every request needs Basic proxy
         * credentials.
         */
        @JsonProperty public String usersFile;
    }

    public ProxyConfig toConfig() throws ConfigException {
        ListenAddress listenAddress = ProxyConfig.DEFAULT_LISTEN;
        if (listen != null) {
            try {
                listenAddress = ListenAddress.parse(listen);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("listen: " + e.getMessage());
            }
        }
        String proxyName = name == null ? ProxyConfig.DEFAULT_NAME : name;
        if (!proxyName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException(
                    "name: '" + proxyName + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        List<TargetRule> rules = new ArrayList<>();
        if (allowConnect != null) {
            for (int i = 0; i < allowConnect.size(); i++) {
                String r = allowConnect.get(i);
                if (r == null) {
                    throw new ConfigException("allowConnect[" + i + "]: empty rule");
                }
                try {
                    rules.add(TargetRule.parse(r));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("allowConnect[" + i + "]: " + e.getMessage());
                }
            }
        }
        List<Cidr> clients = ProxyConfig.DEFAULT_CLIENTS;
        if (allowClients != null) {
            clients = new ArrayList<>();
            for (int i = 0; i < allowClients.size(); i++) {
                String c = allowClients.get(i);
                if (c == null) {
                    throw new ConfigException("allowClients[" + i + "]: empty entry");
                }
                try {
                    clients.add(Cidr.parse(c));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("allowClients[" + i + "]: " + e.getMessage());
                }
            }
        }
        ProxyConfig.Timeouts t = ProxyConfig.Timeouts.DEFAULTS;
        if (timeouts != null) {
            t =
                    new ProxyConfig.Timeouts(
                            timeouts.connect == null
                                    ? t.connect()
                                    : duration("timeouts.connect", timeouts.connect),
                            timeouts.header == null
                                    ? t.header()
                                    : duration("timeouts.header", timeouts.header),
                            timeouts.idle == null
                                    ? t.idle()
                                    : duration("timeouts.idle", timeouts.idle),
                            timeouts.drain == null
                                    ? t.drain()
                                    : duration("timeouts.drain", timeouts.drain));
        }
        ProxyConfig.Limits l = ProxyConfig.Limits.DEFAULTS;
        if (limits != null) {
            l =
                    new ProxyConfig.Limits(
                            limits.maxHeaderBytes == null
                                    ? l.maxHeaderBytes()
                                    : range(
                                            "limits.maxHeaderBytes",
                                            limits.maxHeaderBytes,
                                            1024,
                                            1024 * 1024),
                            limits.maxRequestLine == null
                                    ? l.maxRequestLine()
                                    : range(
                                            "limits.maxRequestLine",
                                            limits.maxRequestLine,
                                            256,
                                            64 * 1024),
                            limits.maxConnections == null
                                    ? l.maxConnections()
                                    : range(
                                            "limits.maxConnections",
                                            limits.maxConnections,
                                            1,
                                            1_000_000),
                            limits.maxConnectionsPerClient == null
                                    ? l.maxConnectionsPerClient()
                                    : range(
                                            "limits.maxConnectionsPerClient",
                                            limits.maxConnectionsPerClient,
                                            1,
                                            1_000_000));
        }
        Optional<ProxyConfig.TlsFiles> tlsFiles = Optional.empty();
        if (tls != null) {
            if (tls.certificate == null || tls.privateKey == null) {
                throw new ConfigException("tls: needs both certificate and privateKey");
            }
            tlsFiles =
                    Optional.of(
                            new ProxyConfig.TlsFiles(
                                    readable("tls.certificate", tls.certificate),
                                    readable("tls.privateKey", tls.privateKey)));
        }
        Optional<Path> users = Optional.empty();
        if (auth != null && auth.usersFile != null) {
            users = Optional.of(readable("auth.usersFile", auth.usersFile));
        }
        return new ProxyConfig(
                listenAddress,
                proxyName,
                Boolean.TRUE.equals(via),
                rules,
                clients,
                t,
                l,
                tlsFiles,
                users,
                optionalListen("admin", admin),
                transparent());
    }

    private Optional<ProxyConfig.Transparent> transparent() throws ConfigException {
        if (transparent == null) {
            return Optional.empty();
        }
        if (transparent.listen == null) {
            throw new ConfigException("transparent.listen: required when transparent is set");
        }
        ListenAddress l = optionalListen("transparent.listen", transparent.listen).orElseThrow();
        int port =
                transparent.targetPort == null
                        ? l.port()
                        : range("transparent.targetPort", transparent.targetPort, 1, 65535);
        if (port == 0) {
            throw new ConfigException(
                    "transparent.targetPort: required when transparent.listen has port 0");
        }
        return Optional.of(new ProxyConfig.Transparent(l, port));
    }

    private static Optional<ListenAddress> optionalListen(String key, String value)
            throws ConfigException {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ListenAddress.parse(value));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static Path readable(String key, String file) throws ConfigException {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new ConfigException(key + ": file " + file + " does not exist or cannot be read");
        }
        return p;
    }

    private static int range(String key, int value, int min, int max) throws ConfigException {
        if (value < min || value > max) {
            throw new ConfigException(key + ": " + value + " is outside " + min + "-" + max);
        }
        return value;
    }

    private static Duration duration(String key, String text) throws ConfigException {
        try {
            return Durations.parse(key, text);
        } catch (InvalidSetting e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
