package io.realmgate.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Realmgate as users run it, on a real Kubernetes (K3s in Docker, with its network-policy controller): the three
 * images built from their Dockerfiles and imported into K3s's containerd, the chart installed with Helm (and
 * waited for), examples/reference-scenario.yaml applied, both resources Ready with real pods, and a wss round
 * trip from a client pod in namespace "trading" through the ForwardProxy to the Realm, trusting only the
 * operator's CA bundle.
 *
 * <p>Needs a Docker engine and the docker CLI (image builds honour the repository's .dockerignore). Without an
 * engine it is skipped and says why. Images already built elsewhere can be named with
 * -Drealmgate.k3s.operatorImage=..., realmImage, proxyImage (then nothing is built but the client image).
 */
@EnabledIf(value = "requestedAndDockerAvailable",
    disabledReason = "the K3s suite runs only with -Pk3s and a Docker engine (see the [k3s] line above)")
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class K3sReferenceScenarioTest {
  private static final Path ROOT = Path.of(System.getProperty("realmgate.repo.dir", "../..")).toAbsolutePath()
      .normalize();
  private static final Path WORK = Path.of("target", "k3s").toAbsolutePath();
  private static final String TAG = "k3s-test";
  private static final ResourceDefinitionContext REALM = context("Realm", "realms");
  private static final ResourceDefinitionContext FORWARD_PROXY = context("ForwardProxy", "forwardproxies");

  static boolean requestedAndDockerAvailable() {
    if (!Boolean.getBoolean("realmgate.k3s.requested")) {
      System.out.println("[k3s] SKIPPED: not requested; run ./mvnw -Pk3s -pl tests/k3s verify");
      return false;
    }
    boolean available;
    try {
      available = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      available = false;
    }
    if (!available) {
      System.out.println("[k3s] SKIPPED: no Docker engine reachable (DOCKER_HOST or /var/run/docker.sock). The K3s"
          + " suite runs K3s in Docker and builds the operator, realm and proxy images; run it where Docker is.");
    }
    return available;
  }

  @Test
  void theReferenceScenarioRunsAndAPodReachesTheRealmThroughTheProxy() throws Exception {
    Files.createDirectories(WORK);
    String operatorImage = image("operator", "operator/Dockerfile");
    String realmImage = image("realm", "realm-image/Dockerfile");
    String proxyImage = image("proxy", "proxy-image/Dockerfile");
    String clientImage = "realmgate/k3s-client:" + TAG;
    docker("build", "--build-arg", "REALM_IMAGE=" + realmImage, "-t", clientImage,
        ROOT.resolve("tests/k3s/src/test/resources/client").toString());

    try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(System.getProperty("realmgate.k3s.image",
        "rancher/k3s:v1.34.1-k3s1")).asCompatibleSubstituteFor("rancher/k3s"))) {
      k3s.start();
      for (String image : List.of(operatorImage, realmImage, proxyImage, clientImage)) {
        importImage(k3s, image);
      }
      String kubeconfig = k3s.getKubeConfigYaml();
      new Helm(ROOT.resolve("helm/realmgate")).install().withName("realmgate").withNamespace("realmgate-system")
          .createNamespace().withKubeConfigContents(kubeconfig)
          .set("image.operator.repository", repository(operatorImage)).set("image.operator.tag", tag(operatorImage))
          .set("image.realm.repository", repository(realmImage)).set("image.realm.tag", tag(realmImage))
          .set("image.proxy.repository", repository(proxyImage)).set("image.proxy.tag", tag(proxyImage))
          .waitReady().withTimeout(300).call();

      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig))
          .build()) {
        applyReferenceScenario(client);
        await("Realm and ForwardProxy Ready with real pods").atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofSeconds(2)).until(() ->
                ready(client.genericKubernetesResources(REALM).inNamespace("apps").withName("prices").get())
                    && ready(client.genericKubernetesResources(FORWARD_PROXY).inNamespace("apps").withName("egress")
                    .get()));

        // Clients get the CA bundle from the realm's ConfigMap (here copied to their namespace, as a user would).
        String caBundle = client.configMaps().inNamespace("apps").withName("prices-realm-ca").get()
            .getData().get("ca.crt");
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("realm-ca").withNamespace("trading")
            .endMetadata().addToData("ca.crt", caBundle).build()).serverSideApply();
        Pod pod = client.resource(clientPod(clientImage)).create();
        Pod done = client.pods().resource(pod).waitUntilCondition(p -> p != null && p.getStatus() != null
            && List.of("Succeeded", "Failed").contains(p.getStatus().getPhase()), 5, TimeUnit.MINUTES);
        String log = client.pods().resource(done).getLog();
        assertThat(done.getStatus().getPhase()).as("client pod, log:\n%s", log).isEqualTo("Succeeded");
        assertThat(log).contains("ROUND TRIP OK channel=k3s");
      }
    }
  }

  /** The image named by -Drealmgate.k3s.NAMEImage, or one built from the repository with DOCKERFILE. */
  private static String image(String name, String dockerfile) throws Exception {
    String given = System.getProperty("realmgate.k3s." + name + "Image", "");
    if (!given.isBlank()) {
      return given;
    }
    String image = "realmgate/" + name + ":" + TAG;
    docker("build", "-f", ROOT.resolve(dockerfile).toString(), "-t", image, ROOT.toString());
    return image;
  }

  /** docker save, copied into the K3s container and imported into the containerd namespace kubelet uses. */
  private static void importImage(K3sContainer k3s, String image) throws Exception {
    Path tar = WORK.resolve(image.replaceAll("[^A-Za-z0-9.-]", "_") + ".tar");
    docker("save", "-o", tar.toString(), image);
    k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
    Container.ExecResult imported = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
    assertThat(imported.getExitCode()).as("ctr images import %s: %s", image, imported.getStderr()).isZero();
  }

  private static void applyReferenceScenario(KubernetesClient client) throws IOException {
    List<HasMetadata> objects;
    try (InputStream in = Files.newInputStream(ROOT.resolve("examples/reference-scenario.yaml"))) {
      objects = client.load(in).items();
    }
    for (HasMetadata o : objects) {
      client.resource(o).fieldManager("k3s-test").forceConflicts().serverSideApply();
    }
  }

  /** A pod in "trading" (the namespace the ForwardProxy admits) that runs WssRoundTrip once. */
  private static Pod clientPod(String image) {
    return new PodBuilder().withNewMetadata().withName("wss-round-trip").withNamespace("trading").endMetadata()
        .withNewSpec().withRestartPolicy("Never")
        .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(10001L).withNewSeccompProfile()
        .withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
        .addNewContainer().withName("client").withImage(image).withImagePullPolicy("Never")
        .withArgs("wss://prices-realm.apps.svc.cluster.local:9443/realm", "egress-proxy.apps.svc.cluster.local",
            "3128", "/etc/realm-ca/ca.crt")
        .addNewVolumeMount().withName("realm-ca").withMountPath("/etc/realm-ca").withReadOnly(true).endVolumeMount()
        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL")
        .endCapabilities().endSecurityContext()
        .endContainer()
        .addNewVolume().withName("realm-ca").withNewConfigMap().withName("realm-ca").endConfigMap().endVolume()
        .endSpec().build();
  }

  @SuppressWarnings("unchecked")
  private static boolean ready(GenericKubernetesResource resource) {
    if (resource == null || !(resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return false;
    }
    Object conditions = status.get("conditions");
    return conditions instanceof List<?> list && list.stream().map(c -> (Map<String, Object>) c)
        .anyMatch(c -> "Ready".equals(c.get("type")) && "True".equals(c.get("status")));
  }

  private static String repository(String image) {
    return image.substring(0, image.lastIndexOf(':'));
  }

  private static String tag(String image) {
    return image.substring(image.lastIndexOf(':') + 1);
  }

  /** Runs the docker CLI, bounded in time; fails with its output. */
  private static void docker(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(WORK, "docker-", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", command) + " did not finish in 20 min; see " + log);
    }
    assertThat(p.exitValue()).as("%s:\n%s", String.join(" ", command), Files.readString(log)).isZero();
  }

  private static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder().withGroup("realmgate.io").withVersion("v1alpha1")
        .withKind(kind).withPlural(plural).withNamespaced(true).build();
  }
}
