package io.realmgate.operator;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.LocalObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.SysctlBuilder;
import io.realmgate.common.LogFormat;
import java.util.Collection;
import java.util.List;

/**
 * What the realm and proxy pods have in common, in one place: how their image is pulled, how they
 * stop, how they are probed. Pure, like the models that call it.
 */
public final class Pods {
    /**
     * The preStop sleep: a terminating pod leaves the Service's endpoints at once, but kube-proxy,
     * ingress controllers and the like learn it a moment later. The program gets SIGTERM (and stops
     * accepting) only after this, so connections that were still sent its way are served.
     * Kubernetes' own sleep action: the images have no shell, so {@code exec: sleep} is not
     * possible.
     */
    public static final long PRE_STOP_SLEEP_SECONDS = 5;

    /** The startup probe: every 2 s, up to 60 s for the JVM to start, before liveness counts. */
    public static final int STARTUP_PERIOD_SECONDS = 2;

    public static final int STARTUP_FAILURE_THRESHOLD = 30;
    public static final int LIVENESS_PERIOD_SECONDS = 10;
    public static final int READINESS_PERIOD_SECONDS = 5;

    /**
     * Three missed probes in a row, not one, before a pod is restarted or taken out of the Service.
     */
    public static final int FAILURE_THRESHOLD = 3;

    /**
     * The namespaced sysctl that lets processes without CAP_NET_BIND_SERVICE bind ports from its
     * value up (1024 by default). One of Kubernetes' safe sysctls: allowed on every pod, also under
     * the restricted Pod Security Standard, and it changes nothing outside the pod's own network
     * namespace.
     */
    public static final String UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start";

    static final int PRIVILEGED_PORTS_END = 1024;

    /**
     * The images are pulled once per node and kept: a tag the project builds and loads itself
     * ({@code localhost/}) may exist on the nodes only, and a pinned tag never changes.
     */
    public static final String IMAGE_PULL_POLICY = "IfNotPresent";

    /**
     * The address the realm's and the proxy's listeners bind: the IPv6 wildcard, which on Linux
     * takes IPv4 connections too, so one rendering serves IPv4, IPv6 and dual-stack pods; the
     * programs fall back to {@code 0.0.0.0} in a pod without IPv6 (docs/decisions.md).
     */
    public static final String ANY_ADDRESS = "::";

    /** {@link #ANY_ADDRESS} and {@code port} as a {@code HOST:PORT} listen address. */
    public static String anyAddress(int port) {
        return "[" + ANY_ADDRESS + "]:" + port;
    }

    private Pods() {}

    /** {@code lifecycle.preStop.sleep} for {@link #PRE_STOP_SLEEP_SECONDS}. */
    public static Lifecycle preStopSleep() {
        return new LifecycleBuilder()
                .withNewPreStop()
                .withNewSleep()
                .withSeconds(PRE_STOP_SLEEP_SECONDS)
                .endSleep()
                .endPreStop()
                .build();
    }

    /** Liveness, readiness and startup probes are plain HTTP GETs on the admin port. */
    public static Probe startupProbe(String path, IntOrString port) {
        return httpProbe(path, port, STARTUP_PERIOD_SECONDS, STARTUP_FAILURE_THRESHOLD);
    }

    public static Probe livenessProbe(String path, IntOrString port) {
        return httpProbe(path, port, LIVENESS_PERIOD_SECONDS, FAILURE_THRESHOLD);
    }

    public static Probe readinessProbe(String path, IntOrString port) {
        return httpProbe(path, port, READINESS_PERIOD_SECONDS, FAILURE_THRESHOLD);
    }

    private static Probe httpProbe(
            String path, IntOrString port, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withPort(port)
                .withScheme("HTTP")
                .endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /**
     * The pod's sysctls: none while every port it listens on is 1024 or above; else {@link
     * #UNPRIVILEGED_PORT_START} set to the lowest listening port, so the non-root program, which
     * has no capabilities, can bind it (and nothing lower needs to be opened).
     */
    public static List<Sysctl> sysctls(Collection<Integer> listeningPorts) {
        return listeningPorts.stream()
                .filter(p -> p < PRIVILEGED_PORTS_END)
                .min(Integer::compare)
                .map(
                        lowest ->
                                List.of(
                                        new SysctlBuilder()
                                                .withName(UNPRIVILEGED_PORT_START)
                                                .withValue(Integer.toString(lowest))
                                                .build()))
                .orElse(List.of());
    }

    /** The operator's {@code --image-pull-secrets}, as the pod spec names them. */
    public static List<LocalObjectReference> imagePullSecrets(OperatorSettings settings) {
        return settings.imagePullSecrets().stream()
                .map(name -> new LocalObjectReferenceBuilder().withName(name).build())
                .toList();
    }

    /**
     * The operator's {@code --log-format} as the container's {@code REALMGATE_LOG_FORMAT}; nothing
     * for text, the programs' default, so the pod templates of an installation that keeps text are
     * the same as before the setting existed and an operator upgrade rolls no pod.
     */
    public static List<EnvVar> logFormatEnv(OperatorSettings settings) {
        if (settings.logFormat() == LogFormat.TEXT) {
            return List.of();
        }
        return List.of(
                new EnvVarBuilder()
                        .withName(LogFormat.ENVIRONMENT)
                        .withValue(settings.logFormat().value())
                        .build());
    }
}
