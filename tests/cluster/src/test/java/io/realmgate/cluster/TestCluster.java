package io.realmgate.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real single-node cluster of tests/cluster, shared by every test class of this module: started
 * by {@code up.sh} (which provisions what is missing and loads the project's images) when it is not
 * running, and stopped by {@code down.sh} after the last test when this JVM started it. A cluster a
 * developer started by hand is used and left running.
 */
final class TestCluster implements AutoCloseable {
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(40);

    final Path repo;
    final Path kubeconfig;
    final KubernetesClient client;
    final Kubectl kubectl;
    private final boolean startedHere;

    private TestCluster(Path repo, Path kubeconfig, boolean startedHere) {
        this.repo = repo;
        this.kubeconfig = kubeconfig;
        this.startedHere = startedHere;
        Config config = Config.fromKubeconfig(read(kubeconfig));
        config.setRequestTimeout(30_000);
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.kubectl = new Kubectl(kubectlBinary(repo), kubeconfig, repo);
    }

    /**
     * JUnit extension: every test class of the module says
     * {@code @ExtendWith(TestCluster.Extension.class)}.
     */
    static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(TestCluster.class, k -> start(), TestCluster.class);
        }
    }

    private static volatile TestCluster current;

    /** The cluster the extension started (the extension runs before any test of the class). */
    static TestCluster current() {
        if (current == null) {
            throw new IllegalStateException("TestCluster.Extension did not run");
        }
        return current;
    }

    private static TestCluster start() {
        Path repo =
                Path.of(System.getProperty("realmgate.repo.dir", "../.."))
                        .toAbsolutePath()
                        .normalize();
        if (!"root".equals(System.getProperty("user.name"))) {
            // The node's components need root (network namespaces, iptables, mounts, cgroups). CI
            // runs as root.
            throw new IllegalStateException(
                    "the real-cluster suite needs root (tests/cluster/up.sh runs containerd,"
                            + " the kubelet and kube-proxy); run it as root or skip the module with -pl '!tests/cluster'");
        }
        boolean wasUp = isUp();
        Path kubeconfig = runUp(repo);
        TestCluster cluster = new TestCluster(repo, kubeconfig, !wasUp);
        current = cluster;
        return cluster;
    }

    /** Whether a node is up already (then it is someone else's: this JVM leaves it running). */
    private static boolean isUp() {
        Path state =
                Path.of(
                        System.getenv()
                                .getOrDefault(
                                        "REALMGATE_CLUSTER_STATE",
                                        System.getProperty("user.home")
                                                + "/.cache/realmgate/cluster/node"));
        Path pid = state.resolve("pids/kube-apiserver.pid");
        try {
            if (!Files.exists(pid)) {
                return false;
            }
            long p = Long.parseLong(Files.readString(pid).trim());
            return ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static Path runUp(Path repo) {
        try {
            Path out = Files.createTempFile("cluster-up", ".out");
            Process p =
                    new ProcessBuilder("bash", repo.resolve("tests/cluster/up.sh").toString())
                            .directory(repo.toFile())
                            .redirectOutput(out.toFile())
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            if (!p.waitFor(UP_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "tests/cluster/up.sh did not finish within " + UP_TIMEOUT);
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            Files.delete(out);
            if (p.exitValue() != 0 || lines.isEmpty()) {
                throw new IllegalStateException(
                        "tests/cluster/up.sh failed with status "
                                + p.exitValue()
                                + " (its messages are above)");
            }
            return Path.of(lines.get(lines.size() - 1).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path kubectlBinary(Path repo) {
        try {
            Process p =
                    new ProcessBuilder(
                                    repo.resolve("tests/kube/provision.sh").toString(),
                                    "--print-version")
                            .redirectErrorStream(true)
                            .start();
            String version =
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(30, TimeUnit.SECONDS);
            String dir =
                    System.getenv()
                            .getOrDefault(
                                    "REALMGATE_KUBE_DIR",
                                    System.getProperty("user.home")
                                            + "/.cache/realmgate/kube-api-test");
            return Path.of(dir, "k8s", version + "-linux-amd64", "kubectl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        if (startedHere && !"keep".equals(System.getenv("REALMGATE_CLUSTER_AFTER_TESTS"))) {
            Process p =
                    new ProcessBuilder("bash", repo.resolve("tests/cluster/down.sh").toString())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                            .start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
        }
    }
}
