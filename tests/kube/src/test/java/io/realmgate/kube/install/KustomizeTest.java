package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * deploy/kustomize is the chart's default install for {@code kubectl apply -k}: kubectl (the
 * server's version) builds it, the API server accepts it in a server-side dry run, and it holds the
 * same objects as {@code helm template realmgate helm/realmgate -n realmgate-system}, field for
 * field, apart from Helm's own labels and keep annotation, plus the Namespace that Helm leaves to
 * --create-namespace and the generated ConfigMap that carries the cluster domain (the Deployment is
 * compared as the kubelet runs it: with the ConfigMap's value in its flags). The overlay of
 * docs/install.md changes the cluster domain.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(180)
class KustomizeTest {
    /**
     * Labels and annotations only Helm puts on: its chart label, managed-by, and the CRDs' keep
     * policy.
     */
    private static final List<String> HELM_ONLY =
            List.of("helm.sh/chart", "app.kubernetes.io/managed-by", "helm.sh/resource-policy");

    /**
     * The generated ConfigMap of the operator's settings (kustomize appends a hash of its content
     * to the name).
     */
    private static final String SETTINGS = "realmgate-operator-settings";

    private static final Pattern YAML_BLOCK = Pattern.compile("(?s)```yaml\\n(.*?)```");
    private static final Pattern ENV_REFERENCE =
            Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private static KubeApi api;

    @BeforeAll
    static void cluster(KubeApi shared) {
        api = shared;
    }

    private static Manifests kustomize(Path kustomization) {
        KubeApi.Kubectl build = api.kubectl("kustomize", kustomization.toString());
        assertThat(build.exitCode()).as(build.toString()).isZero();
        return Manifests.parse(build.output());
    }

    @Test
    void itHoldsTheChartsDefaultInstallAndItsNamespace() {
        Manifests kustomized = kustomize(Repo.kustomizeBase());
        ConfigMap settings = settings(kustomized);
        assertThat(settings.getData())
                .containsExactly(Map.entry("CLUSTER_DOMAIN", "cluster.local"));
        Manifests chart = Chart.renderDefaults();
        List<String> expected = new ArrayList<>(chart.ids());
        expected.add("Namespace " + Chart.DEFAULT_NAMESPACE);
        expected.add(
                "ConfigMap " + Chart.DEFAULT_NAMESPACE + "/" + settings.getMetadata().getName());
        assertThat(kustomized.ids()).containsExactlyInAnyOrderElementsOf(expected);

        for (GenericKubernetesResource fromChart : chart.all()) {
            GenericKubernetesResource fromKustomize =
                    kustomized.all().stream()
                            .filter(o -> Manifests.id(o).equals(Manifests.id(fromChart)))
                            .findFirst()
                            .orElseThrow();
            if ("Deployment".equals(fromKustomize.getKind())) {
                fromKustomize = asRun(fromKustomize, settings);
            }
            assertThat(
                            Manifests.differences(
                                    Manifests.comparable(fromKustomize, HELM_ONLY),
                                    Manifests.comparable(fromChart, HELM_ONLY)))
                    .as("%s: deploy/kustomize | chart", Manifests.id(fromChart))
                    .isEmpty();
        }
    }

    @Test
    void theOverlayOfTheInstallDocSetsTheClusterDomain() throws IOException {
        Path overlay = Repo.scratch("kustomize-overlay");
        Files.writeString(overlay.resolve("kustomization.yaml"), overlayFromDoc(overlay));
        Manifests kustomized = kustomize(overlay);

        // The overlay's literal replaced the base's: one ConfigMap, with a new hash, and the
        // Deployment follows it.
        ConfigMap settings = settings(kustomized);
        assertThat(settings.getData()).containsExactly(Map.entry("CLUSTER_DOMAIN", "corp.example"));
        assertThat(settings.getMetadata().getName())
                .isNotEqualTo(settings(kustomize(Repo.kustomizeBase())).getMetadata().getName());
        Deployment deployment =
                Manifests.JSON.convertValue(
                        asRun(kustomized.ofKind("Deployment").get(0), settings), Deployment.class);
        Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(operator.getArgs()).contains("--cluster-domain=corp.example");
        assertThat(
                        HelmChartTest.parseFlags(operator, Chart.DEFAULT_NAMESPACE)
                                .settings()
                                .clusterDomain())
                .isEqualTo("corp.example");
        // Nothing else changed: the base's other objects are there as they were.
        assertThat(kustomized.ids()).hasSameSizeAs(kustomize(Repo.kustomizeBase()).ids());
    }

    @Test
    void theApiServerAcceptsItInAServerSideDryRun() {
        // A dry run stores nothing, so the namespaced objects need their namespace to exist
        // already.
        OperatorHarness.ensureNamespace(api.client(), Chart.DEFAULT_NAMESPACE);
        KubeApi.Kubectl dryRun =
                api.kubectl(
                        "apply",
                        "-k",
                        Repo.kustomizeBase().toString(),
                        "--server-side",
                        "--dry-run=server",
                        "--force-conflicts",
                        "--field-manager=kustomize-test");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        for (String id : kustomize(Repo.kustomizeBase()).ids()) {
            String[] kindName = id.split(" ");
            String name = kindName[1].substring(kindName[1].indexOf('/') + 1);
            assertThat(dryRun.output())
                    .as(dryRun.toString())
                    .containsPattern(
                            "(?m)^[a-z.0-9]*/"
                                    + Pattern.quote(name)
                                    + " serverside-applied \\(server dry run\\)$");
        }
        // Nothing was stored.
        assertThat(
                        api.client()
                                .serviceAccounts()
                                .inNamespace(Chart.DEFAULT_NAMESPACE)
                                .withName("realmgate-operator")
                                .get())
                .isNull();
    }

    private static ConfigMap settings(Manifests kustomized) {
        List<GenericKubernetesResource> configMaps = kustomized.ofKind("ConfigMap");
        assertThat(configMaps)
                .as("ConfigMaps")
                .singleElement()
                .satisfies(c -> assertThat(c.getMetadata().getName()).startsWith(SETTINGS + "-"));
        return Manifests.JSON.convertValue(configMaps.get(0), ConfigMap.class);
    }

    /**
     * The Deployment as the kubelet runs it: each environment variable taken from the settings
     * ConfigMap (by its generated name) is put into the arguments that name it as $(VAR), and
     * dropped from the environment.
     */
    @SuppressWarnings("unchecked")
    private static GenericKubernetesResource asRun(
            GenericKubernetesResource deployment, ConfigMap settings) {
        Map<String, Object> tree = Manifests.JSON.convertValue(deployment, Map.class);
        Map<String, Object> podSpec =
                (Map<String, Object>)
                        ((Map<String, Object>)
                                        ((Map<String, Object>) tree.get("spec")).get("template"))
                                .get("spec");
        for (Map<String, Object> container :
                (List<Map<String, Object>>) podSpec.get("containers")) {
            Map<String, String> fromSettings = new HashMap<>();
            List<Map<String, Object>> env =
                    new ArrayList<>((List<Map<String, Object>>) container.get("env"));
            env.removeIf(
                    e -> {
                        Map<String, Object> from = (Map<String, Object>) e.get("valueFrom");
                        Map<String, Object> ref =
                                from == null
                                        ? null
                                        : (Map<String, Object>) from.get("configMapKeyRef");
                        if (ref == null) {
                            return false;
                        }
                        assertThat(ref.get("name"))
                                .as("the ConfigMap %s refers to", e.get("name"))
                                .isEqualTo(settings.getMetadata().getName());
                        assertThat(settings.getData()).containsKey((String) ref.get("key"));
                        fromSettings.put(
                                (String) e.get("name"),
                                settings.getData().get((String) ref.get("key")));
                        return true;
                    });
            container.put("env", env);
            List<String> args =
                    ((List<String>) container.get("args"))
                            .stream()
                                    .map(
                                            a ->
                                                    ENV_REFERENCE
                                                            .matcher(a)
                                                            .replaceAll(
                                                                    r ->
                                                                            Matcher
                                                                                    .quoteReplacement(
                                                                                            fromSettings
                                                                                                    .getOrDefault(
                                                                                                            r
                                                                                                                    .group(
                                                                                                                            1),
                                                                                                            r
                                                                                                                    .group()))))
                                    .toList();
            container.put("args", args);
        }
        return Manifests.JSON.convertValue(tree, GenericKubernetesResource.class);
    }

    /**
     * The overlay's kustomization.yaml from docs/install.md, its base pointed at this checkout's
     * deploy/kustomize.
     */
    private static String overlayFromDoc(Path overlayDir) throws IOException {
        Matcher block = YAML_BLOCK.matcher(Files.readString(Repo.installDoc()));
        while (block.find()) {
            String yaml = block.group(1);
            if (yaml.contains("kind: Kustomization") && yaml.contains("behavior: merge")) {
                String base = overlayDir.relativize(Repo.kustomizeBase()).toString();
                String pointed =
                        yaml.replaceAll(
                                "(?m)^(\\s*- ).*deploy/kustomize\\s*$",
                                "$1" + Matcher.quoteReplacement(base));
                assertThat(pointed).as("the overlay's base").isNotEqualTo(yaml);
                return pointed;
            }
        }
        throw new AssertionError(
                "no Kustomization with `behavior: merge` in a yaml block of " + Repo.installDoc());
    }
}
