package io.realmgate.cluster;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Client programs run as pods, the way a workload in a namespace reaches the proxy and the realm:
 * the Java client (the realm image, whose classpath holds it), Node's {@code ws} and busybox's
 * {@code nc}. Each pod runs to completion (bounded), its log and exit code are the result, and it
 * is deleted afterwards.
 */
final class ClientPods {
    static final String BUSYBOX = "localhost/busybox:latest";
    static final String NODE = "localhost/node-ws:latest";
    static final String REALM_IMAGE = "localhost/realmgate/realm:0.1.0";

    /** Where a CA bundle ConfigMap is mounted in client pods. */
    static final String CA_DIR = "/etc/realm-ca";

    private final KubernetesClient client;

    ClientPods(KubernetesClient client) {
        this.client = client;
    }

    /** What a finished pod did. */
    record Outcome(String pod, int exit, String log) {}

    /** The Java client as a command ({@code RealmClientMain}), in a pod of {@code namespace}. */
    Outcome javaClient(
            String namespace,
            String name,
            String caConfigMap,
            List<String> args,
            Duration timeout) {
        start(
                namespace,
                name,
                REALM_IMAGE,
                javaCommand(args),
                mounts(caConfigMap),
                Map.of(),
                Map.of(),
                firstHop(args));
        return await(namespace, name, timeout);
    }

    /**
     * The Java client in a pod whose /etc/hosts maps the given addresses to names (hostAliases).
     */
    Outcome javaClientWithHosts(
            String namespace,
            String name,
            String caConfigMap,
            Map<String, String> hosts,
            List<String> args,
            Duration timeout) {
        // The first hop by address: busybox's static nc does not read /etc/hosts.
        String hop = firstHop(args);
        String hopHost = hop.substring(0, hop.lastIndexOf(':'));
        for (Map.Entry<String, String> alias : hosts.entrySet()) {
            if (alias.getValue().equals(hopHost)) {
                hop = alias.getKey() + hop.substring(hop.lastIndexOf(':'));
            }
        }
        start(
                namespace,
                name,
                REALM_IMAGE,
                javaCommand(args),
                mounts(caConfigMap),
                Map.of(),
                hosts,
                hop);
        return await(namespace, name, timeout);
    }

    /** A busybox shell command (nc, nslookup) in a pod of {@code namespace}, started at once. */
    Outcome shell(String namespace, String name, String script, Duration timeout) {
        return run(namespace, name, BUSYBOX, List.of("/bin/sh", "-c", script), Map.of(), timeout);
    }

    /**
     * A busybox shell command in a pod with these labels (who a NetworkPolicy admits can depend on
     * them).
     */
    Outcome shellLabelled(
            Map<String, String> labels,
            String namespace,
            String name,
            String script,
            Duration timeout) {
        start(
                namespace,
                name,
                BUSYBOX,
                List.of("/bin/sh", "-c", script),
                Map.of(),
                labels,
                Map.of(),
                null);
        return await(namespace, name, timeout);
    }

    /** The same, once the pod can reach {@code gate} (HOST:PORT): see {@link #start}. */
    Outcome shellAfter(
            String gate, String namespace, String name, String script, Duration timeout) {
        start(
                namespace,
                name,
                BUSYBOX,
                List.of("/bin/sh", "-c", script),
                Map.of(),
                Map.of(),
                Map.of(),
                gate);
        return await(namespace, name, timeout);
    }

    /**
     * Where a RealmClientMain command line connects first: its proxy, else its URL's host and port.
     */
    static String firstHop(List<String> args) {
        int proxy = args.indexOf("--proxy");
        if (proxy >= 0) {
            return args.get(proxy + 1);
        }
        URI url = URI.create(args.get(args.indexOf("--url") + 1));
        return url.getHost() + ":" + url.getPort();
    }

    /**
     * The command that runs the Java client (RealmClientMain) in the realm image, whose classpath
     * holds it.
     */
    static List<String> javaCommand(List<String> args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "java",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                "@/app/jib-classpath-file",
                                "io.realmgate.realm.client.RealmClientMain"));
        command.addAll(args);
        return command;
    }

    /** The CA bundle ConfigMap at {@link #CA_DIR} (none when null). */
    static Map<String, String> mounts(String caConfigMap) {
        return caConfigMap == null ? Map.of() : Map.of(caConfigMap, CA_DIR);
    }

    /**
     * Runs {@code command} in a new pod with ConfigMaps mounted (name to directory) and waits for
     * it to end.
     */
    Outcome run(
            String namespace,
            String name,
            String image,
            List<String> command,
            Map<String, String> configMaps,
            Duration timeout) {
        start(namespace, name, image, command, configMaps, Map.of());
        return await(namespace, name, timeout);
    }

    /** The same, once the pod can reach {@code gate} (HOST:PORT). */
    Outcome runAfter(
            String gate,
            String namespace,
            String name,
            String image,
            List<String> command,
            Map<String, String> configMaps,
            Duration timeout) {
        start(namespace, name, image, command, configMaps, Map.of(), Map.of(), gate);
        return await(namespace, name, timeout);
    }

    /**
     * Creates the pod and returns at once (a subscriber that runs while the test changes things).
     */
    void start(
            String namespace,
            String name,
            String image,
            List<String> command,
            Map<String, String> configMaps,
            Map<String, String> labels) {
        start(
                namespace,
                name,
                image,
                command,
                configMaps,
                labels,
                Map.of(),
                firstHopOrNull(command));
    }

    private static String firstHopOrNull(List<String> command) {
        return command.contains("--url") ? firstHop(command) : null;
    }

    /**
     * Creates the pod. With a {@code gate} (HOST:PORT) an init container first waits (at most 30 s)
     * until the pod can open a TCP connection there: a NetworkPolicy enforcer admits a new pod's
     * address a moment after the pod starts (kube-router adds it to its sets on the pod's event),
     * and a client that connects in its first milliseconds would be refused. Clients in production
     * retry; these run once.
     */
    private void start(
            String namespace,
            String name,
            String image,
            List<String> command,
            Map<String, String> configMaps,
            Map<String, String> labels,
            Map<String, String> hosts,
            String gate) {
        PodBuilder pod =
                new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .withLabels(labels)
                        .addToLabels("app.kubernetes.io/part-of", "realmgate-cluster-tests")
                        .endMetadata()
                        .withNewSpec()
                        .withRestartPolicy("Never")
                        .withAutomountServiceAccountToken(false)
                        .withEnableServiceLinks(false)
                        .withTerminationGracePeriodSeconds(1L)
                        .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(10001L)
                        .withRunAsGroup(10001L)
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .endSecurityContext()
                        .addNewContainer()
                        .withName("client")
                        .withImage(image)
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand(command)
                        .withNewResources()
                        .addToLimits(
                                "memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
                        .endResources()
                        .withNewSecurityContext()
                        .withAllowPrivilegeEscalation(false)
                        .withReadOnlyRootFilesystem(false)
                        .withNewCapabilities()
                        .withDrop("ALL")
                        .endCapabilities()
                        .endSecurityContext()
                        .endContainer()
                        .endSpec();
        if (gate != null) {
            String host = gate.substring(0, gate.lastIndexOf(':'));
            String port = gate.substring(gate.lastIndexOf(':') + 1);
            pod.editSpec()
                    .addNewInitContainer()
                    .withName("network-ready")
                    .withImage(BUSYBOX)
                    .withImagePullPolicy("IfNotPresent")
                    .withCommand(
                            "/bin/sh",
                            "-c",
                            "i=0; until nc -w 1 "
                                    + host
                                    + " "
                                    + port
                                    + " </dev/null >/dev/null 2>&1; do i=$((i+1)); [ $i -ge 60 ] && exit 1; sleep 0.5; done")
                    .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities()
                    .withDrop("ALL")
                    .endCapabilities()
                    .endSecurityContext()
                    .endInitContainer()
                    .endSpec();
        }
        hosts.forEach(
                (ip, host) ->
                        pod.editSpec()
                                .addNewHostAlias()
                                .withIp(ip)
                                .withHostnames(host)
                                .endHostAlias()
                                .endSpec());
        int i = 0;
        for (Map.Entry<String, String> mount : new TreeMap<>(configMaps).entrySet()) {
            String volume = "config-" + i++;
            pod.editSpec()
                    .editFirstContainer()
                    .addNewVolumeMount()
                    .withName(volume)
                    .withMountPath(mount.getValue())
                    .withReadOnly(true)
                    .endVolumeMount()
                    .endContainer()
                    .addNewVolume()
                    .withName(volume)
                    .withNewConfigMap()
                    .withName(mount.getKey())
                    .endConfigMap()
                    .endVolume()
                    .endSpec();
        }
        // A pod of that name left by an interrupted run goes first.
        client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        client.pods()
                .inNamespace(namespace)
                .withName(name)
                .waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
        client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    /** Waits for the pod to end, returns its log and exit code, deletes it. */
    Outcome await(String namespace, String name, Duration timeout) {
        try {
            Pod done =
                    client.pods()
                            .inNamespace(namespace)
                            .withName(name)
                            .waitUntilCondition(
                                    p ->
                                            p != null
                                                    && p.getStatus() != null
                                                    && ("Succeeded".equals(p.getStatus().getPhase())
                                                            || "Failed"
                                                                    .equals(
                                                                            p.getStatus()
                                                                                    .getPhase())),
                                    timeout.toMillis(),
                                    TimeUnit.MILLISECONDS);
            ContainerStateTerminated terminated =
                    done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
            String log = log(namespace, name);
            return new Outcome(name, terminated == null ? -1 : terminated.getExitCode(), log);
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "pod "
                            + namespace
                            + "/"
                            + name
                            + " did not finish within "
                            + timeout
                            + "; its log:\n"
                            + log(namespace, name)
                            + "\nits status: "
                            + status(namespace, name),
                    e);
        } finally {
            delete(namespace, name);
        }
    }

    String log(String namespace, String name) {
        try {
            return client.pods().inNamespace(namespace).withName(name).getLog();
        } catch (RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private String status(String namespace, String name) {
        Pod p = client.pods().inNamespace(namespace).withName(name).get();
        return p == null ? "(gone)" : String.valueOf(p.getStatus());
    }

    void delete(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
    }

    /**
     * A file as a ConfigMap of {@code namespace} (key: the file's name), to mount into client pods.
     */
    void copyScript(String namespace, String configMap, Path file) {
        try {
            client.configMaps()
                    .inNamespace(namespace)
                    .resource(
                            new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName(configMap)
                                    .withNamespace(namespace)
                                    .endMetadata()
                                    .addToData(
                                            file.getFileName().toString(), Files.readString(file))
                                    .build())
                    .serverSideApply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for the realm's CA bundle ConfigMap that the operator keeps in a client namespace
     * ({@code clientNamespace}): the same name and key as in the realm's own namespace.
     */
    void awaitCaBundle(String clientNamespace, String name) {
        org.awaitility.Awaitility.await("ConfigMap " + name + " in " + clientNamespace)
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> client.configMaps().inNamespace(clientNamespace).withName(name).get(),
                        c -> c != null && c.getData() != null && c.getData().containsKey("ca.crt"));
    }
}
