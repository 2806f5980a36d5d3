package io.realmgate.kube.install;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chart through helm-java: Helm's own Go code (lint, template with the values schema, install),
 * loaded as a native library, so no helm binary is needed and the behaviour is Helm's, not an
 * imitation.
 */
final class Chart {
    /** The release and namespace the Kustomize base mirrors. */
    static final String DEFAULT_RELEASE = "realmgate";

    static final String DEFAULT_NAMESPACE = "realmgate-system";
    private static final AtomicInteger VALUES_FILES = new AtomicInteger();

    private Chart() {}

    static Helm helm() {
        return new Helm(Repo.chart());
    }

    static LintResult lintStrict() {
        return helm().lint().strict().call();
    }

    /**
     * {@code helm template RELEASE helm/realmgate -n NAMESPACE [-f values]}; values is YAML text or
     * null.
     */
    static String template(String release, String namespace, String valuesYaml) {
        TemplateCommand command = helm().template().withName(release).withNamespace(namespace);
        if (valuesYaml != null) {
            command = command.withValuesFile(valuesFile(valuesYaml));
        }
        return command.call();
    }

    static Manifests render(String release, String namespace, String valuesYaml) {
        return Manifests.parse(template(release, namespace, valuesYaml));
    }

    static Manifests renderDefaults() {
        return render(DEFAULT_RELEASE, DEFAULT_NAMESPACE, null);
    }

    /** {@code helm install} against the cluster of {@code kubeconfig}. */
    static Release install(Path kubeconfig, String release, String namespace, String valuesYaml) {
        InstallCommand command =
                helm().install()
                        .withName(release)
                        .withNamespace(namespace)
                        .createNamespace()
                        .withKubeConfig(kubeconfig)
                        .withTimeout(60);
        if (valuesYaml != null) {
            command = command.withValuesFile(valuesFile(valuesYaml));
        }
        return command.call();
    }

    private static Path valuesFile(String yaml) {
        Path file =
                Repo.scratch("values")
                        .resolve("values-" + VALUES_FILES.incrementAndGet() + ".yaml");
        try {
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
