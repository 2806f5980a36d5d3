package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.realmgate.operator.JvmMemory;
import io.realmgate.operator.Names;
import io.realmgate.operator.Pods;
import io.realmgate.operator.api.ProxyStartup;
import io.realmgate.operator.workload.NodeSpread;
import io.realmgate.operator.workload.PodSecurity;
import io.realmgate.operator.workload.PodTemplates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The proxy's Deployment: the proxy image reading its rendered config, non-root on a read-only root
 * file system with no capabilities, probed on the admin port, with the config, TLS and users files
 * mounted read-only where the config says they are.
 */
final class ProxyDeploymentModel {
    static final String CONTAINER = "proxy";

    /**
     * After the drain: the last connections close (up to 5 s), then the event loops stop (up to 5
     * s).
     */
    static final long CLOSE_SECONDS = 10;

    /**
     * preStop sleep, drain, close, and a margin before SIGKILL. On SIGTERM the proxy stops
     * accepting and lets open tunnels go on for up to timeouts.drain (30 s unless
     * spec.timeouts.drain says otherwise).
     */
    static long terminationGraceSeconds(long drainSeconds) {
        return Pods.PRE_STOP_SLEEP_SECONDS + drainSeconds + CLOSE_SECONDS + 5;
    }

    /** The drain in whole seconds, rounded up: a 500ms drain still gets its second. */
    static long drainSeconds(ProxyModel model) {
        Duration drain = ProxyConfigFile.drain(model.spec());
        long seconds = drain.toSeconds();
        return drain.equals(Duration.ofSeconds(seconds)) ? seconds : seconds + 1;
    }

    /** The node label every node carries; spreading over it spreads over nodes. */
    static final String HOSTNAME_TOPOLOGY_KEY = NodeSpread.HOSTNAME_TOPOLOGY_KEY;

    private ProxyDeploymentModel() {}

    static Deployment deployment(ProxyModel model) {
        return PodTemplates.apply(operatorsDeployment(model), model.spec().template);
    }

    /** The Deployment before the ForwardProxy's spec.template (PodTemplates) is applied. */
    private static Deployment operatorsDeployment(ProxyModel model) {
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(Names.RESTART_HASH_ANNOTATION, model.restartHash());
        return new DeploymentBuilder()
                .withMetadata(model.metadata(Names.proxy(model.proxy())))
                .withNewSpec()
                .withReplicas(model.replicas())
                .withNewSelector()
                .withMatchLabels(model.selector())
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(model.labels())
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                // The proxy never talks to the API server.
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withImagePullSecrets(Pods.imagePullSecrets(model.settings()))
                .withTerminationGracePeriodSeconds(terminationGraceSeconds(drainSeconds(model)))
                .withSecurityContext(securityContext(model))
                .withTopologySpreadConstraints(spreadOverNodes(model))
                .withContainers(container(model))
                .withVolumes(volumes(model))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The shared pod hardening ({@link PodSecurity}, with the low-port sysctl a listener below 1024
     * needs), and the wide ephemeral port range of {@link EphemeralPorts} for the upstream
     * connections.
     */
    private static PodSecurityContext securityContext(ProxyModel model) {
        List<Integer> listening =
                ports(model).stream().map(ContainerPort::getContainerPort).toList();
        return new PodSecurityContextBuilder(PodSecurity.pod(listening))
                .addAllToSysctls(EphemeralPorts.sysctls(listening))
                .build();
    }

    /** Proxy pods on different nodes where the scheduler can ({@link NodeSpread}). */
    private static TopologySpreadConstraint spreadOverNodes(ProxyModel model) {
        return NodeSpread.preferDifferentNodes(model.selector());
    }

    private static Container container(ProxyModel model) {
        ProxyStartup startup = ProxyStartupModel.of(model);
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(model.settings().proxyImage())
                .withImagePullPolicy(Pods.IMAGE_PULL_POLICY)
                .withArgs("--config", ProxyConfigFile.CONFIG_PATH)
                .withEnv(JvmMemory.of(resources(model)).env(ProxyStartupModel.jvmOptions(startup)))
                .addAllToEnv(ProxyStartupModel.env(startup))
                .addAllToEnv(Pods.logFormatEnv(model.settings()))
                .withPorts(ports(model))
                .withStartupProbe(
                        Pods.startupProbe("/healthz", new IntOrString(ProxyConfigFile.ADMIN_PORT)))
                .withLivenessProbe(
                        Pods.livenessProbe("/healthz", new IntOrString(ProxyConfigFile.ADMIN_PORT)))
                .withReadinessProbe(
                        Pods.readinessProbe("/readyz", new IntOrString(ProxyConfigFile.ADMIN_PORT)))
                .withLifecycle(Pods.preStopSleep())
                .withResources(resources(model))
                .withSecurityContext(PodSecurity.container())
                .withVolumeMounts(mounts(model))
                .build();
    }

    private static List<ContainerPort> ports(ProxyModel model) {
        List<ContainerPort> ports = new ArrayList<>();
        ports.add(port("proxy", model.port()));
        model.transparentPort().ifPresent(p -> ports.add(port("transparent", p)));
        ports.add(port("admin", ProxyConfigFile.ADMIN_PORT));
        return ports;
    }

    private static ContainerPort port(String name, int port) {
        return new ContainerPortBuilder()
                .withName(name)
                .withContainerPort(port)
                .withProtocol("TCP")
                .build();
    }

    private static ResourceRequirements resources(ProxyModel model) {
        return model.resources();
    }

    private static List<VolumeMount> mounts(ProxyModel model) {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(mount("config", ProxyConfigFile.CONFIG_DIR));
        if (model.tlsOn()) {
            mounts.add(mount("tls", ProxyConfigFile.TLS_DIR));
        }
        if (model.authOn()) {
            mounts.add(mount("auth", ProxyConfigFile.AUTH_DIR));
        }
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        return mounts;
    }

    private static VolumeMount mount(String name, String path) {
        return new VolumeMountBuilder()
                .withName(name)
                .withMountPath(path)
                .withReadOnly(true)
                .build();
    }

    private static List<Volume> volumes(ProxyModel model) {
        List<Volume> volumes = new ArrayList<>();
        // Mounted as a directory, not a subPath, so the kubelet's updates reach the file the proxy
        // watches.
        volumes.add(
                new VolumeBuilder()
                        .withName("config")
                        .withNewConfigMap()
                        .withName(Names.proxyConfig(model.proxy()))
                        .endConfigMap()
                        .build());
        if (model.tlsOn()) {
            volumes.add(
                    new VolumeBuilder()
                            .withName("tls")
                            .withNewSecret()
                            .withSecretName(model.tlsSecretName())
                            .withDefaultMode(PodSecurity.SECRET_FILE_MODE)
                            .endSecret()
                            .build());
        }
        if (model.authOn()) {
            String key = ProxyConfigFile.usersKey(model.spec());
            volumes.add(
                    new VolumeBuilder()
                            .withName("auth")
                            .withNewSecret()
                            .withSecretName(model.spec().auth.basicSecretRef.name)
                            .withDefaultMode(PodSecurity.SECRET_FILE_MODE)
                            .withItems(new KeyToPathBuilder().withKey(key).withPath(key).build())
                            .endSecret()
                            .build());
        }
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        return volumes;
    }
}
