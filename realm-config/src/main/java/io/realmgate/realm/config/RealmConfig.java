package io.realmgate.realm.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the realm is told at start-up. A port of {@code -1} means that listener is off; {@code
 * 0} asks for an ephemeral port (tests).
 *
 * @param retainEvents events kept per channel for replay ({@code from})
 * @param retainBytes bytes of encoded events kept per channel
 * @param queueEvents server frames that may wait for one slow connection before it is closed
 * @param queueBytes bytes that may wait for one slow connection before it is closed
 * @param pingInterval a WebSocket that sent nothing for this long is pinged; twice this long, it is
 *     closed
 * @param certPoll how often the certificate files are checked for changes
 * @param adminHost address of the admin listener ({@code /healthz}, {@code /readyz}, {@code
 *     /metrics}); null when it is off
 * @param adminPort its port ({@code 0}: ephemeral), or {@link #OFF}
 * @param maxConnections client connections the realm holds, both listeners together
 * @param maxConnectionsPerClient client connections from one address
 * @param headerTimeout time a request's whole header may take to arrive
 * @param replayRate events a connection may have replayed ({@code from}) per second
 * @param maxStreams concurrent event streams, both listeners together
 * @param maxStreamsPerClient concurrent event streams from one address
 * @param maxPolls concurrent long-polls, both listeners together
 * @param maxPollsPerClient concurrent long-polls from one address
 * @param allowedOrigins browser origins allowed besides the realm's own ({@code
 *     scheme://host[:port]}, lower case, or {@code *} for any)
 */
public record RealmConfig(
        String bind,
        int wsPort,
        int wssPort,
        Path tlsCert,
        Path tlsKey,
        boolean selfSigned,
        int retainEvents,
        long retainBytes,
        int maxMessageBytes,
        int queueEvents,
        long queueBytes,
        int maxChannels,
        int maxSubscriptions,
        Duration pingInterval,
        Duration certPoll,
        String adminHost,
        int adminPort,
        List<String> allowedOrigins,
        int maxConnections,
        int maxConnectionsPerClient,
        Duration headerTimeout,
        int replayRate,
        int maxStreams,
        int maxStreamsPerClient,
        int maxPolls,
        int maxPollsPerClient,
        String engine,
        RedisUrl redisUrl,
        Duration retainAge,
        Path redisPasswordFile,
        String redisKeyPrefix,
        Path redisCaFile) {

    /**
     * Bytes a connection's socket may have waiting to be sent before the realm stops handing it
     * frames (Netty's write-buffer high-water mark; the frames then wait, shared, in the
     * connection's queue). Not a setting: what one slow connection holds alone, which the operator
     * sizes {@code limits.maxConnections} with.
     */
    public static final int OUTBOUND_HIGH_WATER_BYTES = 256 * 1024;

    /** Where a connection whose socket was full becomes writable again. */
    public static final int OUTBOUND_LOW_WATER_BYTES = 64 * 1024;

    /** The engine of one process, everything in memory: the default. */
    public static final String MEMORY = "memory";

    /** The engine on Redis, shared by several realm processes. */
    public static final String REDIS = "redis";

    /** The redis engine's keys start with this and a colon unless told otherwise. */
    public static final String DEFAULT_REDIS_KEY_PREFIX = "realmgate";

    /** The longest {@code --redis-key-prefix}: it is part of every key the realm sends. */
    public static final int MAX_REDIS_KEY_PREFIX = 200;

    /**
     * Where the redis engine connects ({@code redis://}, {@code rediss://} for TLS, or {@code
     * redis-sentinel://HOST:PORT[,HOST:PORT]#MASTER} through Sentinel, as Lettuce reads it). Its
     * text may hold a password, so it never prints it: {@link #toString()} names the host only.
     */
    public record RedisUrl(String value) {
        @Override
        public String toString() {
            return redacted(value);
        }

        /** The URL without what stands between {@code //} and {@code @} (user and password). */
        public static String redacted(String url) {
            int scheme = url.indexOf("://");
            int at = url.lastIndexOf('@');
            if (scheme < 0 || at < scheme) {
                return url;
            }
            return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
        }
    }

    /** Whether events are retained for a time only ({@code --retain-age}); null when not. */
    public boolean retainsByAge() {
        return retainAge != null;
    }

    public static final int OFF = -1;

    public boolean adminEnabled() {
        return adminPort != OFF;
    }

    public boolean wsEnabled() {
        return wsPort != OFF;
    }

    public boolean wssEnabled() {
        return wssPort != OFF;
    }

    /** Defaults for everything, listeners on ephemeral loopback ports: what tests start from. */
    public static Builder testing() {
        return new Builder().wsPort(0).wssPort(OFF);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.bind = bind;
        b.wsPort = wsPort;
        b.wssPort = wssPort;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        b.selfSigned = selfSigned;
        b.retainEvents = retainEvents;
        b.retainBytes = retainBytes;
        b.maxMessageBytes = maxMessageBytes;
        b.queueEvents = queueEvents;
        b.queueBytes = queueBytes;
        b.maxChannels = maxChannels;
        b.maxSubscriptions = maxSubscriptions;
        b.pingInterval = pingInterval;
        b.certPoll = certPoll;
        b.adminHost = adminHost;
        b.adminPort = adminPort;
        b.allowedOrigins = allowedOrigins;
        b.maxConnections = maxConnections;
        b.maxConnectionsPerClient = maxConnectionsPerClient;
        b.headerTimeout = headerTimeout;
        b.replayRate = replayRate;
        b.maxStreams = maxStreams;
        b.maxStreamsPerClient = maxStreamsPerClient;
        b.maxPolls = maxPolls;
        b.maxPollsPerClient = maxPollsPerClient;
        b.engine = engine;
        b.redisUrl = redisUrl == null ? null : redisUrl.value();
        b.retainAge = retainAge;
        b.redisPasswordFile = redisPasswordFile;
        // The prefix has a default (so it is never null here); a memory realm's builder must not
        // carry it as if set, or building it again refuses a redis-only setting.
        b.redisKeyPrefix = MEMORY.equals(engine) ? null : redisKeyPrefix;
        b.redisCaFile = redisCaFile;
        return b;
    }

    /**
     * Mutable counterpart used by the command line and by tests; {@link #build()} checks the whole.
     */
    public static final class Builder {
        String bind = "127.0.0.1";
        int wsPort = 9000;
        int wssPort = 9443;
        Path tlsCert;
        Path tlsKey;
        boolean selfSigned;
        int retainEvents = 1000;
        long retainBytes = 1024 * 1024;
        int maxMessageBytes = 64 * 1024;
        int queueEvents = 4096;
        long queueBytes = 8L * 1024 * 1024;
        int maxChannels = 10_000;
        int maxSubscriptions = 1000;
        Duration pingInterval = Duration.ofSeconds(30);
        Duration certPoll = Duration.ofSeconds(1);
        String adminHost;
        int adminPort = OFF;
        List<String> allowedOrigins = List.of();
        int maxConnections = 10_000;
        int maxConnectionsPerClient = 1000;
        Duration headerTimeout = Duration.ofSeconds(10);
        int replayRate = 10_000;
        int maxStreams = 5000;
        int maxStreamsPerClient = 500;
        int maxPolls = 5000;
        int maxPollsPerClient = 500;
        String engine = MEMORY;
        String redisUrl;
        Duration retainAge;
        Path redisPasswordFile;
        String redisKeyPrefix;
        Path redisCaFile;

        public Builder redisPasswordFile(Path v) {
            redisPasswordFile = v;
            return this;
        }

        public Builder redisKeyPrefix(String v) {
            redisKeyPrefix = v;
            return this;
        }

        public Builder redisCaFile(Path v) {
            redisCaFile = v;
            return this;
        }

        public Builder engine(String v) {
            engine = v;
            return this;
        }

        public Builder redisUrl(String v) {
            redisUrl = v;
            return this;
        }

        public Builder retainAge(Duration v) {
            retainAge = v;
            return this;
        }

        public Builder bind(String v) {
            bind = v;
            return this;
        }

        public Builder wsPort(int v) {
            wsPort = v;
            return this;
        }

        public Builder wssPort(int v) {
            wssPort = v;
            return this;
        }

        public Builder tls(Path cert, Path key) {
            tlsCert = cert;
            tlsKey = key;
            return this;
        }

        public Builder selfSigned(boolean v) {
            selfSigned = v;
            return this;
        }

        public Builder retainEvents(int v) {
            retainEvents = v;
            return this;
        }

        public Builder retainBytes(long v) {
            retainBytes = v;
            return this;
        }

        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        public Builder queueEvents(int v) {
            queueEvents = v;
            return this;
        }

        public Builder queueBytes(long v) {
            queueBytes = v;
            return this;
        }

        public Builder maxChannels(int v) {
            maxChannels = v;
            return this;
        }

        public Builder maxSubscriptions(int v) {
            maxSubscriptions = v;
            return this;
        }

        public Builder pingInterval(Duration v) {
            pingInterval = v;
            return this;
        }

        public Builder certPoll(Duration v) {
            certPoll = v;
            return this;
        }

        public Builder admin(String host, int port) {
            adminHost = host;
            adminPort = port;
            return this;
        }

        public Builder allowedOrigins(List<String> v) {
            allowedOrigins = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerClient(int v) {
            maxConnectionsPerClient = v;
            return this;
        }

        public Builder headerTimeout(Duration v) {
            headerTimeout = v;
            return this;
        }

        public Builder replayRate(int v) {
            replayRate = v;
            return this;
        }

        public Builder maxStreams(int total, int perClient) {
            maxStreams = total;
            maxStreamsPerClient = perClient;
            return this;
        }

        public Builder maxPolls(int total, int perClient) {
            maxPolls = total;
            maxPollsPerClient = perClient;
            return this;
        }

        /**
         * How a message names each setting that a config file set: by flag, {@code FILE:LINE: key}
         * at the head of a message and the bare key inside one. A setting that a flag set, or that
         * is at its default, is named by its flag.
         */
        final Map<String, String> heads = new HashMap<>();

        final Map<String, String> terms = new HashMap<>();

        String head(String flag) {
            return heads.getOrDefault(flag, flag);
        }

        String term(String flag) {
            return terms.getOrDefault(flag, flag);
        }

        /**
         * Each rule that involves more than one value, or a value's bounds, is checked here and
         * only here.
         */
        public RealmConfig build() throws ConfigException {
            if (wsPort == OFF && wssPort == OFF) {
                throw new ConfigException(
                        head("--ws-port")
                                + " / "
                                + term("--wss-port")
                                + ": both listeners are off, nothing to serve");
            }
            if (wssPort != OFF && !selfSigned && (tlsCert == null || tlsKey == null)) {
                throw new ConfigException(
                        head(tlsCert == null ? "--tls-cert" : "--tls-key")
                                + ": the wss listener ("
                                + term("--wss-port")
                                + " "
                                + wssPort
                                + ") needs "
                                + term("--tls-cert")
                                + " and "
                                + term("--tls-key")
                                + " (or "
                                + term("--self-signed")
                                + " for development, or "
                                + term("--wss-port")
                                + " off)");
            }
            if (selfSigned && (tlsCert != null || tlsKey != null)) {
                throw new ConfigException(
                        head("--self-signed")
                                + ": give either "
                                + term("--self-signed")
                                + " or "
                                + term("--tls-cert")
                                + "/"
                                + term("--tls-key")
                                + ", not both");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new ConfigException(
                        tlsCert == null
                                ? head("--tls-cert")
                                        + ": "
                                        + term("--tls-key")
                                        + " was given without it"
                                : head("--tls-key")
                                        + ": "
                                        + term("--tls-cert")
                                        + " was given without it");
            }
            positive("--retain-events", retainEvents);
            positive("--max-message", maxMessageBytes);
            positive("--max-channels", maxChannels);
            positive("--max-subscriptions", maxSubscriptions);
            positive("--max-connections", maxConnections);
            positive("--replay-rate", replayRate);
            positive("--max-connections-per-client", maxConnectionsPerClient);
            positive("--max-streams", maxStreams);
            positive("--max-streams-per-client", maxStreamsPerClient);
            positive("--max-polls", maxPolls);
            positive("--max-polls-per-client", maxPollsPerClient);
            if (headerTimeout.toMillis() < 10) {
                throw new ConfigException(head("--header-timeout") + ": must be at least 10ms");
            }
            if (maxMessageBytes < 256) {
                throw new ConfigException(head("--max-message") + ": must be at least 256 bytes");
            }
            if (retainBytes < 2L * maxMessageBytes) {
                throw new ConfigException(
                        head("--retain-bytes")
                                + ": must be at least twice "
                                + term("--max-message")
                                + " ("
                                + maxMessageBytes
                                + " bytes) so that the newest event always fits");
            }
            // A replay lands in a connection's queue at once: the queue must hold a full channel.
            if (queueEvents <= retainEvents) {
                throw new ConfigException(
                        head("--queue-events")
                                + ": must be larger than "
                                + term("--retain-events")
                                + " ("
                                + retainEvents
                                + ") so a full replay fits");
            }
            if (queueBytes <= retainBytes) {
                throw new ConfigException(
                        head("--queue-bytes")
                                + ": must be larger than "
                                + term("--retain-bytes")
                                + " ("
                                + retainBytes
                                + ") so a full replay fits");
            }
            if (pingInterval.toMillis() < 10) {
                throw new ConfigException(head("--ping-interval") + ": must be at least 10ms");
            }
            if (certPoll.toMillis() < 10) {
                throw new ConfigException(head("--cert-poll") + ": must be at least 10ms");
            }
            if (adminPort != OFF && (adminHost == null || adminHost.isBlank())) {
                throw new ConfigException(head("--admin") + ": needs HOST:PORT");
            }
            if (adminPort != OFF
                    && adminPort != 0
                    && (adminPort == wsPort || adminPort == wssPort)) {
                throw new ConfigException(
                        head("--admin")
                                + ": port "
                                + adminPort
                                + " is also a client listener's port");
            }
            checkEngine();
            return new RealmConfig(
                    bind,
                    wsPort,
                    wssPort,
                    tlsCert,
                    tlsKey,
                    selfSigned,
                    retainEvents,
                    retainBytes,
                    maxMessageBytes,
                    queueEvents,
                    queueBytes,
                    maxChannels,
                    maxSubscriptions,
                    pingInterval,
                    certPoll,
                    adminPort == OFF ? null : adminHost,
                    adminPort,
                    Origins.normalize(head("--allowed-origins"), allowedOrigins),
                    maxConnections,
                    maxConnectionsPerClient,
                    headerTimeout,
                    replayRate,
                    maxStreams,
                    maxStreamsPerClient,
                    maxPolls,
                    maxPollsPerClient,
                    engine,
                    redisUrl == null ? null : new RedisUrl(redisUrl),
                    retainAge,
                    redisPasswordFile,
                    redisKeyPrefix == null ? DEFAULT_REDIS_KEY_PREFIX : redisKeyPrefix,
                    redisCaFile);
        }

        private void checkEngine() throws ConfigException {
            if (!engine.equals(MEMORY) && !engine.equals(REDIS)) {
                throw new ConfigException(
                        head("--engine") + ": '" + engine + "' is not an engine (memory or redis)");
            }
            if (engine.equals(MEMORY)) {
                if (redisUrl != null) {
                    throw new ConfigException(
                            head("--redis-url")
                                    + ": only the redis engine uses it (give "
                                    + term("--engine")
                                    + " redis)");
                }
                if (retainAge != null) {
                    throw new ConfigException(
                            head("--retain-age")
                                    + ": only the redis engine retains by age (give "
                                    + term("--engine")
                                    + " redis)");
                }
                for (String flag :
                        List.of("--redis-password-file", "--redis-key-prefix", "--redis-ca-file")) {
                    if (redisOnly(flag) != null) {
                        throw new ConfigException(
                                head(flag)
                                        + ": only the redis engine uses it (give "
                                        + term("--engine")
                                        + " redis)");
                    }
                }
                return;
            }
            if (redisUrl == null || redisUrl.isBlank()) {
                throw new ConfigException(
                        head("--redis-url")
                                + ": the redis engine needs it (redis://HOST:PORT or"
                                + " rediss://HOST:PORT for TLS)");
            }
            java.net.URI uri;
            try {
                uri = new java.net.URI(redisUrl.trim());
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            String scheme =
                    uri == null || uri.getScheme() == null
                            ? ""
                            : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            boolean sentinel = scheme.equals("redis-sentinel") || scheme.equals("rediss-sentinel");
            boolean plain = scheme.equals("redis") || scheme.equals("rediss");
            boolean hasHost =
                    uri != null
                            && (plain
                                    ? uri.getHost() != null
                                    : uri.getRawAuthority() != null
                                            && !uri.getRawAuthority().isBlank());
            if (!(plain || sentinel) || !hasHost) {
                throw new ConfigException(
                        head("--redis-url")
                                + ": '"
                                + RedisUrl.redacted(redisUrl)
                                + "' is not redis://HOST[:PORT][/DB], rediss://... or"
                                + " redis-sentinel://HOST[:PORT][,HOST[:PORT]]#MASTER (a password"
                                + " goes in as redis://:PASSWORD@HOST, or in "
                                + term("--redis-password-file")
                                + ")");
            }
            if (sentinel && !sentinelMaster(uri)) {
                throw new ConfigException(
                        head("--redis-url")
                                + ": '"
                                + RedisUrl.redacted(redisUrl)
                                + "' names no master: redis-sentinel://HOST[:PORT][,HOST[:PORT]]#MASTER");
            }
            boolean secure = scheme.startsWith("rediss");
            if (redisPasswordFile != null && uri.getRawAuthority().contains("@")) {
                throw new ConfigException(
                        head("--redis-password-file")
                                + ": "
                                + term("--redis-url")
                                + " '"
                                + RedisUrl.redacted(redisUrl)
                                + "' holds a password too; give the password in one place");
            }
            if (redisCaFile != null && !secure) {
                throw new ConfigException(
                        head("--redis-ca-file")
                                + ": only a TLS Redis uses it ("
                                + term("--redis-url")
                                + " rediss://... or rediss-sentinel://...)");
            }
            if (redisKeyPrefix != null) {
                checkKeyPrefix();
            }
            if (retainAge != null && retainAge.toMillis() < 1000) {
                throw new ConfigException(head("--retain-age") + ": must be at least 1s");
            }
        }

        /** The setting behind a redis-only flag, or null when it is not set. */
        private Object redisOnly(String flag) {
            return switch (flag) {
                case "--redis-password-file" -> redisPasswordFile;
                case "--redis-key-prefix" -> redisKeyPrefix;
                case "--redis-ca-file" -> redisCaFile;
                default -> throw new IllegalStateException(flag);
            };
        }

        /** Lettuce takes the master's name as the fragment or as {@code sentinelMasterId=}. */
        private static boolean sentinelMaster(java.net.URI uri) {
            String fragment = uri.getFragment();
            String query = uri.getRawQuery();
            return (fragment != null && !fragment.isBlank())
                    || (query != null && query.contains("sentinelMasterId="));
        }

        /**
         * Printable ASCII without spaces, as Redis keys are sent and shown; bounded, as it is part
         * of every key.
         */
        private void checkKeyPrefix() throws ConfigException {
            if (redisKeyPrefix.isEmpty() || redisKeyPrefix.length() > MAX_REDIS_KEY_PREFIX) {
                throw new ConfigException(
                        head("--redis-key-prefix")
                                + ": must have 1 to "
                                + MAX_REDIS_KEY_PREFIX
                                + " characters");
            }
            for (int i = 0; i < redisKeyPrefix.length(); i++) {
                char c = redisKeyPrefix.charAt(i);
                if (c <= ' ' || c > '~') {
                    throw new ConfigException(
                            head("--redis-key-prefix")
                                    + ": '"
                                    + redisKeyPrefix
                                    + "' has a character that is not printable ASCII (or a"
                                    + " space) at "
                                    + i);
                }
            }
        }

        private void positive(String flag, long v) throws ConfigException {
            if (v <= 0) {
                throw new ConfigException(head(flag) + ": must be positive");
            }
        }
    }
}
