package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.realmgate.operator.ConfigHash;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.workload.ChildMetadata;
import io.realmgate.operator.workload.IssuedTlsSecret;
import io.realmgate.operator.workload.ServicePorts;
import io.realmgate.proxy.config.ProxyConfigDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A ForwardProxy's desired children, computed from what the cluster holds and nothing else: the CR,
 * the operator's settings, the realms it names (as looked up; an absent name does not exist) and
 * the certificate its TLS listener serves. No I/O; the same inputs give equal objects, so a
 * reconcile that finds everything in place writes nothing.
 *
 * <p>Children: ConfigMap {@code <name>-proxy-config} (key {@code proxy.yaml}), Deployment, Service
 * and NetworkPolicy {@code <name>-proxy}, Secret {@code <name>-proxy-tls} when the operator issues
 * the listener's certificate, and PodDisruptionBudget {@code <name>-proxy} with more than one
 * replica.
 */
public final class ProxyModel {
    private final ForwardProxy proxy;
    private final ForwardProxySpec spec;
    private final OperatorSettings settings;
    private final TargetResolution resolution;
    private final Optional<IssuedCertificate> certificate;
    private final ProxyCapacity capacity;
    private final ProxyConfigDocument document;
    private final String renderedConfig;

    /**
     * @param realms the Realms named by {@code allowConnect[].realm}, by name; a missing name does
     *     not exist
     * @param certificate the certificate the TLS listener serves (issued by the operator or read
     *     from the user's Secret); empty when TLS is off or the certificate is not known
     */
    public ProxyModel(
            ForwardProxy proxy,
            OperatorSettings settings,
            Map<String, Realm> realms,
            Optional<IssuedCertificate> certificate) {
        this.proxy = proxy;
        this.spec = ProxyConfigFile.spec(proxy);
        this.settings = settings;
        this.certificate = certificate;
        this.resolution =
                TargetResolution.resolve(
                        spec.allowConnect, namespace(), realms, settings.clusterDomain());
        this.capacity = ProxyCapacity.of(resources(), spec.limits);
        this.document = ProxyConfigFile.document(proxy, settings, resolution.rules(), capacity);
        this.renderedConfig = ProxyConfigFile.render(document);
    }

    public String name() {
        return proxy.getMetadata().getName();
    }

    public String namespace() {
        return proxy.getMetadata().getNamespace();
    }

    ForwardProxy proxy() {
        return proxy;
    }

    ForwardProxySpec spec() {
        return spec;
    }

    OperatorSettings settings() {
        return settings;
    }

    public TargetResolution resolution() {
        return resolution;
    }

    /** The target rules the proxy enforces (status.targets). */
    public List<String> rules() {
        return resolution.rules();
    }

    /** What keeps the proxy from doing what its spec says: unresolved targets, a port clash. */
    public List<Problem> problems() {
        List<Problem> problems = new ArrayList<>(resolution.problems());
        if (port() == ProxyConfigFile.ADMIN_PORT) {
            problems.add(
                    new Problem(
                            Problem.PORT_CONFLICT,
                            "spec.port "
                                    + port()
                                    + " is the proxy's admin port (health probes and metrics); choose another"));
        }
        transparentPort()
                .filter(p -> p == ProxyConfigFile.ADMIN_PORT)
                .ifPresent(
                        p ->
                                problems.add(
                                        new Problem(
                                                Problem.PORT_CONFLICT,
                                                "spec.transparent.port "
                                                        + p
                                                        + " is the proxy's admin port (health probes and metrics); choose another")));
        return problems;
    }

    /** The connection caps and what the pod's memory carries. */
    ProxyCapacity capacity() {
        return capacity;
    }

    /**
     * The spec's resources, or modest defaults: room for a small JVM and Netty's buffers; no CPU
     * limit, as throttling a proxy shows up as latency for every tunnel through it.
     */
    ResourceRequirements resources() {
        if (spec.resources != null) {
            return new ResourceRequirementsBuilder(spec.resources).build();
        }
        Map<String, Quantity> requests = new TreeMap<>();
        requests.put("cpu", new Quantity("100m"));
        requests.put("memory", new Quantity("128Mi"));
        Map<String, Quantity> limits = new TreeMap<>();
        limits.put("memory", new Quantity("256Mi"));
        return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
    }

    public ProxyConfigDocument configDocument() {
        return document;
    }

    /** proxy.yaml as the ConfigMap carries it. */
    public String renderedConfig() {
        return renderedConfig;
    }

    /** The proxy pods wanted: {@code spec.replicas}, 2 when absent. */
    public int replicas() {
        return replicas(proxy);
    }

    static int replicas(ForwardProxy proxy) {
        Integer replicas = ProxyConfigFile.spec(proxy).replicas;
        return replicas == null ? 2 : replicas;
    }

    /** A PodDisruptionBudget is there while there is more than one proxy pod to keep. */
    public boolean hasDisruptionBudget() {
        return replicas() > 1;
    }

    public int port() {
        return ProxyConfigFile.port(spec);
    }

    public Optional<Integer> transparentPort() {
        return spec.transparent == null
                ? Optional.empty()
                : Optional.ofNullable(spec.transparent.port);
    }

    public boolean tlsOn() {
        return spec.tls != null && spec.tls.on();
    }

    public boolean authOn() {
        return spec.auth != null && spec.auth.basicSecretRef != null;
    }

    /**
     * True when the operator issues the listener's certificate (TLS on, no Secret of the user's
     * own).
     */
    public boolean issuesCertificate() {
        return issuesCertificate(proxy);
    }

    public static boolean issuesCertificate(ForwardProxy proxy) {
        ForwardProxySpec spec = ProxyConfigFile.spec(proxy);
        return spec.tls != null
                && spec.tls.on()
                && (spec.tls.secretName == null || spec.tls.secretName.isEmpty());
    }

    /** The Secret the TLS listener's certificate is in: the issued one, or the user's own. */
    public String tlsSecretName() {
        return issuesCertificate() ? Names.proxyTlsSecret(proxy) : spec.tls.secretName;
    }

    Optional<IssuedCertificate> certificate() {
        return certificate;
    }

    /**
     * The proxy URL clients configure: {@code http://egress-proxy.apps.svc:3128}, https when TLS is
     * on.
     */
    public String endpoint() {
        return (tlsOn() ? "https" : "http")
                + "://"
                + Names.serviceHostShort(Names.proxy(proxy), namespace())
                + ":"
                + port();
    }

    /** The Service's DNS names, short to fully qualified: the SANs of an issued certificate. */
    public static List<String> certificateDnsNames(ForwardProxy proxy, String clusterDomain) {
        String service = Names.proxy(proxy);
        String namespace = proxy.getMetadata().getNamespace();
        return List.of(
                service,
                service + "." + namespace,
                Names.serviceHostShort(service, namespace),
                Names.serviceHost(service, namespace, clusterDomain));
    }

    /**
     * The pod template's {@link Names#RESTART_HASH_ANNOTATION}: over the parts of the rendered
     * config the proxy reads only at start, its listeners (listen, admin, tls files, transparent
     * listener and target port). The rest of the config (targets, clients, Via), the certificate
     * and the users file are reloaded by the running proxy when their ConfigMap or Secret volume
     * changes, so they are not in the pod template: a new target, a Realm created or deleted, a
     * renewed certificate or a changed password roll no pod and cut no tunnel.
     */
    public String restartHash() {
        return ConfigHash.start()
                .add("listen", Objects.toString(document.listen, ""))
                .add("admin", Objects.toString(document.admin, ""))
                .add(
                        "tls",
                        document.tls == null
                                ? ""
                                : document.tls.certificate + "\n" + document.tls.privateKey)
                .add(
                        "transparent",
                        document.transparent == null
                                ? ""
                                : document.transparent.listen
                                        + "\n"
                                        + document.transparent.targetPort)
                .hex();
    }

    /** Labels of every child, sorted. */
    Map<String, String> labels() {
        return new TreeMap<>(Names.proxyLabels(name()));
    }

    /** Labels that select the proxy's pods, sorted. */
    Map<String, String> selector() {
        return new TreeMap<>(Names.proxySelector(name()));
    }

    ObjectMeta metadata(String childName) {
        return ChildMetadata.of(proxy, childName, labels());
    }

    public ConfigMap configMap() {
        return new ConfigMapBuilder()
                .withMetadata(metadata(Names.proxyConfig(proxy)))
                .addToData(ProxyConfigFile.CONFIG_KEY, renderedConfig)
                .build();
    }

    public Deployment deployment() {
        return ProxyDeploymentModel.deployment(this);
    }

    public Service service() {
        List<ServicePort> ports = new ArrayList<>();
        ports.add(ServicePorts.tcp("proxy", port(), new IntOrString(port()), null));
        transparentPort()
                .ifPresent(
                        p ->
                                ports.add(
                                        ServicePorts.tcp(
                                                "transparent", p, new IntOrString(p), null)));
        return new ServiceBuilder()
                .withMetadata(metadata(Names.proxy(proxy)))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector())
                .withPorts(ports)
                .endSpec()
                .build();
    }

    /**
     * The Secret of the issued certificate ({@code kubernetes.io/tls}: tls.crt, tls.key, ca.crt).
     *
     * @throws IllegalStateException when the model has no certificate
     */
    public Secret tlsSecret() {
        IssuedCertificate issued =
                certificate.orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "no certificate for " + Names.proxyTlsSecret(proxy)));
        return IssuedTlsSecret.of(metadata(Names.proxyTlsSecret(proxy)), issued);
    }

    /**
     * At most one proxy pod away at a time for a voluntary disruption (a drain, a cluster upgrade):
     * the others keep serving while it drains its tunnels. maxUnavailable rather than minAvailable,
     * so a budget stays right when the proxy is scaled.
     */
    public PodDisruptionBudget disruptionBudget() {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(metadata(Names.proxy(proxy)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(selector())
                .endSelector()
                .endSpec()
                .build();
    }

    public NetworkPolicy networkPolicy() {
        return ProxyNetworkPolicyModel.networkPolicy(this);
    }
}
