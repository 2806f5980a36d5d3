package io.realmgate.realm.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The realm's YAML config file ({@code --config FILE}, docs/realm.md "The config file"), key for
 * key. A plain Jackson document: every key is optional and holds its value as written, the way its
 * flag takes it (a port or {@code off}, a size such as {@code 64KiB}, a duration such as {@code
 * 30s}); nothing is defaulted or checked here. {@link #settings()} names the flag behind each key
 * that is set, and the command line reads the value with that flag's rule, so a key and its flag
 * have one default and one validation. Writable as well as readable ({@link
 * RealmConfigFiles#write}), so that a program rendering the realm's config can build this type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "listeners",
    "tls",
    "admin",
    "allowedOrigins",
    "pingInterval",
    "retention",
    "queues",
    "limits",
    "engine",
    "redis"
})
public final class RealmConfigDocument {
    /** {@code memory} or {@code redis} ({@code --engine}). */
    @JsonProperty public String engine;

    @JsonProperty public Redis redis;

    @JsonProperty public Listeners listeners;
    @JsonProperty public Tls tls;

    /** {@code HOST:PORT} of the admin listener, or {@code off} ({@code --admin}). */
    @JsonProperty public String admin;

    /**
     * Browser origins allowed besides the realm's own, or {@code *} ({@code --allowed-origins}).
     */
    @JsonProperty public List<String> allowedOrigins;

    /** {@code --ping-interval}. */
    @JsonProperty public String pingInterval;

    @JsonProperty public Retention retention;
    @JsonProperty public Queues queues;
    @JsonProperty public Limits limits;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"bind", "wsPort", "wssPort"})
    public static final class Listeners {
        /** {@code --bind}. */
        @JsonProperty public String bind;

        /** A port or {@code off} ({@code --ws-port}). */
        @JsonProperty public String wsPort;

        /** A port or {@code off} ({@code --wss-port}). */
        @JsonProperty public String wssPort;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"certificate", "privateKey", "selfSigned", "certPoll"})
    public static final class Tls {
        /** PEM certificate chain file ({@code --tls-cert}). */
        @JsonProperty public String certificate;

        /** PEM private key file ({@code --tls-key}). */
        @JsonProperty public String privateKey;

        /** {@code --self-signed}. */
        @JsonProperty public Boolean selfSigned;

        /** {@code --cert-poll}. */
        @JsonProperty public String certPoll;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"url", "passwordFile", "keyPrefix", "caFile"})
    public static final class Redis {
        /** {@code --redis-url}; a password in it is better kept out of the file (docs/realm.md). */
        @JsonProperty public String url;

        /** A file holding the Redis password ({@code --redis-password-file}). */
        @JsonProperty public String passwordFile;

        /** What the realm's keys in Redis start with ({@code --redis-key-prefix}). */
        @JsonProperty public String keyPrefix;

        /** PEM CA certificates for a {@code rediss://} Redis ({@code --redis-ca-file}). */
        @JsonProperty public String caFile;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"events", "bytes", "age"})
    public static final class Retention {
        /** {@code --retain-events}. */
        @JsonProperty public Integer events;

        /** {@code --retain-bytes}. */
        @JsonProperty public String bytes;

        /** A duration or {@code off} ({@code --retain-age}, redis engine only). */
        @JsonProperty public String age;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"events", "bytes"})
    public static final class Queues {
        /** {@code --queue-events}. */
        @JsonProperty public Integer events;

        /** {@code --queue-bytes}. */
        @JsonProperty public String bytes;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({
        "maxMessage",
        "maxChannels",
        "maxSubscriptions",
        "maxConnections",
        "maxConnectionsPerClient",
        "headerTimeout",
        "replayRate",
        "maxStreams",
        "maxStreamsPerClient",
        "maxPolls",
        "maxPollsPerClient"
    })
    public static final class Limits {
        @JsonProperty public String maxMessage;
        @JsonProperty public Integer maxChannels;
        @JsonProperty public Integer maxSubscriptions;
        @JsonProperty public Integer maxConnections;
        @JsonProperty public Integer maxConnectionsPerClient;
        @JsonProperty public String headerTimeout;
        @JsonProperty public Integer replayRate;
        @JsonProperty public Integer maxStreams;
        @JsonProperty public Integer maxStreamsPerClient;
        @JsonProperty public Integer maxPolls;
        @JsonProperty public Integer maxPollsPerClient;
    }

    /**
     * One key that the file sets.
     *
     * @param key its path in the file, such as {@code limits.maxConnections}
     * @param flag the flag that sets the same thing, such as {@code --max-connections}
     * @param value the value as written: a String, an Integer, a Boolean ({@code tls.selfSigned})
     *     or a list of Strings ({@code allowedOrigins})
     */
    public record Setting(String key, String flag, Object value) {}

    /**
     * The keys the file sets, with their flags; keys that are absent or empty ({@code key:}) are
     * left out.
     */
    public List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        add(out, "engine", "--engine", engine);
        if (redis != null) {
            add(out, "redis.url", "--redis-url", redis.url);
            add(out, "redis.passwordFile", "--redis-password-file", redis.passwordFile);
            add(out, "redis.keyPrefix", "--redis-key-prefix", redis.keyPrefix);
            add(out, "redis.caFile", "--redis-ca-file", redis.caFile);
        }
        if (listeners != null) {
            add(out, "listeners.bind", "--bind", listeners.bind);
            add(out, "listeners.wsPort", "--ws-port", listeners.wsPort);
            add(out, "listeners.wssPort", "--wss-port", listeners.wssPort);
        }
        if (tls != null) {
            add(out, "tls.certificate", "--tls-cert", tls.certificate);
            add(out, "tls.privateKey", "--tls-key", tls.privateKey);
            add(out, "tls.selfSigned", "--self-signed", tls.selfSigned);
            add(out, "tls.certPoll", "--cert-poll", tls.certPoll);
        }
        add(out, "admin", "--admin", admin);
        add(out, "allowedOrigins", "--allowed-origins", allowedOrigins);
        add(out, "pingInterval", "--ping-interval", pingInterval);
        if (retention != null) {
            add(out, "retention.events", "--retain-events", retention.events);
            add(out, "retention.bytes", "--retain-bytes", retention.bytes);
            add(out, "retention.age", "--retain-age", retention.age);
        }
        if (queues != null) {
            add(out, "queues.events", "--queue-events", queues.events);
            add(out, "queues.bytes", "--queue-bytes", queues.bytes);
        }
        if (limits != null) {
            add(out, "limits.maxMessage", "--max-message", limits.maxMessage);
            add(out, "limits.maxChannels", "--max-channels", limits.maxChannels);
            add(out, "limits.maxSubscriptions", "--max-subscriptions", limits.maxSubscriptions);
            add(out, "limits.maxConnections", "--max-connections", limits.maxConnections);
            add(
                    out,
                    "limits.maxConnectionsPerClient",
                    "--max-connections-per-client",
                    limits.maxConnectionsPerClient);
            add(out, "limits.headerTimeout", "--header-timeout", limits.headerTimeout);
            add(out, "limits.replayRate", "--replay-rate", limits.replayRate);
            add(out, "limits.maxStreams", "--max-streams", limits.maxStreams);
            add(
                    out,
                    "limits.maxStreamsPerClient",
                    "--max-streams-per-client",
                    limits.maxStreamsPerClient);
            add(out, "limits.maxPolls", "--max-polls", limits.maxPolls);
            add(
                    out,
                    "limits.maxPollsPerClient",
                    "--max-polls-per-client",
                    limits.maxPollsPerClient);
        }
        return out;
    }

    private static void add(List<Setting> out, String key, String flag, Object value) {
        if (value != null) {
            out.add(new Setting(key, flag, value));
        }
    }
}
