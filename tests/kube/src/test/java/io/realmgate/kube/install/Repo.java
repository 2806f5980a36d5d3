package io.realmgate.kube.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the packaging lives in the repository (the build passes the root as realmgate.repo.dir).
 */
final class Repo {
    private Repo() {}

    static Path root() {
        Path root =
                Path.of(System.getProperty("realmgate.repo.dir", "../.."))
                        .toAbsolutePath()
                        .normalize();
        if (!Files.isDirectory(root.resolve("crds"))) {
            throw new IllegalStateException("not the repository root (no crds/): " + root);
        }
        return root;
    }

    static Path chart() {
        return root().resolve("helm/realmgate");
    }

    static Path kustomizeBase() {
        return root().resolve("deploy/kustomize");
    }

    static Path crds() {
        return root().resolve("crds");
    }

    static Path referenceScenario() {
        return root().resolve("examples/reference-scenario.yaml");
    }

    static Path gitopsDoc() {
        return root().resolve("docs/gitops.md");
    }

    static Path installDoc() {
        return root().resolve("docs/install.md");
    }

    /** Scratch space in the module's build directory. */
    static Path scratch(String name) {
        Path dir = Path.of("target", "install-tests", name).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
