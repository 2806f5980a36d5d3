package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * crds/ is the one source of the CRDs: the chart's files/crds/ and the Kustomize base's crds/ are
 * byte copies (the build refreshes them), and what the chart renders is exactly crds/, plus Helm's
 * keep policy.
 */
@Timeout(60)
class ChartCrdsTest {
    private static final String KEEP = "helm.sh/resource-policy";

    @Test
    void theChartAndTheKustomizeBaseCarryByteCopiesOfCrds() throws IOException {
        List<Path> sources = yamls(Repo.crds());
        assertThat(sources).hasSize(2);
        for (Path copies :
                List.of(Repo.chart().resolve("files/crds"), Repo.kustomizeBase().resolve("crds"))) {
            assertThat(yamls(copies))
                    .extracting(p -> p.getFileName().toString())
                    .as("files in %s", copies)
                    .containsExactlyElementsOf(
                            sources.stream().map(p -> p.getFileName().toString()).toList());
            for (Path source : sources) {
                Path copy = copies.resolve(source.getFileName());
                assertThat(Files.mismatch(source, copy))
                        .as(
                                "%s differs from %s; a build (./mvnw -pl tests/kube generate-test-resources) copies it",
                                copy, source)
                        .isEqualTo(-1L);
            }
        }
    }

    @Test
    void theRenderedCrdsAreCrdsWithHelmsKeepPolicy() throws IOException {
        List<GenericKubernetesResource> rendered =
                Chart.renderDefaults().ofKind("CustomResourceDefinition");
        List<GenericKubernetesResource> sources = sourceCrds();
        assertThat(rendered).hasSameSizeAs(sources);
        for (int i = 0; i < sources.size(); i++) {
            GenericKubernetesResource crd = rendered.get(i);
            assertThat(crd.getMetadata().getAnnotations()).containsExactly(Map.entry(KEEP, "keep"));
            assertThat(
                            Manifests.differences(
                                    Manifests.comparable(crd, List.of(KEEP)),
                                    Manifests.comparable(sources.get(i), List.of())))
                    .as("%s: chart | crds/", Manifests.id(crd))
                    .isEmpty();
        }
    }

    @Test
    void keepCanBeTurnedOffAndTheCrdsLeftOut() throws IOException {
        List<GenericKubernetesResource> unkept =
                Chart.render("rg", "ops", "crds: {keep: false}\n")
                        .ofKind("CustomResourceDefinition");
        List<GenericKubernetesResource> sources = sourceCrds();
        for (int i = 0; i < sources.size(); i++) {
            assertThat(
                            Manifests.differences(
                                    Manifests.comparable(unkept.get(i), List.of()),
                                    Manifests.comparable(sources.get(i), List.of())))
                    .as("%s: chart | crds/", Manifests.id(unkept.get(i)))
                    .isEmpty();
        }
        assertThat(
                        Chart.render("rg", "ops", "crds: {install: false}\n")
                                .ofKind("CustomResourceDefinition"))
                .isEmpty();
    }

    private static List<GenericKubernetesResource> sourceCrds() throws IOException {
        return yamls(Repo.crds()).stream()
                .map(
                        p -> {
                            try {
                                return Manifests.parse(Files.readString(p)).all().get(0);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                .sorted(Comparator.comparing(Manifests::id))
                .toList();
    }

    private static List<Path> yamls(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
