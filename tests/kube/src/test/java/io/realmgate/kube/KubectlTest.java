package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The path a user takes: kubectl, as a real process, against the same API server with the
 * kubeconfig kube-api-test wrote. Server-side apply of crds/, server-side dry runs of samples, the
 * short names and the printer columns of {@code kubectl get}.
 */
@ExtendWith(KubeApiExtension.class)
class KubectlTest {

    private static KubeApi api;

    @BeforeAll
    static void server(KubeApi shared) {
        api = shared;
    }

    private static KubeApi.Kubectl ok(String... args) {
        KubeApi.Kubectl result = api.kubectl(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void kubectlTalksToThePinnedServerVersion() {
        KubeApi.Kubectl version = ok("version", "-o", "json");
        String expected =
                api.binaries().mode() == KubeBinaries.Mode.PROVISIONED
                        ? "\"gitVersion\": \"v" + api.binaries().pinnedVersion() + "\""
                        : "\"gitVersion\": \"v"
                                + api.binaries().pinnedVersion().replaceAll("\\.[0-9]+$", ".");
        assertThat(version.output()).contains("\"serverVersion\"").contains(expected);
    }

    @Test
    void serverSideApplyOfTheCrdDirectoryThenServerDryRunOfSamples() {
        // --force-conflicts, as for any CRD upgrade: other tests of this run installed the same
        // CRDs through Fabric8,
        // whose serialisation of the atomic list spec.versions differs from kubectl's (priority: 0
        // kept or dropped).
        KubeApi.Kubectl apply =
                ok(
                        "apply",
                        "--server-side",
                        "--force-conflicts",
                        "--field-manager=kubectl-test",
                        "-f",
                        OperatorHarness.crdsDir().toString());
        assertThat(apply.output())
                .contains(
                        "customresourcedefinition.apiextensions.k8s.io/realms.realmgate.io serverside-applied")
                .contains(
                        "customresourcedefinition.apiextensions.k8s.io/forwardproxies.realmgate.io serverside-applied");
        ok(
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd/realms.realmgate.io",
                "crd/forwardproxies.realmgate.io");

        KubeApi.Kubectl dryRun =
                ok(
                        "apply",
                        "--dry-run=server",
                        "-n",
                        "default",
                        "-f",
                        RealmgateResources.resourceDir("samples/valid").toString());
        assertThat(dryRun.output())
                .contains("forwardproxy.realmgate.io/sample created (server dry run)")
                .contains("realm.realmgate.io/sample created (server dry run)");
        // A dry run persists nothing.
        KubernetesClient client = api.client();
        assertThat(
                        RealmgateResources.forwardProxies(client)
                                .inNamespace("default")
                                .withName("sample")
                                .get())
                .isNull();
        assertThat(
                        RealmgateResources.realms(client)
                                .inNamespace("default")
                                .withName("sample")
                                .get())
                .isNull();

        // The same dry run refuses what the schema refuses, naming the field, before anything is
        // stored.
        KubeApi.Kubectl refused =
                api.kubectl(
                        "apply",
                        "--dry-run=server",
                        "-n",
                        "default",
                        "-f",
                        RealmgateResources.resourceDir("samples/invalid").toString());
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.output())
                .contains(
                        "spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535")
                .contains(
                        "spec: Invalid value: \"object\": at least one of webSocket and secureWebSocket must be enabled");

        // kubectl validates strictly: a misspelt field is an error, not silently dropped.
        KubeApi.Kubectl typo =
                api.kubectl(
                        "apply",
                        "--dry-run=server",
                        "-n",
                        "default",
                        "-f",
                        RealmgateResources.resourceDir("samples/typo").toString());
        assertThat(typo.exitCode()).as(typo.toString()).isNotZero();
        assertThat(typo.output()).contains("strict decoding error: unknown field \"spec.prot\"");
    }

    @Test
    void shortNamesAndPrinterColumns() {
        OperatorHarness.installCrds(api.client());
        String ns = "kubectl-columns";
        OperatorHarness.ensureNamespace(api.client(), ns);

        KubeApi.Kubectl resources = ok("api-resources", "--api-group=realmgate.io", "--no-headers");
        assertThat(resources.output().lines().map(l -> List.of(l.trim().split("\\s+"))))
                .containsExactlyInAnyOrder(
                        List.of(
                                "forwardproxies",
                                "fwp",
                                "realmgate.io/v1alpha1",
                                "true",
                                "ForwardProxy"),
                        List.of("realms", "rlm", "realmgate.io/v1alpha1", "true", "Realm"));

        ok(
                "apply",
                "--server-side",
                "--field-manager=kubectl-test",
                "-n",
                ns,
                "-f",
                RealmgateResources.resourceDir("samples/valid").toString());
        // What the operator will report, written through the status subresource.
        KubernetesClient client = api.client();
        GenericKubernetesResource realm =
                RealmgateResources.realms(client).inNamespace(ns).withName("sample").get();
        realm.setAdditionalProperty(
                "status",
                Map.of(
                        "conditions",
                                List.of(
                                        Map.of(
                                                "type",
                                                "Ready",
                                                "status",
                                                "True",
                                                "reason",
                                                "Ready",
                                                "lastTransitionTime",
                                                "2030-01-01T00:00:00Z")),
                        "endpoints",
                                Map.of(
                                        "webSocket",
                                        "ws://sample-realm.kubectl-columns.svc:9000",
                                        "secureWebSocket",
                                        "wss://sample-realm.kubectl-columns.svc:9443/realm"),
                        "externalEndpoints",
                                List.of(
                                        "wss://sample.example.com:30443/realm",
                                        "wss://10.0.0.1:30443/realm")));
        RealmgateResources.realms(client).inNamespace(ns).resource(realm).updateStatus();
        GenericKubernetesResource proxy =
                RealmgateResources.forwardProxies(client).inNamespace(ns).withName("sample").get();
        proxy.setAdditionalProperty(
                "status",
                Map.of(
                        "conditions",
                        List.of(
                                Map.of(
                                        "type",
                                        "Ready",
                                        "status",
                                        "False",
                                        "reason",
                                        "RealmNotFound",
                                        "lastTransitionTime",
                                        "2030-01-01T00:00:00Z")),
                        "endpoint",
                        "http://sample-proxy.kubectl-columns.svc:3128"));
        RealmgateResources.forwardProxies(client).inNamespace(ns).resource(proxy).updateStatus();

        assertThat(table(ok("get", "rlm", "-n", ns)))
                .containsExactly(
                        List.of("NAME", "AGE", "READY", "WSS"),
                        List.of(
                                "sample",
                                age(),
                                "True",
                                "wss://sample-realm.kubectl-columns.svc:9443/realm"));
        assertThat(table(ok("get", "rlm", "-n", ns, "-o", "wide")))
                .containsExactly(
                        List.of("NAME", "AGE", "READY", "WSS", "WS", "EXTERNAL"),
                        List.of(
                                "sample",
                                age(),
                                "True",
                                "wss://sample-realm.kubectl-columns.svc:9443/realm",
                                "ws://sample-realm.kubectl-columns.svc:9000",
                                "wss://sample.example.com:30443/realm"));
        assertThat(table(ok("get", "fwp", "-n", ns)))
                .containsExactly(
                        List.of("NAME", "AGE", "READY", "ENDPOINT"),
                        List.of(
                                "sample",
                                age(),
                                "False",
                                "http://sample-proxy.kubectl-columns.svc:3128"));
    }

    /** Placeholder for the AGE cell, whose value depends on the moment of the run. */
    private static String age() {
        return "<age>";
    }

    /** kubectl's table as rows of cells, the AGE column replaced by {@link #age()}. */
    private static List<List<String>> table(KubeApi.Kubectl get) {
        List<List<String>> rows =
                get.output()
                        .lines()
                        .filter(l -> !l.isBlank())
                        .map(l -> List.of(l.trim().split("\\s+")))
                        .toList();
        int ageColumn = rows.get(0).indexOf("AGE");
        return rows.stream()
                .map(
                        row -> {
                            if (row == rows.get(0) || ageColumn < 0) {
                                return row;
                            }
                            List<String> copy = new java.util.ArrayList<>(row);
                            assertThat(copy.get(ageColumn)).matches("[0-9]+[smhd].*");
                            copy.set(ageColumn, age());
                            return List.copyOf(copy);
                        })
                .toList();
    }
}
