package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmExpose;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.Reasons;
import io.realmgate.operator.workload.ServicePorts;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A realm's exposure outside the cluster ({@code spec.expose}), computed: the external Service
 * (NodePort, LoadBalancer), the TLSRoute, the names the certificate must carry, the NetworkPolicy
 * peers admitted to wss, and the external endpoints and {@code Exposed} condition from what the API
 * server reports. Pure, like {@link RealmModel}.
 */
final class RealmExposure {
    static final String CONDITION = "Exposed";
    static final String NODE_PORT_ALLOCATED = "NodePortAllocated";
    static final String LOAD_BALANCER_READY = "LoadBalancerReady";
    static final String LOAD_BALANCER_PENDING = Reasons.LOAD_BALANCER_PENDING;
    static final String SERVICE_PENDING = Reasons.SERVICE_PENDING;
    static final String TLS_ROUTE_APPLIED = "TLSRouteApplied";
    static final String TLS_ROUTE_NOT_SERVED = "TLSRouteNotServed";
    static final String TLS_ROUTE_FAILED = "TLSRouteFailed";

    static final String GATEWAY_GROUP = "gateway.networking.k8s.io";
    static final String TLS_ROUTE_KIND = "TLSRoute";

    private static final Pattern IPV4 = Pattern.compile("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$");

    private RealmExposure() {}

    static Optional<RealmExpose> of(Realm realm) {
        RealmSpec spec = realm.getSpec();
        return Optional.ofNullable(spec == null ? null : spec.expose);
    }

    /** Whether the realm has a Service {@code <name>-realm-external} (NodePort, LoadBalancer). */
    static boolean hasExternalService(Realm realm) {
        return of(realm).map(e -> e.type() != RealmExpose.Type.TLS_ROUTE).orElse(false);
    }

    static boolean wantsTlsRoute(Realm realm) {
        return of(realm).map(e -> e.type() == RealmExpose.Type.TLS_ROUTE).orElse(false);
    }

    /**
     * {@code spec.expose.hostnames} in the order given, without duplicates, IP addresses in the
     * form Java prints them (so they compare equal to what a certificate's IP SAN reads back as).
     */
    static List<String> hostnames(Realm realm) {
        Set<String> names = new LinkedHashSet<>();
        of(realm)
                .map(e -> e.hostnames)
                .ifPresent(
                        list ->
                                list.stream()
                                        .filter(h -> h != null && !h.isBlank())
                                        .map(RealmExposure::canonical)
                                        .forEach(names::add));
        return List.copyOf(names);
    }

    /** Whether {@code name} is an IPv4 or IPv6 literal (never a DNS lookup). */
    static boolean isIpAddress(String name) {
        return IPV4.matcher(name).matches() || name.contains(":");
    }

    private static String canonical(String name) {
        if (!isIpAddress(name)) {
            return name;
        }
        try {
            // A literal: InetAddress parses it without a lookup.
            return InetAddress.getByName(name).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "spec.expose.hostnames: " + name + " is not an IP address", e);
        }
    }

    /**
     * Service {@code <name>-realm-external}: the wss port only, of type NodePort or LoadBalancer,
     * with the user's annotations. A separate Service, so the in-cluster one stays what it was
     * (ClusterIP, both listeners) whatever the exposure (docs/decisions.md).
     */
    static Service externalService(RealmModel model, ObjectMeta metadata) {
        RealmExpose expose = of(model.realm()).orElseThrow();
        ServicePort wss =
                ServicePorts.tcp(
                        RealmModel.WSS_PORT_NAME,
                        model.secureWebSocketPort(),
                        new IntOrString(RealmModel.WSS_PORT_NAME),
                        "kubernetes.io/wss");
        wss.setNodePort(expose.nodePort);
        ObjectMeta withAnnotations = new ObjectMetaBuilder(metadata).build();
        if (expose.annotations != null && !expose.annotations.isEmpty()) {
            withAnnotations.setAnnotations(new TreeMap<>(expose.annotations));
        }
        boolean loadBalancer = expose.type() == RealmExpose.Type.LOAD_BALANCER;
        return new ServiceBuilder()
                .withMetadata(withAnnotations)
                .withNewSpec()
                .withType(loadBalancer ? "LoadBalancer" : "NodePort")
                .withLoadBalancerClass(loadBalancer ? expose.loadBalancerClass : null)
                .withSelector(new TreeMap<>(model.selector()))
                .withPorts(wss)
                .endSpec()
                .build();
    }

    /**
     * TLSRoute {@code <name>-realm}: the Gateways of parentRefs pass TLS for the hostnames (DNS
     * names; a TLSRoute takes no address) through to the realm's Service's wss port, so the realm
     * terminates TLS with its own certificate.
     *
     * @param apiVersion the TLSRoute version the API server serves
     */
    static GenericKubernetesResource tlsRoute(
            RealmModel model, ObjectMeta metadata, String apiVersion) {
        RealmExpose expose = of(model.realm()).orElseThrow();
        List<Map<String, Object>> parents = new ArrayList<>();
        for (RealmExpose.GatewayParentRef ref : expose.parentRefs) {
            Map<String, Object> parent = new LinkedHashMap<>();
            parent.put("group", GATEWAY_GROUP);
            parent.put("kind", "Gateway");
            parent.put("name", ref.name);
            if (ref.namespace != null) {
                parent.put("namespace", ref.namespace);
            }
            if (ref.sectionName != null) {
                parent.put("sectionName", ref.sectionName);
            }
            parents.add(parent);
        }
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("name", Names.realm(model.realm()));
        backend.put("port", model.secureWebSocketPort());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("parentRefs", parents);
        spec.put(
                "hostnames",
                hostnames(model.realm()).stream().filter(h -> !isIpAddress(h)).toList());
        spec.put("rules", List.of(Map.of("backendRefs", List.of(backend))));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(apiVersion)
                .withKind(TLS_ROUTE_KIND)
                .withMetadata(metadata)
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /**
     * Who the NetworkPolicy admits to the wss port besides the in-cluster clients: the CIDRs of
     * spec.expose.from, with a TLSRoute also every pod (the Gateway's, wherever it runs, since many
     * CNIs match in-cluster pods by selector only, never by ipBlock). Empty without
     * spec.expose.from: a rule without peers admits every source, in-cluster or not, and needs no
     * {@code 0.0.0.0/0} ipBlock, which some CNIs cannot express (ipset takes no /0) or refuse in a
     * cluster of the other address family.
     */
    static List<NetworkPolicyPeer> externalPeers(Realm realm) {
        RealmExpose expose = of(realm).orElseThrow();
        if (expose.from == null || expose.from.isEmpty()) {
            return List.of();
        }
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        for (String cidr : expose.from.stream().distinct().toList()) {
            peers.add(
                    new NetworkPolicyPeerBuilder()
                            .withNewIpBlock()
                            .withCidr(cidr)
                            .endIpBlock()
                            .build());
        }
        if (expose.type() == RealmExpose.Type.TLS_ROUTE) {
            peers.add(
                    new NetworkPolicyPeerBuilder()
                            .withNewNamespaceSelector()
                            .endNamespaceSelector()
                            .build());
        }
        return peers;
    }

    /** What the exposure amounts to now: the external endpoints and the Exposed condition. */
    record Outcome(List<String> endpoints, boolean exposed, String reason, String message) {}

    /**
     * @param service the external Service as the API server reports it (null: not there yet)
     * @param route what became of the TLSRoute (for a realm that asks for one)
     */
    static Outcome outcome(RealmModel model, Service service, RealmTlsRoute.State route) {
        Realm realm = model.realm();
        RealmExpose expose = of(realm).orElseThrow();
        List<String> hostnames = hostnames(realm);
        String serviceName = Names.realmExternalService(realm);
        switch (expose.type()) {
            case TLS_ROUTE -> {
                String name = Names.realm(realm);
                if (route.failure().isPresent()) {
                    return new Outcome(
                            List.of(),
                            false,
                            TLS_ROUTE_FAILED,
                            "TLSRoute " + name + ": " + route.failure().get());
                }
                if (route.version().isEmpty()) {
                    return new Outcome(
                            List.of(),
                            false,
                            TLS_ROUTE_NOT_SERVED,
                            "the API server serves no TLSRoute ("
                                    + GATEWAY_GROUP
                                    + "); install the Gateway API's experimental CRDs and a Gateway"
                                    + " with a TLS Passthrough listener");
                }
                List<String> endpoints =
                        hostnames.stream()
                                .filter(h -> !isIpAddress(h) && !h.startsWith("*."))
                                .map(h -> url(h, 443))
                                .toList();
                return new Outcome(
                        endpoints,
                        true,
                        TLS_ROUTE_APPLIED,
                        "TLSRoute "
                                + name
                                + " ("
                                + route.version().get()
                                + ") passes "
                                + String.join(", ", hostnames)
                                + " through Gateway "
                                + String.join(
                                        ", ", expose.parentRefs.stream().map(p -> p.name).toList())
                                + "; its status.parents says whether the Gateway accepted it"
                                + " (the endpoints assume its listener is on port 443)");
            }
            case NODE_PORT -> {
                Integer nodePort = nodePort(service);
                if (nodePort == null) {
                    return new Outcome(
                            List.of(),
                            false,
                            SERVICE_PENDING,
                            "Service " + serviceName + " has no node port yet");
                }
                List<String> endpoints = hostnames.stream().map(h -> url(h, nodePort)).toList();
                return new Outcome(
                        endpoints,
                        true,
                        NODE_PORT_ALLOCATED,
                        "Service "
                                + serviceName
                                + ": wss on node port "
                                + nodePort
                                + " of every node"
                                + (hostnames.isEmpty()
                                        ? " (set spec.expose.hostnames to the names that lead to the"
                                                + " nodes to list endpoints)"
                                        : ""));
            }
            case LOAD_BALANCER -> {
                int port = model.secureWebSocketPort();
                Set<String> hosts = new LinkedHashSet<>(hostnames);
                List<LoadBalancerIngress> ingress =
                        service == null
                                        || service.getStatus() == null
                                        || service.getStatus().getLoadBalancer() == null
                                        || service.getStatus().getLoadBalancer().getIngress()
                                                == null
                                ? List.of()
                                : service.getStatus().getLoadBalancer().getIngress();
                List<String> addresses = new ArrayList<>();
                for (LoadBalancerIngress i : ingress) {
                    String address = i.getHostname() != null ? i.getHostname() : i.getIp();
                    if (address != null && !address.isBlank()) {
                        addresses.add(canonical(address));
                    }
                }
                if (addresses.isEmpty()) {
                    return new Outcome(
                            List.of(),
                            false,
                            LOAD_BALANCER_PENDING,
                            "Service "
                                    + serviceName
                                    + " waits for its load balancer (status.loadBalancer.ingress is"
                                    + " empty)");
                }
                hosts.addAll(addresses);
                return new Outcome(
                        hosts.stream().map(h -> url(h, port)).toList(),
                        true,
                        LOAD_BALANCER_READY,
                        "Service "
                                + serviceName
                                + ": load balancer at "
                                + String.join(", ", addresses)
                                + ", port "
                                + port);
            }
        }
        throw new IllegalStateException("unknown exposure " + expose.type());
    }

    /** The status's conditions with Exposed set, or removed when the realm is not exposed. */
    static List<Condition> condition(
            List<Condition> conditions, Optional<Outcome> outcome, long generation, Instant now) {
        if (outcome.isEmpty()) {
            return conditions == null
                    ? List.of()
                    : conditions.stream().filter(c -> !CONDITION.equals(c.getType())).toList();
        }
        Outcome o = outcome.get();
        return Conditions.with(
                conditions, CONDITION, o.exposed(), o.reason(), o.message(), generation, now);
    }

    /** The wss node port of the external Service as allocated, or null. */
    static Integer nodePort(Service service) {
        if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
            return null;
        }
        return service.getSpec().getPorts().stream()
                .filter(p -> RealmModel.WSS_PORT_NAME.equals(p.getName()))
                .map(ServicePort::getNodePort)
                .filter(p -> p != null && p > 0)
                .findFirst()
                .orElse(null);
    }

    static String url(String host, int port) {
        String authority = host.contains(":") ? "[" + host + "]" : host;
        return "wss://" + authority + (port == 443 ? "" : ":" + port) + RealmModel.WEBSOCKET_PATH;
    }
}
