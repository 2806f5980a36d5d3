package io.realmgate.operator.proxy;

import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.SecureWebSocketListener;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.api.WebSocketListener;
import io.realmgate.proxy.access.TargetRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A ForwardProxy's {@code allowConnect} entries turned into the proxy's own target rules ({@code
 * [HOST|IP|CIDR:]PORT}, IPv6 in brackets), with what could not be turned into a rule.
 *
 * <p>Only what resolves becomes a rule: a realm that does not exist, or a port it does not serve,
 * is reported as a {@link Problem} and is simply not allowed. Rendering the rest keeps the proxy
 * serving its other targets while the missing one is absent, and can never widen access (a rule is
 * only ever left out).
 *
 * @param targets the resolved entries, in allowConnect order
 * @param problems what did not resolve, in allowConnect order
 */
public record TargetResolution(List<ResolvedTarget> targets, List<Problem> problems) {

    public TargetResolution {
        targets = List.copyOf(targets);
        problems = List.copyOf(problems);
    }

    /** What a resolved entry points at; the NetworkPolicy's egress peer follows from it. */
    public enum Kind {
        /** A Realm of the proxy's namespace: egress to its pods. */
        REALM,
        /**
         * A DNS name outside: a NetworkPolicy cannot name it, so egress goes to any address on its
         * ports.
         */
        HOST_NAME,
        /** An IP address or CIDR block: egress to that block. */
        ADDRESS
    }

    /**
     * @param kind what the entry points at
     * @param name the realm's name (REALM), the host name (HOST_NAME), or the block as a CIDR such
     *     as {@code 10.0.0.0/8} or {@code fd00::1/128} (ADDRESS)
     * @param ports the ports that resolved, in the order given
     * @param rules the proxy rules, each accepted by {@link TargetRule#parse}: one per port for a
     *     host or address, one per name of the Service and port for a realm
     */
    public record ResolvedTarget(Kind kind, String name, List<Integer> ports, List<String> rules) {
        public ResolvedTarget {
            ports = List.copyOf(ports);
            rules = List.copyOf(rules);
        }
    }

    /**
     * Every rule once, in allowConnect order: the proxy's {@code allowConnect} and the status's
     * targets.
     */
    public List<String> rules() {
        LinkedHashSet<String> rules = new LinkedHashSet<>();
        targets.forEach(t -> rules.addAll(t.rules()));
        return List.copyOf(rules);
    }

    /**
     * @param entries the ForwardProxy's allowConnect (null: none)
     * @param namespace the ForwardProxy's namespace; realms are looked up there
     * @param realms the realms the entries name, as found: a name that is absent does not exist
     * @param clusterDomain the cluster's DNS domain, for the realm Service's fully qualified name
     */
    public static TargetResolution resolve(
            List<TargetSpec> entries,
            String namespace,
            Map<String, Realm> realms,
            String clusterDomain) {
        List<ResolvedTarget> targets = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<TargetSpec> list = entries == null ? List.of() : entries;
        for (int i = 0; i < list.size(); i++) {
            TargetSpec entry = list.get(i);
            if (entry == null) {
                continue;
            }
            String where = "allowConnect[" + i + "]";
            if (entry.realm != null) {
                realmTarget(entry, where, namespace, realms, clusterDomain, problems)
                        .ifPresent(targets::add);
            } else if (entry.host != null) {
                hostTarget(entry, where, problems).ifPresent(targets::add);
            }
            // Neither: the CRD's CEL rule refuses such an entry; nothing to allow.
        }
        return new TargetResolution(targets, problems);
    }

    private static Optional<ResolvedTarget> realmTarget(
            TargetSpec entry,
            String where,
            String namespace,
            Map<String, Realm> realms,
            String clusterDomain,
            List<Problem> problems) {
        Realm realm = realms.get(entry.realm);
        if (realm == null) {
            problems.add(
                    new Problem(
                            Problem.REALM_NOT_FOUND,
                            where
                                    + ": Realm '"
                                    + entry.realm
                                    + "' not found in namespace "
                                    + namespace));
            return Optional.empty();
        }
        RealmSpec spec = realm.getSpec() == null ? new RealmSpec() : realm.getSpec();
        List<Integer> served = servedPorts(spec);
        List<Integer> wanted =
                entry.ports == null || entry.ports.isEmpty() ? defaultPort(spec) : entry.ports;
        List<String> hosts = realmHosts(entry.realm, namespace, clusterDomain);
        List<Integer> ports = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        for (Integer port : wanted) {
            if (port == null || ports.contains(port)) {
                continue;
            }
            if (!served.contains(port)) {
                problems.add(
                        new Problem(
                                Problem.REALM_PORT_NOT_FOUND,
                                where
                                        + ": Realm '"
                                        + entry.realm
                                        + "' does not serve port "
                                        + port
                                        + " (it serves "
                                        + describe(spec)
                                        + ")"));
                continue;
            }
            List<String> portRules = new ArrayList<>();
            for (String host : hosts) {
                String rule = host + ":" + port;
                if (parse(rule, where, problems).isPresent()) {
                    portRules.add(rule);
                }
            }
            if (!portRules.isEmpty()) {
                ports.add(port);
                rules.addAll(portRules);
            }
        }
        return ports.isEmpty()
                ? Optional.empty()
                : Optional.of(new ResolvedTarget(Kind.REALM, entry.realm, ports, rules));
    }

    /**
     * The names a pod of the namespace (the proxy's) can use for a realm's Service, as the realm's
     * status and certificate give them: {@code <svc>.<ns>}, {@code <svc>.<ns>.svc} and {@code
     * <svc>.<ns>.svc.<domain>}. The bare {@code <svc>} is left out: it means a different Service in
     * every namespace whose search path a client resolves it from.
     */
    public static List<String> realmHosts(String realm, String namespace, String clusterDomain) {
        String service = Names.realmService(realm);
        return List.of(
                service + "." + namespace,
                Names.serviceHostShort(service, namespace),
                Names.serviceHost(service, namespace, clusterDomain));
    }

    private static Optional<ResolvedTarget> hostTarget(
            TargetSpec entry, String where, List<Problem> problems) {
        if (entry.ports == null || entry.ports.isEmpty()) {
            // A host rule without a port cannot be written; the CRD requires ports for hosts.
            problems.add(
                    new Problem(
                            Problem.INVALID_TARGET,
                            where + ": host '" + entry.host + "' has no ports"));
            return Optional.empty();
        }
        // IPv6 addresses and blocks go in brackets; the proxy's parser then decides whether the
        // text is a
        // name or an address, so the operator never disagrees with the proxy about what a rule
        // means.
        String authority = entry.host.contains(":") ? "[" + entry.host + "]" : entry.host;
        List<Integer> ports = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        Kind kind = null;
        String name = entry.host;
        for (Integer port : entry.ports) {
            if (port == null || ports.contains(port)) {
                continue;
            }
            String rule = authority + ":" + port;
            Optional<TargetRule> parsed = parse(rule, where, problems);
            if (parsed.isEmpty()) {
                continue;
            }
            TargetRule r = parsed.get();
            if (r.kind() == TargetRule.Kind.ADDRESS) {
                kind = Kind.ADDRESS;
                name = r.block().orElseThrow().toString();
            } else {
                kind = Kind.HOST_NAME;
            }
            ports.add(port);
            rules.add(rule);
        }
        return ports.isEmpty()
                ? Optional.empty()
                : Optional.of(new ResolvedTarget(kind, name, ports, rules));
    }

    private static Optional<TargetRule> parse(String rule, String where, List<Problem> problems) {
        try {
            TargetRule parsed = TargetRule.parse(rule);
            if (parsed.kind() == TargetRule.Kind.PORT_ONLY) {
                // Cannot happen with a host in front; a port-only rule would admit every public
                // address.
                throw new IllegalArgumentException("'" + rule + "' names no host");
            }
            return Optional.of(parsed);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(Problem.INVALID_TARGET, where + ": " + e.getMessage()));
            return Optional.empty();
        }
    }

    /** The realm's ports that are on: ws, then wss. */
    static List<Integer> servedPorts(RealmSpec spec) {
        List<Integer> ports = new ArrayList<>();
        if (wsOn(spec)) {
            ports.add(wsPort(spec));
        }
        if (wssOn(spec)) {
            ports.add(wssPort(spec));
        }
        return ports;
    }

    /** A realm entry without ports: the realm's wss port when wss is on, else its ws port. */
    private static List<Integer> defaultPort(RealmSpec spec) {
        return wssOn(spec)
                ? List.of(wssPort(spec))
                : wsOn(spec) ? List.of(wsPort(spec)) : List.of();
    }

    private static String describe(RealmSpec spec) {
        List<String> parts = new ArrayList<>();
        if (wsOn(spec)) {
            parts.add("ws " + wsPort(spec));
        }
        if (wssOn(spec)) {
            parts.add("wss " + wssPort(spec));
        }
        return parts.isEmpty() ? "no port" : String.join(", ", parts);
    }

    private static boolean wsOn(RealmSpec spec) {
        return spec.webSocket == null || spec.webSocket.on();
    }

    private static int wsPort(RealmSpec spec) {
        return spec.webSocket == null ? WebSocketListener.DEFAULT_PORT : spec.webSocket.port();
    }

    private static boolean wssOn(RealmSpec spec) {
        return spec.secureWebSocket == null || spec.secureWebSocket.on();
    }

    private static int wssPort(RealmSpec spec) {
        return spec.secureWebSocket == null
                ? SecureWebSocketListener.DEFAULT_PORT
                : spec.secureWebSocket.port();
    }
}
