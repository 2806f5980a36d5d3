package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;

@ValidationRule(
        value = "!has(self.transparent) || self.transparent.port != self.port",
        message = "transparent.port must differ from port")
public class ForwardProxySpec {
    public static final int DEFAULT_PORT = 3128;

    @JsonPropertyDescription("Proxy pods.")
    @Default("2")
    @Min(0)
    @Max(100)
    @SpecReplicas
    public Integer replicas = 2;

    @JsonPropertyDescription("Port clients use as their HTTP proxy (container and Service).")
    @Default("3128")
    @Min(1)
    @Max(65535)
    public Integer port = DEFAULT_PORT;

    @JsonPropertyDescription("Add 'Via: 1.1 NAME' to forwarded requests and responses.")
    @Default("true")
    public Boolean via = true;

    @JsonPropertyDescription(
            "Targets clients may CONNECT to (and forward requests to). Empty: nothing is allowed.")
    @Size(max = 64)
    public List<TargetSpec> allowConnect;

    @JsonPropertyDescription("Who may use the proxy. Absent: pods of this namespace.")
    public Clients clients;

    @JsonPropertyDescription("Clients speak TLS to the proxy (an HTTPS proxy).")
    public ProxyTls tls;

    @JsonPropertyDescription("Basic proxy authentication.")
    public ProxyAuth auth;

    @JsonPropertyDescription(
            "A listener for clients that do not know the proxy: TLS routed by its SNI name to an allowed target.")
    public Transparent transparent;

    @JsonPropertyDescription("Container resources of the proxy pods.")
    public ResourceRequirements resources;

    @JsonPropertyDescription(
            "Connection and request-size limits of each proxy pod. Absent fields: the proxy's"
                    + " defaults; the connection caps sized for the pod's memory.")
    public ProxyLimits limits;

    @JsonPropertyDescription("Connect, request-head, idle and drain timeouts of the proxy.")
    public ProxyTimeouts timeouts;

    @JsonPropertyDescription(
            "How the proxy pods start. Absent: warm, the C1 compiler and a 4000-tunnel warm-up"
                    + " before the pod is Ready.")
    @Default("{}")
    public ProxyStartup startup = new ProxyStartup();

    @JsonPropertyDescription(
            "What the proxy pods get besides what the operator gives them: placement (nodeSelector,"
                    + " tolerations, affinity, topologySpreadConstraints, priorityClassName), labels,"
                    + " annotations, image and imagePullSecrets.")
    public PodTemplate template;
}
