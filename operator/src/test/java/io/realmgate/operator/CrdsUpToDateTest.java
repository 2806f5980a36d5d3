package io.realmgate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code crds/*.yaml} are exactly what the build generates from the API classes
 * ({@code target/classes/META-INF/fabric8/<name>-v1.yml}, by crd-generator-maven-plugin in
 * process-classes). With {@code -Dcrds.update} (see the {@code update-crds} profile) it copies them
 * over instead of failing.
 */
class CrdsUpToDateTest {
    static final String UPDATE_COMMAND = "./mvnw -o -pl operator test -Dcrds.update";
    private static final String GENERATED_SUFFIX = "-v1.yml";

    private final Path generated =
            Path.of(
                    System.getProperty(
                            "realmgate.crds.generated", "target/classes/META-INF/fabric8"));
    private final Path committed = Path.of(System.getProperty("realmgate.crds.dir", "../crds"));
    private final boolean update =
            Boolean.parseBoolean(System.getProperty("realmgate.crds.update", "false"));

    /** Committed file name → generated file, for every CRD the build generates. */
    private Map<String, Path> generatedCrds() throws IOException {
        Map<String, Path> crds = new TreeMap<>();
        try (Stream<Path> files = Files.list(generated)) {
            files.filter(f -> f.getFileName().toString().endsWith(GENERATED_SUFFIX))
                    .forEach(
                            f -> {
                                String name = f.getFileName().toString();
                                crds.put(
                                        name.substring(0, name.length() - GENERATED_SUFFIX.length())
                                                + ".yaml",
                                        f);
                            });
        }
        return crds;
    }

    @Test
    void committedCrdsAreWhatTheBuildGenerates() throws IOException {
        Map<String, Path> crds = generatedCrds();
        assertThat(crds)
                .as("CRDs generated in %s", generated)
                .containsOnlyKeys("forwardproxies.realmgate.io.yaml", "realms.realmgate.io.yaml");
        if (update) {
            for (var crd : crds.entrySet()) {
                Files.copy(
                        crd.getValue(),
                        committed.resolve(crd.getKey()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (var crd : crds.entrySet()) {
            Path file = committed.resolve(crd.getKey());
            assertThat(file)
                    .as("crds/%s is missing; create it with: %s", crd.getKey(), UPDATE_COMMAND)
                    .exists();
            List<String> want = Files.readAllLines(crd.getValue());
            List<String> have = Files.readAllLines(file);
            if (!have.equals(want)) {
                int line = firstDifference(want, have);
                fail(
                        "crds/%s differs from the CRD the build generates from the API classes (%s) at line %d:%n"
                                + "  generated: %s%n  crds/:     %s%n"
                                + "The API classes are the source; update crds/ with: %s",
                        crd.getKey(),
                        crd.getValue(),
                        line + 1,
                        lineOrEnd(want, line),
                        lineOrEnd(have, line),
                        UPDATE_COMMAND);
            }
        }
        try (Stream<Path> files = Files.list(committed)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")))
                    .as("every CRD in crds/ is generated from an API class (remove the others)")
                    .containsExactlyInAnyOrderElementsOf(crds.keySet());
        }
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    private static String lineOrEnd(List<String> lines, int index) {
        return index < lines.size() ? lines.get(index) : "(end of file)";
    }
}
