package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The Redis a realm's pods share ({@code spec.engine.redis}): where it is, the Secret keys that
 * hold its password and CA, and the prefix of the realm's keys in it. The password never stands in
 * the URL: the spec is readable by whoever may read Realms, and the realm's rendered config is a
 * ConfigMap.
 */
@ValidationRule(
        value = "!self.url.contains('@')",
        fieldPath = ".url",
        message =
                "spec.engine.redis.url must not hold a user or password (no '@'): put the password in a"
                        + " Secret and name it in spec.engine.redis.passwordSecretRef")
@ValidationRule(
        value = "!has(self.caSecretRef) || self.url.startsWith('rediss')",
        fieldPath = ".caSecretRef",
        message =
                "spec.engine.redis.caSecretRef is only for a TLS Redis: spec.engine.redis.url must be"
                        + " rediss:// or rediss-sentinel://")
public class RealmRedis {
    /**
     * {@code redis://HOST[:PORT][/DB]}, {@code rediss://} (TLS) or {@code
     * redis-sentinel://HOST[:PORT][,HOST[:PORT]]…[/DB]#MASTER} ({@code rediss-sentinel://}): the
     * schemes Lettuce reads, with a host; no spaces.
     */
    public static final String URL_PATTERN =
            "^(redis|rediss|redis-sentinel|rediss-sentinel)://[^/?#\\s]+[^\\s]*$";

    /** Printable ASCII without a space, as the realm's {@code --redis-key-prefix} takes it. */
    public static final String KEY_PREFIX_PATTERN = "^[!-~]+$";

    @JsonPropertyDescription(
            "The Redis, as the realm's Lettuce client reads it: redis://HOST[:PORT][/DB], rediss:// for TLS, "
                    + "or redis-sentinel://HOST[:PORT][,HOST[:PORT]][/DB]#MASTER for Redis Sentinel "
                    + "(rediss-sentinel:// with TLS). Without a password: see passwordSecretRef. Such as "
                    + "redis://redis.feeds.svc:6379.")
    @Required
    @Size(max = 1000)
    @Pattern(URL_PATTERN)
    public String url;

    @JsonPropertyDescription(
            "The key of a Secret in the realm's namespace that holds the Redis password (Redis's default "
                    + "user, requirepass). Mounted into the realm pods as a file that only the realm reads; "
                    + "a changed password is used at the next reconnect. Absent: no password.")
    public PasswordSecretRef passwordSecretRef;

    @JsonPropertyDescription(
            "The key of a Secret in the realm's namespace that holds the PEM CA certificates a rediss:// "
                    + "Redis's certificate is checked against. Absent: the realm's Java trust store.")
    public CaSecretRef caSecretRef;

    @JsonPropertyDescription(
            "What the realm's keys and pub/sub channels in Redis start with (before a ':'). Realms with the "
                    + "same Redis and prefix share their channels; absent: realmgate:<namespace>/<name>, so two "
                    + "Realms never share one by chance.")
    @Size(min = 1, max = 200)
    @Pattern(KEY_PREFIX_PATTERN)
    public String keyPrefix;

    public static class PasswordSecretRef {
        @JsonPropertyDescription("Secret in the realm's namespace.")
        @Required
        @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
        public String name;

        @JsonPropertyDescription("Key in the Secret.")
        @Default("password")
        @Pattern("^[-._a-zA-Z0-9]+$")
        public String key = "password";

        public String key() {
            return key == null || key.isEmpty() ? "password" : key;
        }
    }

    public static class CaSecretRef {
        @JsonPropertyDescription("Secret in the realm's namespace.")
        @Required
        @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
        public String name;

        @JsonPropertyDescription("Key in the Secret.")
        @Default("ca.crt")
        @Pattern("^[-._a-zA-Z0-9]+$")
        public String key = "ca.crt";

        public String key() {
            return key == null || key.isEmpty() ? "ca.crt" : key;
        }
    }
}
