package io.realmgate.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kube-controller-manager} as a real process beside the API server, running only the garbage
 * collector and the namespace controller: deleting an owner deletes what it owns (ownerReferences),
 * and deleting a namespace completes. No other controller runs, so Deployments still get no
 * ReplicaSets and no pods (the tests report rollouts through the status subresource), and nothing
 * is scheduled.
 *
 * <p>Loopback only; no leader election (one per API server); its output goes to a log file.
 */
final class ControllerManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);

    /**
     * From the process start until the garbage collector has deleted a dependent: a few seconds,
     * unless busy.
     */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    /** Where the start-up check creates its ConfigMaps. */
    static final String CHECK_NAMESPACE = "realmgate-harness";

    private final Process process;
    private final Path logFile;
    private volatile boolean closed;

    private ControllerManager(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts the process; {@link #awaitGarbageCollector} then waits until it works. */
    static ControllerManager launch(Path binary, Path kubeconfig, Path logFile) {
        List<String> command =
                List.of(
                        binary.toString(),
                        "--kubeconfig=" + kubeconfig,
                        // The canonical names (the aliases garbagecollector and namespace are
                        // accepted too).
                        "--controllers=garbage-collector-controller,namespace-controller",
                        "--leader-elect=false",
                        // Every controller uses the kubeconfig's admin identity (no service account
                        // tokens here).
                        "--use-service-account-credentials=false",
                        // No HTTPS endpoint (health, metrics) at all: 0 turns it off, and nothing
                        // here reads it. Should a port
                        // be given one day, it stays on loopback.
                        "--secure-port=0",
                        "--bind-address=127.0.0.1");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        // Only the kubeconfig given: never a developer's cluster.
        builder.environment().remove("KUBECONFIG");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            log.info("Started kube-controller-manager (pid {}), log {}", process.pid(), logFile);
            return new ControllerManager(process, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /**
     * Waits, at most {@link #START_TIMEOUT}, until the garbage collector deletes a ConfigMap whose
     * owner ConfigMap was deleted: then its informers have synced and its workers run.
     *
     * @throws IllegalStateException when the process exits or the time runs out, with the end of
     *     its log
     */
    void awaitGarbageCollector(KubernetesClient client) {
        long started = System.nanoTime();
        OperatorHarness.ensureNamespace(client, CHECK_NAMESPACE);
        var configMaps = client.configMaps().inNamespace(CHECK_NAMESPACE);
        ConfigMap owner =
                configMaps
                        .resource(
                                new ConfigMapBuilder()
                                        .withNewMetadata()
                                        .withGenerateName("gc-owner-")
                                        .endMetadata()
                                        .build())
                        .create();
        ConfigMap dependent =
                configMaps
                        .resource(
                                new ConfigMapBuilder()
                                        .withNewMetadata()
                                        .withGenerateName("gc-dependent-")
                                        .addNewOwnerReference()
                                        .withApiVersion("v1")
                                        .withKind("ConfigMap")
                                        .withName(owner.getMetadata().getName())
                                        .withUid(owner.getMetadata().getUid())
                                        .endOwnerReference()
                                        .endMetadata()
                                        .build())
                        .create();
        configMaps
                .withName(owner.getMetadata().getName())
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete();

        long deadline = started + START_TIMEOUT.toNanos();
        while (configMaps.withName(dependent.getMetadata().getName()).get() != null) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "kube-controller-manager exited with status "
                                + process.exitValue()
                                + "; the end of "
                                + logFile
                                + ":\n"
                                + logTail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "kube-controller-manager's garbage collector did not delete ConfigMap "
                                + CHECK_NAMESPACE
                                + "/"
                                + dependent.getMetadata().getName()
                                + " within "
                                + START_TIMEOUT
                                + " of its owner's deletion; the end of "
                                + logFile
                                + ":\n"
                                + logTail());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while waiting for kube-controller-manager", e);
            }
        }
        log.info(
                "kube-controller-manager's garbage collector works, {} ms after the start",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    /** Fails, with the end of its log, when the process has exited since it started. */
    void assertRunning() {
        if (!process.isAlive()) {
            throw new AssertionError(
                    "kube-controller-manager exited with status "
                            + process.exitValue()
                            + "; the end of "
                            + logFile
                            + ":\n"
                            + logTail());
        }
    }

    /** Stops the process: SIGTERM, then SIGKILL if it has not ended within 15 s. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "kube-controller-manager did not stop within {} of SIGTERM; killing it",
                        STOP_TIMEOUT);
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        log.info("Stopped kube-controller-manager");
    }
}
