package io.realmgate.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.realmgate.k3s.client.WssRoundTrip;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Realmgate as users run it, on a real Kubernetes (K3s in Docker, with its network-policy
 * controller): the three images that the Maven build made with Jib (profile "images": each module's
 * target/jib-image.tar) imported into K3s's containerd, the chart installed with Helm with no value
 * overridden (its default repositories are the names those images carry) and waited for,
 * examples/reference-scenario.yaml applied, both resources Ready with real pods, and a wss round
 * trip from a client pod in namespace "trading" through the ForwardProxy to the Realm, trusting
 * only the operator's CA bundle.
 *
 * <p>Run it as {@code ./mvnw -B -Pimages,k3s -pl tests/k3s -am verify} (the images are built on the
 * way). Needs a Docker engine for K3s itself, no docker CLI and no image build in Docker. Without
 * an engine it is skipped and says why. Images already in a registry K3s can pull from can be named
 * with -Drealmgate.k3s.operatorImage=..., realmImage, proxyImage (then that image's tar is neither
 * needed nor imported, and the chart is told the name).
 */
@EnabledIf(
        value = "requestedAndDockerAvailable",
        disabledReason =
                "the K3s suite runs only with -Pk3s and a Docker engine (see the [k3s] line above)")
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class K3sReferenceScenarioTest {
    private static final Path ROOT =
            Path.of(System.getProperty("realmgate.repo.dir", "../..")).toAbsolutePath().normalize();
    private static final ResourceDefinitionContext REALM = context("Realm", "realms");
    private static final ResourceDefinitionContext FORWARD_PROXY =
            context("ForwardProxy", "forwardproxies");

    /**
     * Where the client class is mounted in the client pod, ahead of the realm image's own class
     * path.
     */
    private static final String CLIENT_DIR = "/client";

    static boolean requestedAndDockerAvailable() {
        if (!Boolean.getBoolean("realmgate.k3s.requested")) {
            System.out.println(
                    "[k3s] SKIPPED: not requested; run ./mvnw -B -Pimages,k3s -pl tests/k3s -am verify");
            return false;
        }
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
        }
        if (!available) {
            System.out.println(
                    "[k3s] SKIPPED: no Docker engine reachable (DOCKER_HOST or /var/run/docker.sock). The K3s"
                            + " suite runs K3s in Docker; run it where Docker is.");
        }
        return available;
    }

    /**
     * One of the three images: a name given with -Drealmgate.k3s.NAMEImage, else the Jib tar of its
     * module.
     */
    private record Image(String valuesKey, String given, Path tar) {
        static Image of(String name, String module) {
            return new Image(
                    name,
                    System.getProperty("realmgate.k3s." + name + "Image", "").strip(),
                    ROOT.resolve(module).resolve("target/jib-image.tar"));
        }

        boolean fromTar() {
            return given.isEmpty();
        }
    }

    @Test
    void theReferenceScenarioRunsAndAPodReachesTheRealmThroughTheProxy() throws Exception {
        List<Image> images =
                List.of(
                        Image.of("operator", "operator"),
                        Image.of("realm", "realm-image"),
                        Image.of("proxy", "proxy-image"));
        for (Image image : images) {
            assertThat(!image.fromTar() || Files.isRegularFile(image.tar()))
                    .as(
                            "%s is missing: build the images with the Maven profile images (./mvnw -B -Pimages,k3s -pl tests/k3s"
                                    + " -am verify), or name a pullable image with -Drealmgate.k3s.%sImage=...",
                            image.tar(), image.valuesKey())
                    .isTrue();
        }

        try (K3sContainer k3s =
                new K3sContainer(
                        DockerImageName.parse(
                                        System.getProperty(
                                                "realmgate.k3s.image", "rancher/k3s:v1.34.1-k3s1"))
                                .asCompatibleSubstituteFor("rancher/k3s"))) {
            k3s.start();
            for (Image image : images) {
                if (image.fromTar()) {
                    importImage(k3s, image.tar());
                }
            }
            String kubeconfig = k3s.getKubeConfigYaml();
            InstallCommand install =
                    new Helm(ROOT.resolve("helm/realmgate"))
                            .install()
                            .withName("realmgate")
                            .withNamespace("realmgate-system")
                            .createNamespace()
                            .withKubeConfigContents(kubeconfig);
            for (Image image : images) {
                if (!image.fromTar()) {
                    install =
                            install.set(
                                            "image." + image.valuesKey() + ".repository",
                                            repository(image.given()))
                                    .set("image." + image.valuesKey() + ".tag", tag(image.given()));
                }
            }
            install.waitReady().withTimeout(300).call();

            try (KubernetesClient client =
                    new KubernetesClientBuilder()
                            .withConfig(Config.fromKubeconfig(kubeconfig))
                            .build()) {
                applyReferenceScenario(client);
                await("Realm and ForwardProxy Ready with real pods")
                        .atMost(Duration.ofMinutes(5))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(
                                () ->
                                        ready(
                                                        client.genericKubernetesResources(REALM)
                                                                .inNamespace("apps")
                                                                .withName("prices")
                                                                .get())
                                                && ready(
                                                        client.genericKubernetesResources(
                                                                        FORWARD_PROXY)
                                                                .inNamespace("apps")
                                                                .withName("egress")
                                                                .get()));

                // Clients get the CA bundle from the realm's ConfigMap (here copied to their
                // namespace, as a user would).
                String caBundle =
                        client.configMaps()
                                .inNamespace("apps")
                                .withName("prices-realm-ca")
                                .get()
                                .getData()
                                .get("ca.crt");
                client.resource(
                                new ConfigMapBuilder()
                                        .withNewMetadata()
                                        .withName("realm-ca")
                                        .withNamespace("trading")
                                        .endMetadata()
                                        .addToData("ca.crt", caBundle)
                                        .build())
                        .serverSideApply();
                client.resource(clientClass()).serverSideApply();
                // The realm image the operator runs (as the Realm's Deployment names it) also runs
                // the client.
                String realmImage =
                        client.apps()
                                .deployments()
                                .inNamespace("apps")
                                .withName("prices-realm")
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getImage();
                Pod pod = client.resource(clientPod(realmImage)).create();
                Pod done =
                        client.pods()
                                .resource(pod)
                                .waitUntilCondition(
                                        p ->
                                                p != null
                                                        && p.getStatus() != null
                                                        && List.of("Succeeded", "Failed")
                                                                .contains(p.getStatus().getPhase()),
                                        5,
                                        TimeUnit.MINUTES);
                String log = client.pods().resource(done).getLog();
                assertThat(done.getStatus().getPhase())
                        .as("client pod, log:\n%s", log)
                        .isEqualTo("Succeeded");
                assertThat(log).contains("ROUND TRIP OK channel=k3s");
            }
        }
    }

    /**
     * A Jib tar (a docker-archive) copied into the K3s container and imported into the containerd
     * namespace of the kubelet.
     */
    private static void importImage(K3sContainer k3s, Path tar) throws Exception {
        k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
        Container.ExecResult imported =
                k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
        assertThat(imported.getExitCode())
                .as("ctr images import %s: %s", tar, imported.getStderr())
                .isZero();
    }

    /** WssRoundTrip.class as this build compiled it, in a ConfigMap for the client pod. */
    private static ConfigMap clientClass() throws IOException {
        byte[] bytes;
        try (InputStream in =
                WssRoundTrip.class.getResourceAsStream(
                        WssRoundTrip.class.getSimpleName() + ".class")) {
            bytes = Objects.requireNonNull(in, "WssRoundTrip.class").readAllBytes();
        }
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("wss-round-trip")
                .withNamespace("trading")
                .endMetadata()
                .addToBinaryData("WssRoundTrip.class", Base64.getEncoder().encodeToString(bytes))
                .build();
    }

    private static void applyReferenceScenario(KubernetesClient client) throws IOException {
        List<HasMetadata> objects;
        try (InputStream in =
                Files.newInputStream(ROOT.resolve("examples/reference-scenario.yaml"))) {
            objects = client.load(in).items();
        }
        for (HasMetadata o : objects) {
            client.resource(o).fieldManager("k3s-test").forceConflicts().serverSideApply();
        }
    }

    /**
     * A pod in "trading" (the namespace the ForwardProxy admits) that runs WssRoundTrip once in the
     * realm image: the class from its ConfigMap first, then the image's own class path (Jib's
     * layout: resources, classes, libs).
     */
    private static Pod clientPod(String realmImage) {
        String classFile = WssRoundTrip.class.getName().replace('.', '/') + ".class";
        return new PodBuilder()
                .withNewMetadata()
                .withName("wss-round-trip")
                .withNamespace("trading")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(10001L)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("client")
                .withImage(realmImage)
                .withCommand(
                        "java",
                        "-cp",
                        CLIENT_DIR + ":/app/resources:/app/classes:/app/libs/*",
                        WssRoundTrip.class.getName())
                .withArgs(
                        "wss://prices-realm.apps.svc.cluster.local:9443/realm",
                        "egress-proxy.apps.svc.cluster.local",
                        "3128",
                        "/etc/realm-ca/ca.crt")
                .addNewVolumeMount()
                .withName("realm-ca")
                .withMountPath("/etc/realm-ca")
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("client")
                .withMountPath(CLIENT_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .endContainer()
                .addNewVolume()
                .withName("realm-ca")
                .withNewConfigMap()
                .withName("realm-ca")
                .endConfigMap()
                .endVolume()
                .addNewVolume()
                .withName("client")
                .withNewConfigMap()
                .withName("wss-round-trip")
                .addNewItem()
                .withKey("WssRoundTrip.class")
                .withPath(classFile)
                .endItem()
                .endConfigMap()
                .endVolume()
                .endSpec()
                .build();
    }

    @SuppressWarnings("unchecked")
    private static boolean ready(GenericKubernetesResource resource) {
        if (resource == null
                || !(resource.getAdditionalProperties().get("status")
                        instanceof Map<?, ?> status)) {
            return false;
        }
        Object conditions = status.get("conditions");
        return conditions instanceof List<?> list
                && list.stream()
                        .map(c -> (Map<String, Object>) c)
                        .anyMatch(
                                c ->
                                        "Ready".equals(c.get("type"))
                                                && "True".equals(c.get("status")));
    }

    private static String repository(String image) {
        return image.substring(0, image.lastIndexOf(':'));
    }

    private static String tag(String image) {
        return image.substring(image.lastIndexOf(':') + 1);
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup("realmgate.io")
                .withVersion("v1alpha1")
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }
}
