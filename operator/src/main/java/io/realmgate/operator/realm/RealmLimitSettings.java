package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.realm.config.RealmConfigDocument;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The realm's limit and origin settings from {@code spec.limits} and {@code spec.allowedOrigins},
 * written into its config file ({@link #writeTo}), and whether its per-client caps fit the
 * ForwardProxies in front of it. Pure: equal inputs give equal settings.
 *
 * <p>An absent field renders no key (the realm's default holds), except {@code maxConnections},
 * which the model sizes for the pod's memory ({@link RealmCapacity}), and the three per-client
 * caps: every client tunnelled through a proxy pod reaches the realm from that pod's address, so a
 * per-client cap is shared by all of them. Unset, those caps are rendered as what one proxy pod can
 * carry (the proxy's {@code limits.maxConnections}), at most the realm's total for the same kind (a
 * per-client cap above the total never binds) — whether or not a ForwardProxy references the realm
 * yet, so that the first proxy to arrive or the last to go rolls no realm pod (its WebSockets and
 * retained events would go with it). A value the user set is rendered as written, never raised;
 * when it is below that while proxies reference the realm, the condition {@value #CONDITION} says
 * so (docs/decisions.md, "Operator: per-client caps behind ForwardProxies").
 */
public final class RealmLimitSettings {
    /** Status condition: whether the per-client caps let one proxy pod's clients in. */
    public static final String CONDITION = "ClientLimitsFitProxies";

    static final String NO_PROXIES = "NoForwardProxies";
    static final String SIZED_FOR_PROXIES = "SizedForProxies";
    static final String BELOW_PROXY_CAPACITY = "BelowProxyCapacity";

    /**
     * Client connections one proxy pod holds at most: the proxy's own default {@code
     * limits.maxConnections}, the ceiling of what the operator sizes from a proxy pod's memory
     * (ProxyCapacity) and what a ForwardProxy's spec.limits may raise it to without a warning being
     * the realm's concern. Each one is at most one realm connection, stream or poll.
     */
    public static final int PROXY_POD_CONNECTIONS = ProxyConfig.Limits.DEFAULTS.maxConnections();

    private final RealmLimits limits;
    private final Integer maxConnections;
    private final List<String> allowedOrigins;
    private final SortedSet<String> proxies;
    private final PerClient connectionsPerClient;
    private final PerClient streamsPerClient;
    private final PerClient pollsPerClient;

    /**
     * The caps alone, {@code limits.maxConnections} not sized for memory: rendered as the spec sets
     * it, absent as absent (the realm's default).
     *
     * @param spec the Realm's spec (null: nothing set)
     * @param proxies names of the ForwardProxies that reference the realm
     */
    public RealmLimitSettings(RealmSpec spec, SortedSet<String> proxies) {
        this(
                spec,
                proxies,
                spec == null || spec.limits == null ? null : spec.limits.maxConnections);
    }

    /**
     * @param spec the Realm's spec (null: nothing set)
     * @param proxies names of the ForwardProxies that reference the realm
     * @param maxConnections {@code limits.maxConnections} as rendered: the spec's, or what the
     *     pod's memory carries ({@link RealmCapacity}); null: the realm's default
     */
    public RealmLimitSettings(RealmSpec spec, SortedSet<String> proxies, Integer maxConnections) {
        this.limits = spec == null || spec.limits == null ? new RealmLimits() : spec.limits;
        this.maxConnections = maxConnections;
        this.allowedOrigins =
                spec == null || spec.allowedOrigins == null
                        ? List.of()
                        : spec.allowedOrigins.stream()
                                .filter(o -> o != null && !o.isBlank())
                                .map(String::strip)
                                .toList();
        this.proxies = new TreeSet<>(proxies);
        this.connectionsPerClient =
                new PerClient(
                        "maxConnectionsPerClient",
                        "--max-connections-per-client",
                        limits.maxConnectionsPerClient,
                        RealmLimits.DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
                        or(maxConnections, RealmLimits.DEFAULT_MAX_CONNECTIONS));
        this.streamsPerClient =
                new PerClient(
                        "maxStreamsPerClient",
                        "--max-streams-per-client",
                        limits.maxStreamsPerClient,
                        RealmLimits.DEFAULT_MAX_STREAMS_PER_CLIENT,
                        or(limits.maxStreams, RealmLimits.DEFAULT_MAX_STREAMS));
        this.pollsPerClient =
                new PerClient(
                        "maxPollsPerClient",
                        "--max-polls-per-client",
                        limits.maxPollsPerClient,
                        RealmLimits.DEFAULT_MAX_POLLS_PER_CLIENT,
                        or(limits.maxPolls, RealmLimits.DEFAULT_MAX_POLLS));
    }

    /**
     * One per-client cap: its field, flag, the user's value (or null), the realm's default and its
     * total.
     */
    private record PerClient(String field, String flag, Integer set, int standalone, int total) {
        /**
         * What one proxy pod may need of it: all of its connections, but never more than the
         * realm's total.
         */
        int proxyNeed() {
            return Math.min(PROXY_POD_CONNECTIONS, total);
        }

        boolean belowProxyNeed() {
            return set != null && set < proxyNeed();
        }
    }

    /**
     * Sets the config file's {@code limits} and {@code allowedOrigins} keys; none for what is
     * absent, except the per-client caps, which are always sized, and the total connection cap when
     * it was sized for memory.
     */
    public void writeTo(RealmConfigDocument doc) {
        RealmConfigDocument.Limits out =
                doc.limits == null ? new RealmConfigDocument.Limits() : doc.limits;
        out.maxConnections = maxConnections;
        out.maxConnectionsPerClient = perClient(connectionsPerClient);
        out.headerTimeout = limits.headerTimeout;
        out.replayRate = limits.replayRate;
        out.maxStreams = limits.maxStreams;
        out.maxStreamsPerClient = perClient(streamsPerClient);
        out.maxPolls = limits.maxPolls;
        out.maxPollsPerClient = perClient(pollsPerClient);
        doc.limits = out;
        doc.allowedOrigins = allowedOrigins.isEmpty() ? null : List.copyOf(allowedOrigins);
    }

    // Not conditional on the proxies: the pod template must not change when they come and go.
    private static int perClient(PerClient cap) {
        return cap.set() != null ? cap.set() : Math.max(cap.standalone(), cap.proxyNeed());
    }

    /**
     * The per-client caps the user set below what one proxy pod can carry, as sentences naming the
     * fields.
     */
    public List<String> shortfalls() {
        if (proxies.isEmpty()) {
            return List.of();
        }
        return Stream.of(connectionsPerClient, streamsPerClient, pollsPerClient)
                .filter(PerClient::belowProxyNeed)
                .map(
                        c ->
                                "spec.limits."
                                        + c.field()
                                        + " ("
                                        + c.set()
                                        + ") is below "
                                        + c.proxyNeed()
                                        + ", what one proxy pod can carry (at most the realm's total)")
                .toList();
    }

    /** The conditions with {@value #CONDITION} set from the shortfalls. */
    public List<Condition> condition(List<Condition> conditions, long generation, Instant now) {
        List<String> shortfalls = shortfalls();
        if (proxies.isEmpty()) {
            return Conditions.with(
                    conditions,
                    CONDITION,
                    true,
                    NO_PROXIES,
                    "no ForwardProxy references this realm",
                    generation,
                    now);
        }
        String names = String.join(", ", proxies);
        if (shortfalls.isEmpty()) {
            return Conditions.with(
                    conditions,
                    CONDITION,
                    true,
                    SIZED_FOR_PROXIES,
                    "the per-client limits let in what one pod of ForwardProxy "
                            + names
                            + " carries",
                    generation,
                    now);
        }
        return Conditions.with(
                conditions,
                CONDITION,
                false,
                BELOW_PROXY_CAPACITY,
                String.join("; ", shortfalls)
                        + ": every client tunnelled through one pod of ForwardProxy "
                        + names
                        + " reaches the realm from that"
                        + " pod's address and shares these caps, which the operator leaves as set; remove them to have them"
                        + " sized for the proxy",
                generation,
                now);
    }

    private static int or(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }
}
