package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in examples/ is accepted by the API server with the CRDs from crds/: {@code kubectl
 * apply --server-side --dry-run=server}, as a user would check it, passes schema, CEL rules and
 * strict field validation for each object.
 */
@ExtendWith(KubeApiExtension.class)
class ExamplesTest {

    private static KubeApi api;

    @BeforeAll
    static void crds(KubeApi shared) {
        api = shared;
        OperatorHarness.installCrds(api.client());
    }

    static Path examplesDir() {
        return Path.of(System.getProperty("realmgate.examples.dir", "../../examples"))
                .toAbsolutePath()
                .normalize();
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(examplesDir())) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<HasMetadata> objects(KubernetesClient client, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return client.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theReferenceScenarioAndItsTransparentVariantAreThere() throws IOException {
        assertThat(examples())
                .extracting(p -> p.getFileName().toString())
                .contains("reference-scenario.yaml", "transparent.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleIsAcceptedByTheApiServer(Path file) {
        KubernetesClient client = api.client();
        List<HasMetadata> objects = objects(client, file);
        assertThat(objects).as("objects in %s", file).isNotEmpty();
        // A dry run stores nothing, and a namespaced object needs its namespace to exist: create
        // the namespaces
        // the examples use (from the files themselves, or the one they expect
        // reference-scenario.yaml to create).
        objects.stream()
                .filter(o -> o instanceof Namespace)
                .forEach(ns -> OperatorHarness.ensureNamespace(client, ns.getMetadata().getName()));
        objects.stream()
                .map(o -> o.getMetadata().getNamespace())
                .filter(ns -> ns != null)
                .distinct()
                .forEach(ns -> OperatorHarness.ensureNamespace(client, ns));

        KubeApi.Kubectl dryRun =
                api.kubectl(
                        "apply",
                        "--server-side",
                        "--dry-run=server",
                        "--force-conflicts",
                        "--field-manager=examples-test",
                        "-f",
                        file.toString());
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        for (HasMetadata o : objects) {
            String group =
                    o.getApiVersion().contains("/")
                            ? "." + o.getApiVersion().substring(0, o.getApiVersion().indexOf('/'))
                            : "";
            assertThat(dryRun.output())
                    .as(dryRun.toString())
                    .contains(
                            o.getKind().toLowerCase(Locale.ROOT)
                                    + group
                                    + "/"
                                    + o.getMetadata().getName()
                                    + " serverside-applied (server dry run)");
        }
    }
}
