package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.realmgate.operator.ConfigHash;
import io.realmgate.operator.JvmMemory;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.Pods;
import io.realmgate.operator.api.CertManagerIssuerRef;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmEngine;
import io.realmgate.operator.api.RealmRedis;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.api.SecureWebSocketListener;
import io.realmgate.operator.api.WebSocketListener;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import io.realmgate.operator.workload.ChildMetadata;
import io.realmgate.operator.workload.IssuedTlsSecret;
import io.realmgate.operator.workload.NodeSpread;
import io.realmgate.operator.workload.PodSecurity;
import io.realmgate.operator.workload.PodTemplates;
import io.realmgate.operator.workload.ServicePorts;
import io.realmgate.realm.config.RealmConfigDocument;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Realm's children, computed: the Realm, the operator's settings and what the reconciler looked
 * up (the wss certificate, the ForwardProxies that reference the realm) in, Fabric8 objects out. No
 * I/O, no clock; equal inputs give equal objects, so a reconcile that finds everything in place
 * writes nothing.
 */
public final class RealmModel {
    public static final String CONTAINER = "realm";
    public static final String WS_PORT_NAME = "ws";
    public static final String WSS_PORT_NAME = "wss";
    public static final String ADMIN_PORT_NAME = "admin";

    /**
     * The realm's admin listener ({@code --admin}): probes and metrics, never a client. The next
     * free one of 8081 and 8082 when a client listener has this port.
     */
    public static final int ADMIN_PORT = 8080;

    /**
     * SIGTERM to exit: the realm closes its listeners, tells WebSockets it is going away (up to 1
     * s), closes every connection (up to 5 s) and stops its event loops (up to 5 s).
     */
    static final long SHUTDOWN_SECONDS = 11;

    /** preStop sleep, shutdown, and a margin before SIGKILL. */
    public static final long TERMINATION_GRACE_SECONDS =
            Pods.PRE_STOP_SLEEP_SECONDS + SHUTDOWN_SECONDS + 4;

    public static final String TLS_DIR = "/etc/realmgate/tls";

    /** The path of the realm's WebSocket endpoint (protocol v1, docs/protocol.md). */
    public static final String WEBSOCKET_PATH = "/realm";

    /** The memory limit of a realm whose spec sets no resources. */
    static final Quantity DEFAULT_MEMORY_LIMIT = new Quantity("512Mi");

    private static final String TLS_VOLUME = "tls";
    private static final String TMP_VOLUME = "tmp";
    private static final String CONFIG_VOLUME = "config";
    private static final String REDIS_PASSWORD_VOLUME = "redis-auth";
    private static final String REDIS_CA_VOLUME = "redis-ca";

    private final Realm realm;
    private final OperatorSettings settings;
    private final WssCertificate certificate;
    private final SortedSet<String> proxies;
    private final String name;
    private final String namespace;
    private final RealmConfigDocument configDocument;
    private final String renderedConfig;

    /**
     * @param certificate the wss certificate (issued, or the user's Secret)
     * @param referencingProxies names of the ForwardProxies in the realm's namespace whose
     *     allowConnect names it
     */
    public RealmModel(
            Realm realm,
            OperatorSettings settings,
            WssCertificate certificate,
            Collection<String> referencingProxies) {
        this.realm = realm;
        this.settings = settings;
        this.certificate = certificate;
        this.proxies = new TreeSet<>(referencingProxies);
        this.name = Names.realm(realm);
        this.namespace = realm.getMetadata().getNamespace();
        this.configDocument = RealmConfigFile.document(this);
        this.renderedConfig = RealmConfigFile.render(configDocument);
    }

    public Realm realm() {
        return realm;
    }

    public WssCertificate certificate() {
        return certificate;
    }

    OperatorSettings settings() {
        return settings;
    }

    /**
     * Names for the wss certificate: the Service's DNS names, short to fully qualified, plus {@code
     * spec.tls.dnsNames} and {@code spec.expose.hostnames} (IP addresses among them become IP
     * SANs); sorted and without duplicates, so the same Realm always asks for the same names.
     */
    public static List<String> dnsNames(Realm realm, OperatorSettings settings) {
        String service = Names.realm(realm);
        String namespace = realm.getMetadata().getNamespace();
        SortedSet<String> names =
                new TreeSet<>(
                        List.of(
                                service,
                                service + "." + namespace,
                                Names.serviceHostShort(service, namespace),
                                Names.serviceHost(service, namespace, settings.clusterDomain())));
        RealmSpec spec = realm.getSpec();
        if (spec != null && spec.tls != null && spec.tls.dnsNames != null) {
            spec.tls.dnsNames.stream().filter(n -> n != null && !n.isBlank()).forEach(names::add);
        }
        // The names external clients use (spec.expose.hostnames); addresses become IP SANs.
        names.addAll(RealmExposure.hostnames(realm));
        return List.copyOf(names);
    }

    /**
     * The TLS Secret someone else writes: the user's own, when {@code spec.tls.secretName} names
     * one, or cert-manager's, when {@code spec.tls.issuerRef} names an issuer ({@link
     * Names#realmCertManagerSecret}); then the operator issues nothing and reads the Secret as it
     * finds it.
     */
    public static Optional<String> userSecretName(Realm realm) {
        RealmSpec spec = realm.getSpec();
        if (spec == null || spec.tls == null) {
            return Optional.empty();
        }
        if (spec.tls.issuerRef != null) {
            return Optional.of(Names.realmCertManagerSecret(realm));
        }
        if (spec.tls.secretName == null || spec.tls.secretName.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(spec.tls.secretName);
    }

    /** The cert-manager issuer of {@code spec.tls.issuerRef}, if any. */
    public static Optional<CertManagerIssuerRef> certManagerIssuer(Realm realm) {
        RealmSpec spec = realm.getSpec();
        return spec == null || spec.tls == null
                ? Optional.empty()
                : Optional.ofNullable(spec.tls.issuerRef);
    }

    /** The Secret the pods mount: the user's, or the one the operator writes. */
    public static String tlsSecretName(Realm realm) {
        return userSecretName(realm).orElseGet(() -> Names.realmTlsSecret(realm));
    }

    public boolean webSocketOn() {
        return webSocket().on();
    }

    public boolean secureWebSocketOn() {
        return secureWebSocket().on();
    }

    public int webSocketPort() {
        return webSocket().port();
    }

    public int secureWebSocketPort() {
        return secureWebSocket().port();
    }

    public RealmEngine engine() {
        RealmSpec spec = realm.getSpec();
        return spec == null || spec.engine == null ? new RealmEngine() : spec.engine;
    }

    /** {@code spec.replicas} as written (absent: 1). */
    int specReplicas() {
        RealmSpec spec = realm.getSpec();
        return spec == null || spec.replicas == null ? 1 : spec.replicas;
    }

    /**
     * The pods the Deployment runs: {@code spec.replicas}, but at most one with the memory engine.
     * The API server refuses more, yet a Realm stored before that rule keeps its value until its
     * spec is next changed (CRD validation ratcheting); it still gets one hub, never several.
     */
    public int replicas() {
        return engine().type() == RealmEngine.Type.MEMORY
                ? Math.min(specReplicas(), 1)
                : specReplicas();
    }

    /** The admin listener's port: {@link #ADMIN_PORT}, or the next one no client listener has. */
    public int adminPort() {
        int port = ADMIN_PORT;
        while ((webSocketOn() && webSocketPort() == port)
                || (secureWebSocketOn() && secureWebSocketPort() == port)) {
            port++;
        }
        return port;
    }

    /**
     * The realm's command line: its rendered config file, which holds every setting (docs/realm.md,
     * "The config file"; {@link RealmConfigFile}).
     */
    public List<String> args() {
        return List.of("--config", RealmConfigFile.CONFIG_PATH);
    }

    /** The config file's document: what {@link #renderedConfig()} says, as the realm reads it. */
    public RealmConfigDocument configDocument() {
        return configDocument;
    }

    /** realm.yaml as the ConfigMap carries it. */
    public String renderedConfig() {
        return renderedConfig;
    }

    /** ConfigMap {@code <name>-realm-config}: realm.yaml. */
    public ConfigMap configMap() {
        return new ConfigMapBuilder()
                .withMetadata(metadata(Names.realmConfig(realm)))
                .withData(new TreeMap<>(Map.of(RealmConfigFile.CONFIG_KEY, renderedConfig)))
                .build();
    }

    /**
     * The pod template's {@link Names#RESTART_HASH_ANNOTATION}: over the whole rendered config, as
     * the realm reads it only at start; a changed setting rolls the pods, which then read the new
     * file. (The certificate and the Redis password are files the running realm reads again; they
     * are not in the hash.)
     */
    public String restartHash() {
        return ConfigHash.start().add(RealmConfigFile.CONFIG_KEY, renderedConfig).hex();
    }

    /**
     * The limit and origin settings from the spec, per-client caps sized for the referencing
     * ForwardProxies.
     */
    public RealmLimitSettings limitSettings() {
        return new RealmLimitSettings(realm.getSpec(), proxies, capacity().maxConnections());
    }

    /** Whether the engine is redis: several pods may share it. */
    public boolean sharedEngine() {
        return engine().type() == RealmEngine.Type.REDIS;
    }

    /**
     * A PodDisruptionBudget while several pods share a redis engine: a drain takes one at a time,
     * the others keep serving. A memory realm is one pod, which a budget could only block or not
     * protect.
     */
    public boolean hasDisruptionBudget() {
        return sharedEngine() && replicas() > 1;
    }

    /**
     * At most one realm pod away at a time for a voluntary disruption; maxUnavailable rather than
     * minAvailable, so the budget stays right when the realm is scaled.
     */
    public PodDisruptionBudget disruptionBudget() {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(metadata(name))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(new TreeMap<>(selector()))
                .endSelector()
                .endSpec()
                .build();
    }

    /**
     * The realm's JVM options beside the memory ones. {@code -XX:MetaspaceSize=64m}: a redis
     * realm's classes take metaspace from 21 to 35 MB, past the JVM's first threshold of 21 MB, and
     * each crossing collects the whole heap; with SerialGC, which the JVM picks in a pod of one CPU
     * or under 2 GB, that was a 100–305 ms pause about 40 s after the start (docs/decisions.md,
     * "Realm: no full collection for metaspace"). The threshold reserves nothing: metaspace is
     * committed as classes load, as before.
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:MetaspaceSize=64m");

    /** The JVM's memory options, from the container's memory limit. */
    public JvmMemory jvmMemory() {
        return JvmMemory.of(resources());
    }

    /**
     * Retention, message size, channels and queues: the spec's as written, the rest sized for the
     * realm's heap ({@link RealmRetention}). Without a memory limit the heap may grow to {@link
     * JvmMemory#HEAP_PERCENT}% of the node's memory, which the operator does not know; retention is
     * then sized as if the limit were the memory request, or {@link #DEFAULT_MEMORY_LIMIT} without
     * one either, so what the realm keeps stays bounded.
     */
    public RealmRetention retention() {
        return RealmRetention.forHeap(JvmMemory.heapFor(sizingMemoryBytes()), realm.getSpec());
    }

    /**
     * The memory retention and the connection cap are sized for: the container's memory limit, else
     * its request, else {@link #DEFAULT_MEMORY_LIMIT}.
     */
    long sizingMemoryBytes() {
        return jvmMemory()
                .limitBytes()
                .orElseGet(
                        () ->
                                JvmMemory.requestBytes(resources())
                                        .orElse(
                                                Quantity.getAmountInBytes(DEFAULT_MEMORY_LIMIT)
                                                        .longValue()));
    }

    /**
     * {@code limits.maxConnections}: the spec's as written, else what the memory carries beside the
     * retention ({@link RealmCapacity}), sized for the same memory.
     */
    public RealmCapacity capacity() {
        RealmSpec spec = realm.getSpec();
        return new RealmCapacity(
                sizingMemoryBytes(),
                retention(),
                sharedEngine(),
                spec == null || spec.limits == null ? null : spec.limits.maxConnections);
    }

    /**
     * The Deployment. Its pod template holds only what the realm reads at start (the args, the
     * mounted Secret's name, the image, the JVM options), so pods roll for those and nothing else:
     * a renewed certificate reaches the running realm through the Secret volume ({@code
     * --cert-poll}), without dropping its WebSockets and retained events (docs/decisions.md).
     */
    public Deployment deployment() {
        return PodTemplates.apply(
                operatorsDeployment(), realm.getSpec() == null ? null : realm.getSpec().template);
    }

    /** The Deployment before the Realm's spec.template (PodTemplates) is applied. */
    private Deployment operatorsDeployment() {
        return new DeploymentBuilder()
                .withMetadata(metadata(name))
                .withNewSpec()
                .withReplicas(replicas())
                .withStrategy(strategy())
                .withNewSelector()
                .withMatchLabels(new TreeMap<>(selector()))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels())
                .withAnnotations(
                        new TreeMap<>(Map.of(Names.RESTART_HASH_ANNOTATION, restartHash())))
                .endMetadata()
                .withNewSpec()
                // The realm talks to no Kubernetes API and needs no Service environment variables.
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withImagePullSecrets(Pods.imagePullSecrets(settings))
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .withSecurityContext(
                        PodSecurity.pod(
                                containerPorts().stream()
                                        .map(ContainerPort::getContainerPort)
                                        .toList()))
                .withTopologySpreadConstraints(spreadOverNodes())
                .withContainers(container())
                .withVolumes(volumes())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private List<Volume> volumes() {
        List<Volume> volumes = new ArrayList<>();
        volumes.add(
                new VolumeBuilder()
                        .withName(CONFIG_VOLUME)
                        .withNewConfigMap()
                        .withName(Names.realmConfig(realm))
                        .endConfigMap()
                        .build());
        volumes.add(
                new VolumeBuilder()
                        .withName(TLS_VOLUME)
                        .withNewSecret()
                        .withSecretName(certificate.secretName())
                        .withDefaultMode(PodSecurity.SECRET_FILE_MODE)
                        .endSecret()
                        .build());
        RealmRedis redis = sharedEngine() ? engine().redis : null;
        if (redis != null && redis.passwordSecretRef != null) {
            // Only the one key, under a fixed name; readable by the realm's group only (the
            // kubelet gives the fsGroup read access to a Secret volume, so 0440 is the tightest
            // mode the non-root realm can read).
            volumes.add(
                    secretKeyVolume(
                            REDIS_PASSWORD_VOLUME,
                            redis.passwordSecretRef.name,
                            redis.passwordSecretRef.key(),
                            RealmConfigFile.REDIS_PASSWORD_FILE_NAME));
        }
        if (redis != null && redis.caSecretRef != null) {
            volumes.add(
                    secretKeyVolume(
                            REDIS_CA_VOLUME,
                            redis.caSecretRef.name,
                            redis.caSecretRef.key(),
                            RealmConfigFile.REDIS_CA_FILE_NAME));
        }
        // The root filesystem is read-only; the JVM and Netty need a writable /tmp.
        volumes.add(
                new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build());
        return volumes;
    }

    private static Volume secretKeyVolume(String volume, String secret, String key, String file) {
        return new VolumeBuilder()
                .withName(volume)
                .withNewSecret()
                .withSecretName(secret)
                .withItems(new KeyToPathBuilder().withKey(key).withPath(file).build())
                .withDefaultMode(PodSecurity.SECRET_FILE_MODE)
                .endSecret()
                .build();
    }

    private List<VolumeMount> volumeMounts() {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(readOnly(CONFIG_VOLUME, RealmConfigFile.CONFIG_DIR));
        mounts.add(readOnly(TLS_VOLUME, TLS_DIR));
        RealmRedis redis = sharedEngine() ? engine().redis : null;
        if (redis != null && redis.passwordSecretRef != null) {
            mounts.add(readOnly(REDIS_PASSWORD_VOLUME, RealmConfigFile.REDIS_PASSWORD_DIR));
        }
        if (redis != null && redis.caSecretRef != null) {
            mounts.add(readOnly(REDIS_CA_VOLUME, RealmConfigFile.REDIS_CA_DIR));
        }
        mounts.add(new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build());
        return mounts;
    }

    private static VolumeMount readOnly(String volume, String path) {
        return new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(path)
                .withReadOnly(true)
                .build();
    }

    /**
     * Realm pods on different nodes where the scheduler can, as proxy pods ({@link NodeSpread}):
     * one node going away takes only part of a redis realm with it.
     */
    private TopologySpreadConstraint spreadOverNodes() {
        return NodeSpread.preferDifferentNodes(new TreeMap<>(selector()));
    }

    /**
     * Recreate for the memory engine: the old pod is gone before the new one starts, so a rollout
     * never runs two hubs that would split publishers from subscribers and number one channel
     * twice. The price is a short gap without a realm pod; clients reconnect and resume
     * (docs/decisions.md).
     */
    private DeploymentStrategy strategy() {
        return switch (engine().type()) {
            case MEMORY -> new DeploymentStrategyBuilder().withType("Recreate").build();
            // Every pod shares the channels in Redis, so old and new pods may serve side by
            // side: a new pod first, an old one stopped only once it is ready. The realm's
            // capacity never drops during a rollout.
            case REDIS ->
                    new DeploymentStrategyBuilder()
                            .withType("RollingUpdate")
                            .withNewRollingUpdate()
                            .withMaxUnavailable(new IntOrString(0))
                            .withMaxSurge(new IntOrString(1))
                            .endRollingUpdate()
                            .build();
        };
    }

    private Container container() {
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.realmImage())
                .withImagePullPolicy(Pods.IMAGE_PULL_POLICY)
                .withArgs(args())
                .withEnv(jvmMemory().env(JVM_OPTIONS))
                .addAllToEnv(Pods.logFormatEnv(settings))
                .withPorts(containerPorts())
                .withStartupProbe(Pods.startupProbe("/healthz", new IntOrString(ADMIN_PORT_NAME)))
                .withLivenessProbe(Pods.livenessProbe("/healthz", new IntOrString(ADMIN_PORT_NAME)))
                .withReadinessProbe(
                        Pods.readinessProbe("/readyz", new IntOrString(ADMIN_PORT_NAME)))
                .withLifecycle(Pods.preStopSleep())
                .withResources(resources())
                .withSecurityContext(PodSecurity.container())
                .withVolumeMounts(volumeMounts())
                .build();
    }

    private List<ContainerPort> containerPorts() {
        List<ContainerPort> ports = new ArrayList<>();
        if (webSocketOn()) {
            ports.add(
                    new ContainerPortBuilder()
                            .withName(WS_PORT_NAME)
                            .withContainerPort(webSocketPort())
                            .withProtocol("TCP")
                            .build());
        }
        if (secureWebSocketOn()) {
            ports.add(
                    new ContainerPortBuilder()
                            .withName(WSS_PORT_NAME)
                            .withContainerPort(secureWebSocketPort())
                            .withProtocol("TCP")
                            .build());
        }
        ports.add(
                new ContainerPortBuilder()
                        .withName(ADMIN_PORT_NAME)
                        .withContainerPort(adminPort())
                        .withProtocol("TCP")
                        .build());
        return ports;
    }

    /** The spec's resources, or modest defaults: a small JVM with room for retained events. */
    ResourceRequirements resources() {
        RealmSpec spec = realm.getSpec();
        if (spec != null && spec.resources != null) {
            return new ResourceRequirementsBuilder(spec.resources).build();
        }
        return new ResourceRequirementsBuilder()
                .withRequests(
                        new TreeMap<>(
                                Map.of(
                                        "cpu",
                                        new Quantity("100m"),
                                        "memory",
                                        new Quantity("256Mi"))))
                .withLimits(new TreeMap<>(Map.of("memory", DEFAULT_MEMORY_LIMIT)))
                .build();
    }

    public Service service() {
        List<ServicePort> ports = new ArrayList<>();
        if (webSocketOn()) {
            ports.add(
                    ServicePorts.tcp(
                            WS_PORT_NAME,
                            webSocketPort(),
                            new IntOrString(WS_PORT_NAME),
                            "kubernetes.io/ws"));
        }
        if (secureWebSocketOn()) {
            ports.add(
                    ServicePorts.tcp(
                            WSS_PORT_NAME,
                            secureWebSocketPort(),
                            new IntOrString(WSS_PORT_NAME),
                            "kubernetes.io/wss"));
        }
        return new ServiceBuilder()
                .withMetadata(metadata(name))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(new TreeMap<>(selector()))
                .withPorts(ports)
                .endSpec()
                .build();
    }

    /** Whether spec.expose asks for a Service of its own (NodePort, LoadBalancer). */
    public boolean hasExternalService() {
        return RealmExposure.hasExternalService(realm);
    }

    /** Service {@code <name>-realm-external}, the wss port outside the cluster: spec.expose. */
    public Service externalService() {
        return RealmExposure.externalService(this, metadata(Names.realmExternalService(realm)));
    }

    /** Whether spec.expose asks for a TLSRoute. */
    public boolean wantsTlsRoute() {
        return RealmExposure.wantsTlsRoute(realm);
    }

    /**
     * TLSRoute {@code <name>-realm} in the served {@code apiVersion}: spec.expose type TLSRoute.
     */
    public GenericKubernetesResource tlsRoute(String apiVersion) {
        return RealmExposure.tlsRoute(this, metadata(name), apiVersion);
    }

    /** The operator's TLS Secret; only when the operator issues the certificate. */
    public Secret tlsSecret() {
        IssuedCertificate issued =
                certificate
                        .issued()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "Realm "
                                                        + realm.getMetadata().getName()
                                                        + " uses its own Secret; the operator writes none"));
        return IssuedTlsSecret.of(metadata(Names.realmTlsSecret(realm)), issued);
    }

    /**
     * Whether there is a CA bundle to publish (always when the operator issues; a user's Secret
     * needs ca.crt).
     */
    public boolean hasCaBundle() {
        return certificate.caBundle().isPresent();
    }

    /** The ConfigMap with the CA bundle clients trust for the realm's wss listener. */
    public ConfigMap caBundle() {
        String pem =
                certificate
                        .caBundle()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "Realm "
                                                        + realm.getMetadata().getName()
                                                        + ": Secret "
                                                        + certificate.secretName()
                                                        + " has no ca.crt"));
        return new ConfigMapBuilder()
                .withMetadata(metadata(Names.realmCaBundle(realm)))
                .withData(new TreeMap<>(Map.of(TlsSecrets.CA_CRT, pem)))
                .build();
    }

    public NetworkPolicy networkPolicy() {
        return RealmNetworkPolicyModel.networkPolicy(this, metadata(name), selector(), proxies);
    }

    /**
     * The realm's WebSocket URLs inside the cluster, for the status (and the printer columns):
     * complete, path included, so a client can connect to exactly what the status says.
     */
    public RealmStatus.Endpoints endpoints() {
        RealmStatus.Endpoints endpoints = new RealmStatus.Endpoints();
        String host = Names.serviceHostShort(name, namespace);
        if (webSocketOn()) {
            endpoints.webSocket = "ws://" + host + ":" + webSocketPort() + WEBSOCKET_PATH;
        }
        if (secureWebSocketOn()) {
            endpoints.secureWebSocket =
                    "wss://" + host + ":" + secureWebSocketPort() + WEBSOCKET_PATH;
        }
        return endpoints;
    }

    Map<String, String> selector() {
        return Names.realmSelector(realm.getMetadata().getName());
    }

    private Map<String, String> labels() {
        return new TreeMap<>(Names.realmLabels(realm.getMetadata().getName()));
    }

    private ObjectMeta metadata(String childName) {
        return ChildMetadata.of(realm, childName, labels());
    }

    private WebSocketListener webSocket() {
        RealmSpec spec = realm.getSpec();
        return spec == null || spec.webSocket == null ? new WebSocketListener() : spec.webSocket;
    }

    private SecureWebSocketListener secureWebSocket() {
        RealmSpec spec = realm.getSpec();
        return spec == null || spec.secureWebSocket == null
                ? new SecureWebSocketListener()
                : spec.secureWebSocket;
    }
}
