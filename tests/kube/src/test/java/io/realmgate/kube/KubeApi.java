package io.realmgate.kube;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.Utils;
import io.fabric8.kubeapitest.binary.OSInfo;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running kube-apiserver with etcd (Fabric8 kube-api-test), the admin client for it, its
 * kubeconfig on disk and the kubectl of the same version. Obtain it through {@link
 * KubeApiExtension}; one per test JVM.
 *
 * <p>When the provisioned binaries include {@code kube-controller-manager}, it runs too, with only
 * its garbage collector and namespace controller ({@link ControllerManager}); tests that need them
 * call {@link #requireControllerManager()}.
 */
public final class KubeApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeApi.class);

    /**
     * Generous: the first start on a busy 2-core machine is slower than the library's 60 s default
     * allows.
     */
    private static final int STARTUP_TIMEOUT_MILLIS = 180_000;

    private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(90);

    private final KubeBinaries binaries;
    private final KubeAPIServer server;
    private final Path workDir;
    private final Path kubeconfig;
    private final Path kubectl;
    private final Config adminConfig;
    private final KubernetesClient client;
    private volatile ControllerManager controllerManager;
    private volatile boolean closed;

    private KubeApi(KubeBinaries binaries, KubeAPIServer server, Path workDir, Path kubectl) {
        this.binaries = binaries;
        this.server = server;
        this.workDir = workDir;
        this.kubectl = kubectl;
        String yaml = server.getKubeConfigYaml();
        try {
            this.kubeconfig = Files.writeString(workDir.resolve("kubeconfig.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.adminConfig = Config.fromKubeconfig(yaml);
        this.client = new KubernetesClientBuilder().withConfig(adminConfig).build();
    }

    /** Starts an API server from the binaries {@link KubeBinaries#resolve()} chooses. */
    public static KubeApi start() {
        KubeBinaries binaries = KubeBinaries.resolve();
        Path workDir =
                Path.of(System.getProperty("realmgate.kube.workDir", "target/kube-api-test"))
                        .toAbsolutePath();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Every setting goes through the builder: kube-api-test 7.5.2 reads unset boolean and
        // integer settings from
        // KUBE_API_TEST_* environment variables and fails on them (it casts the String), offline
        // mode included.
        KubeAPIServerConfigBuilder config =
                KubeAPIServerConfigBuilder.anAPIServerConfig()
                        .withApiServerVersion(binaries.apiServerVersion())
                        .withStartupTimeout(STARTUP_TIMEOUT_MILLIS)
                        .withUpdateKubeConfig(false)
                        .withWaitForEtcdHealthCheckOnStartup(true)
                        // Serve on loopback only (the provisioned etcd wrapper does the same for
                        // etcd).
                        .withApiServerFlag("--bind-address", "127.0.0.1")
                        .withApiServerFlag("--advertise-address", "127.0.0.1")
                        // Besides the default admission plugins, the one OpenShift and hardened
                        // clusters turn on: setting
                        // blockOwnerDeletion on a child needs "update" on the owner's finalizers.
                        // Identities with restricted
                        // rights (the chart's ServiceAccount, impersonated) then meet what such
                        // clusters enforce.
                        .withApiServerFlag(
                                "--enable-admission-plugins",
                                "OwnerReferencesPermissionEnforcement");
        Path testDir;
        if (binaries.mode() == KubeBinaries.Mode.PROVISIONED) {
            // kube-api-test keeps its generated certificates in its test directory; a directory per
            // build keeps
            // concurrent runs from overwriting each other's CA. The binaries are linked in, not
            // copied.
            testDir = workDir;
            linkBinaries(binaries, workDir);
            config.withOfflineMode(true).withTestDir(testDir.toString());
        } else {
            testDir = Path.of(System.getProperty("user.home"), ".kubeapitest");
            config.withOfflineMode(false).withTestDir(testDir.toString());
            log.warn(
                    "No provisioned binaries in {}; kube-api-test downloads Kubernetes {} (run {} to work offline)",
                    binaries.binDir(),
                    binaries.apiServerVersion(),
                    KubeBinaries.SCRIPT);
        }
        log.info("Starting kube-apiserver + etcd: {}", binaries);
        KubeAPIServer server = new KubeAPIServer(config.build());
        waitOutMidnight();
        long started = System.nanoTime();
        server.start();
        log.info(
                "API server ready in {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        Path kubectl =
                binaries.mode() == KubeBinaries.Mode.PROVISIONED
                        ? binaries.binDir().resolve("kubectl")
                        : downloadedKubectl(testDir, binaries.pinnedVersion());
        KubeApi api = new KubeApi(binaries, server, workDir, kubectl);
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "kube-api-test-stop"));
        try {
            api.startControllerManager();
        } catch (RuntimeException | Error e) {
            api.close();
            throw e;
        }
        return api;
    }

    private void startControllerManager() {
        KubeBinaries.ControllerManagerBinary binary = binaries.controllerManager();
        if (!binary.present()) {
            log.warn(
                    "No garbage collector and no namespace controller: {}. Deleting an owner leaves what it owns, a "
                            + "deleted namespace stays Terminating, and tests that need either are {}.",
                    binary.absentBecause(),
                    binaries.ci() ? "failed (CI=true)" : "skipped");
            return;
        }
        // Known before waiting, so that close() (the shutdown hook included) stops it while it
        // starts.
        ControllerManager started;
        synchronized (this) {
            if (closed) {
                return;
            }
            started =
                    ControllerManager.launch(
                            binary.path(),
                            kubeconfig,
                            workDir.resolve("kube-controller-manager.log"));
            controllerManager = started;
        }
        started.awaitGarbageCollector(client);
    }

    private static void linkBinaries(KubeBinaries binaries, Path testDir) {
        Path link = testDir.resolve("k8s").resolve(binaries.binDir().getFileName());
        try {
            Files.createDirectories(link.getParent());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, binaries.binDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link " + link + " to " + binaries.binDir(), e);
        }
    }

    /**
     * The newest downloaded binaries directory of the pinned minor version, as kube-api-test picks
     * it.
     */
    private static Path downloadedKubectl(Path testDir, String pinned) {
        String prefix = Utils.wildcardToPrefix(KubeBinaries.minorWildcard(pinned));
        String suffix = Utils.platformSuffix(new OSInfo());
        try (Stream<Path> dirs = Files.list(testDir.resolve("k8s"))) {
            List<String> versions =
                    dirs.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith(prefix) && n.endsWith(suffix))
                            .map(n -> n.substring(0, n.length() - suffix.length()))
                            .toList();
            return testDir.resolve("k8s")
                    .resolve(Utils.getLatestVersion(new ArrayList<>(versions)) + suffix)
                    .resolve("kubectl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster-admin client (certificate in group system:masters). Shared: do not close it. */
    /**
     * kube-api-test 7.5.2 measures its start-up timeout with {@code LocalTime}, which wraps at
     * midnight: a start in the last timeout's worth of a day fails at once ("did not start
     * properly") and leaves etcd running. A start that close to midnight waits for the new day
     * instead (at most the timeout plus a few seconds).
     */
    private static void waitOutMidnight() {
        long untilMidnight = Duration.between(LocalTime.now(), LocalTime.MAX).toMillis() + 1;
        if (untilMidnight > STARTUP_TIMEOUT_MILLIS + 5_000) {
            return;
        }
        log.info(
                "Waiting {} s for midnight to pass before starting the API server (kube-api-test's start-up clock"
                        + " wraps at midnight)",
                (untilMidnight + 2_000) / 1000);
        try {
            Thread.sleep(untilMidnight + 2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for midnight to pass", e);
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * A new client on the admin configuration, changed by {@code customizer}; the caller closes it.
     */
    public KubernetesClient newClient(UnaryOperator<ConfigBuilder> customizer) {
        Config config = customizer.apply(new ConfigBuilder(adminConfig)).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * A new client on the admin configuration, from {@code builder} (the operator's own, or one
     * with an interceptor that sees every request); the caller closes it.
     */
    public KubernetesClient newClient(KubernetesClientBuilder builder) {
        return builder.withConfig(new ConfigBuilder(adminConfig).build()).build();
    }

    public KubeBinaries binaries() {
        return binaries;
    }

    /**
     * Whether kube-controller-manager runs: owners' deletion reaches what they own, namespaces can
     * be deleted.
     */
    public boolean hasControllerManager() {
        return controllerManager != null;
    }

    /**
     * For tests that need the garbage collector or the namespace controller: returns when
     * kube-controller-manager runs; else skips the calling test (a JUnit assumption) saying why.
     * Call it from the test or {@code @BeforeEach}: Surefire 3.5 reports a class skipped from
     * {@code @BeforeAll} as no tests at all, the reason lost. With {@code CI=true} it fails
     * instead, as missing binaries do there.
     */
    public void requireControllerManager() {
        ControllerManager cm = controllerManager;
        if (cm != null) {
            cm.assertRunning();
            return;
        }
        String why =
                "needs kube-controller-manager (garbage collector, namespace controller): "
                        + binaries.controllerManager().absentBecause();
        if (binaries.ci()) {
            throw new AssertionError(why + "; CI=true does not skip");
        }
        Assumptions.abort(why);
    }

    /** The kubeconfig file kube-api-test's server answers to (admin credentials). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * Runs kubectl as a real process against this server and returns its exit code and combined
     * output.
     */
    public Kubectl kubectl(String... args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                kubectl.toString(),
                                "--kubeconfig",
                                kubeconfig.toString(),
                                "--cache-dir",
                                workDir.resolve("kubectl-cache").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(p.getInputStream(), out), "kubectl-output");
            reader.start();
            if (!p.waitFor(KUBECTL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                reader.join(TimeUnit.SECONDS.toMillis(5));
                throw new AssertionError(
                        "kubectl "
                                + String.join(" ", args)
                                + " did not finish in "
                                + KUBECTL_TIMEOUT
                                + "; output so far:\n"
                                + out.toString(StandardCharsets.UTF_8));
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            Kubectl result = new Kubectl(args, p.exitValue(), out.toString(StandardCharsets.UTF_8));
            log.debug("{}", result);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + kubectl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running kubectl", e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process went away; what was read is kept
        }
    }

    /** The outcome of one kubectl run. */
    public record Kubectl(String[] args, int exitCode, String output) {
        @Override
        public String toString() {
            return "kubectl "
                    + String.join(" ", args)
                    + " -> exit "
                    + exitCode
                    + "\n"
                    + output.strip();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ControllerManager cm = controllerManager;
        if (cm != null) {
            cm.close();
        }
        client.close();
        server.stop();
        log.info("Stopped kube-apiserver and etcd");
    }
}
