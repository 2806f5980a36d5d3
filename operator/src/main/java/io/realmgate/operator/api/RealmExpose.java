package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * How clients outside the cluster reach a realm's wss listener ({@code spec.expose}): a Service of
 * type NodePort or LoadBalancer of its own ({@code <name>-realm-external}, wss only), or a Gateway
 * API TLSRoute that passes TLS through a Gateway to the realm's Service. The names clients use
 * ({@code hostnames}) go into the wss certificate (docs/decisions.md, "Exposure").
 */
@ValidationRule(
        value = "!has(self.nodePort) || self.type != 'TLSRoute'",
        fieldPath = ".nodePort",
        message =
                "spec.expose.nodePort is only for type NodePort or LoadBalancer: a TLSRoute goes"
                        + " through its Gateway's listener")
@ValidationRule(
        value = "!has(self.nodePort) || (self.nodePort >= 30000 && self.nodePort <= 32767)",
        fieldPath = ".nodePort",
        message =
                "spec.expose.nodePort must be within 30000-32767, Kubernetes' default NodePort"
                        + " range")
@ValidationRule(
        value = "!has(self.loadBalancerClass) || self.type == 'LoadBalancer'",
        fieldPath = ".loadBalancerClass",
        message = "spec.expose.loadBalancerClass is only for type LoadBalancer")
@ValidationRule(
        value = "self.type != 'TLSRoute' || (has(self.parentRefs) && size(self.parentRefs) > 0)",
        fieldPath = ".parentRefs",
        message =
                "spec.expose.parentRefs (the Gateway with a TLS passthrough listener) is required"
                        + " with type TLSRoute")
@ValidationRule(
        value = "self.type == 'TLSRoute' || !has(self.parentRefs)",
        fieldPath = ".parentRefs",
        message = "spec.expose.parentRefs is only for type TLSRoute")
@ValidationRule(
        value = "self.type != 'TLSRoute' || (has(self.hostnames) && size(self.hostnames) > 0)",
        fieldPath = ".hostnames",
        message =
                "spec.expose.hostnames is required with type TLSRoute: the Gateway routes by the"
                        + " name clients send (SNI)")
@ValidationRule(
        value = "self.type != 'TLSRoute' || !has(self.annotations)",
        fieldPath = ".annotations",
        message =
                "spec.expose.annotations are for the external Service, which type TLSRoute does"
                        + " not have")
public class RealmExpose {
    /** How the realm is exposed, as the API server stores it. */
    public enum Type {
        @JsonProperty("NodePort")
        NODE_PORT,
        @JsonProperty("LoadBalancer")
        LOAD_BALANCER,
        @JsonProperty("TLSRoute")
        TLS_ROUTE
    }

    /**
     * A DNS name as a certificate and a TLSRoute take it (lower case, an optional leading {@code
     * *.} wildcard label), checked by CEL with isIP for the addresses.
     */
    public static final String HOSTNAME_PATTERN =
            "^(\\\\*\\\\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\\\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

    @JsonPropertyDescription(
            "NodePort: a Service <name>-realm-external of type NodePort with the wss port only. "
                    + "LoadBalancer: the same Service of type LoadBalancer. TLSRoute: a Gateway API "
                    + "TLSRoute <name>-realm (TLS passthrough) from the Gateways of parentRefs to the "
                    + "realm's Service; created only where the API server serves TLSRoute.")
    @Required
    public Type type;

    @JsonPropertyDescription(
            "The node port of the wss listener (NodePort, LoadBalancer), 30000-32767. Absent: "
                    + "Kubernetes allocates one; status.externalEndpoints names it.")
    public Integer nodePort;

    @JsonPropertyDescription(
            "The external Service's spec.loadBalancerClass (type LoadBalancer): which load "
                    + "balancer implementation serves it. Absent: the cluster's default.")
    @Size(max = 253)
    public String loadBalancerClass;

    @JsonPropertyDescription(
            "Annotations of the external Service, such as a cloud's load balancer settings.")
    public Map<String, String> annotations;

    @JsonPropertyDescription(
            "The names (DNS names, or IP addresses) external clients connect to: added to the wss "
                    + "certificate (addresses as IP SANs), listed in status.externalEndpoints, and the "
                    + "TLSRoute's hostnames. Such as realm.example.com.")
    @Size(max = 16)
    @ValidationRule(
            value = "self.all(h, isIP(h) || h.matches('" + HOSTNAME_PATTERN + "'))",
            message =
                    "every spec.expose.hostnames entry must be a lower-case DNS name (optionally"
                            + " *.-prefixed) or an IP address")
    public List<@Size(max = 253) String> hostnames;

    @JsonPropertyDescription(
            "Address blocks (CIDR) external clients come from, admitted to the wss port by the "
                    + "realm's NetworkPolicy. Absent: any source, since exposing means that. With NodePort or LoadBalancer the source a pod sees is the client's "
                    + "only where the Service keeps it (externalTrafficPolicy Local, some load "
                    + "balancers); otherwise it is a node's address.")
    @Size(max = 64)
    @ValidationRule(
            value = "self.all(c, isCIDR(c))",
            message = "every spec.expose.from entry must be a CIDR such as 203.0.113.0/24")
    public List<@Size(max = 49) String> from;

    @JsonPropertyDescription(
            "The Gateways the TLSRoute attaches to (type TLSRoute): each with a TLS listener in "
                    + "Passthrough mode.")
    @Size(max = 8)
    public List<GatewayParentRef> parentRefs;

    /** A Gateway API parentRef: a Gateway, optionally in another namespace, and its listener. */
    public static class GatewayParentRef {
        @JsonPropertyDescription("The Gateway's name.")
        @Required
        @Size(min = 1, max = 253)
        public String name;

        @JsonPropertyDescription("The Gateway's namespace. Absent: the realm's.")
        @Size(max = 63)
        public String namespace;

        @JsonPropertyDescription("The Gateway listener's name. Absent: every listener that fits.")
        @Size(max = 253)
        public String sectionName;
    }

    public Type type() {
        return type == null ? Type.NODE_PORT : type;
    }
}
