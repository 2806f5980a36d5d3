package io.realmgate.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * cert-manager's own Certificate CRD, as its release ships it: {@code deploy/crds} of the Go module
 * {@code github.com/cert-manager/cert-manager} at {@link #VERSION}, which the Go module proxy
 * serves. Kept under {@code ~/.cache/realmgate/cert-manager} (never in the repository). Absent:
 * outside CI it is downloaded once with {@code go mod download}; in CI ({@code CI=true}) the test
 * fails naming that command. The file is a Helm template whose template parts sit in comments and
 * in the labels' values; the labels are dropped before it is applied.
 */
public final class CertManagerCrds {
    public static final String VERSION = "v1.16.2";
    static final String MODULE = "github.com/cert-manager/cert-manager";

    private CertManagerCrds() {}

    static Path modCache() {
        return Path.of(
                System.getProperty("user.home"), ".cache", "realmgate", "cert-manager", "gomod");
    }

    static Path certificateCrdFile() {
        return modCache()
                .resolve(MODULE + "@" + VERSION)
                .resolve("deploy/crds/crd-certificates.yaml");
    }

    static String downloadCommand() {
        return "GOMODCACHE="
                + modCache()
                + " GOFLAGS=-mod=mod go mod download -json "
                + MODULE
                + "@"
                + VERSION;
    }

    /** Applies certificates.cert-manager.io and waits until it is served. */
    public static CustomResourceDefinition installCertificateCrd(KubernetesClient client)
            throws IOException, InterruptedException {
        Path file = certificateCrdFile();
        if (!Files.exists(file)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(
                        "cert-manager's CRDs are not provisioned ("
                                + file
                                + " is missing) and CI=true forbids downloading them. Run: "
                                + downloadCommand());
            }
            download();
        }
        CustomResourceDefinition crd =
                client.getKubernetesSerialization()
                        .unmarshal(Files.readString(file), CustomResourceDefinition.class);
        // Template values ('{{ template "cert-manager.name" . }}') are no label values.
        crd.getMetadata().setLabels(null);
        crd.getMetadata().setAnnotations(null);
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .resource(crd)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        return client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd.getMetadata().getName())
                .waitUntilCondition(
                        c ->
                                c != null
                                        && c.getStatus() != null
                                        && c.getStatus().getConditions() != null
                                        && c.getStatus().getConditions().stream()
                                                .anyMatch(
                                                        x ->
                                                                "Established".equals(x.getType())
                                                                        && "True"
                                                                                .equals(
                                                                                        x
                                                                                                .getStatus())),
                        60,
                        TimeUnit.SECONDS);
    }

    private static void download() throws IOException, InterruptedException {
        Path go = Path.of("/usr/local/go/bin/go");
        String binary = Files.isExecutable(go) ? go.toString() : "go";
        Files.createDirectories(modCache());
        Path log = Files.createTempFile("cert-manager-download", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(
                                List.of(binary, "mod", "download", "-json", MODULE + "@" + VERSION))
                        .directory(Files.createTempDirectory("cert-manager-download").toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        builder.environment().put("GOMODCACHE", modCache().toString());
        builder.environment().put("GOFLAGS", "-mod=mod");
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("go mod download took over 5 minutes; log " + log);
        }
        if (process.exitValue() != 0 || !Files.exists(certificateCrdFile())) {
            throw new IllegalStateException(
                    "could not download cert-manager's CRDs with: "
                            + downloadCommand()
                            + "\n"
                            + Files.readString(log));
        }
    }
}
