package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code helm install} itself (Helm's Go code through helm-java) against the real API server: the
 * release is deployed in namespaced mode with its NOTES, and an install with a mistyped value is
 * refused before anything reaches the cluster. The CRDs are left out here (crds.install=false):
 * other tests own them already, and Helm refuses to adopt objects it did not create.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(180)
class HelmInstallTest {
    private static final String NS = "helm-install";
    private static final String WATCHED = "helm-install-apps";
    private static KubeApi api;

    @BeforeAll
    static void cluster(KubeApi shared) {
        api = shared;
        OperatorHarness.installCrds(api.client());
        OperatorHarness.ensureNamespace(api.client(), WATCHED);
    }

    @Test
    void helmInstallsTheReleaseAndPrintsItsNotes() {
        Release release =
                Chart.install(
                        api.kubeconfig(),
                        "helminstall",
                        NS,
                        "crds: {install: false}\nwatchNamespaces: [" + WATCHED + "]\n");
        assertThat(release.getStatus()).isEqualTo("deployed");
        assertThat(release.getOutput())
                .contains("The operator reconciles Realms and ForwardProxies in: " + WATCHED)
                .contains(
                        "kubectl -n "
                                + NS
                                + " rollout status deployment/helminstall-realmgate-operator")
                // Where the images come from, and how to take them from a private registry instead.
                .contains("operator localhost/realmgate/operator:0.1.0")
                .contains("--set image.operator.repository=REGISTRY/realmgate/operator")
                .contains("--set 'imagePullSecrets[0].name=regcred'");

        Deployment operator =
                api.client()
                        .apps()
                        .deployments()
                        .inNamespace(NS)
                        .withName("helminstall-realmgate-operator")
                        .get();
        assertThat(operator).isNotNull();
        assertThat(operator.getMetadata().getAnnotations())
                .containsEntry("meta.helm.sh/release-name", "helminstall");
        assertThat(operator.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--namespaces=" + WATCHED);
        assertThat(
                        api.client()
                                .rbac()
                                .roles()
                                .inNamespace(WATCHED)
                                .withName("helminstall-realmgate-operator")
                                .get())
                .isNotNull();
        assertThat(
                        api.client()
                                .rbac()
                                .clusterRoles()
                                .withName("helminstall-realmgate-operator")
                                .get())
                .isNull();
    }

    @Test
    void helmInstallRefusesAMistypedValueBeforeTouchingTheCluster() {
        Throwable refused =
                catchThrowable(
                        () ->
                                Chart.install(
                                        api.kubeconfig(),
                                        "helmtypo",
                                        "helm-typo",
                                        "crds: {install: false}\nwatchNamespace: ["
                                                + WATCHED
                                                + "]\n"));
        assertThat(refused)
                .hasMessageContaining("values don't meet the specifications of the schema(s)")
                .hasMessageContaining("additional properties 'watchNamespace' not allowed");
        assertThat(api.client().apps().deployments().inNamespace("helm-typo").list().getItems())
                .isEmpty();
        assertThat(api.client().rbac().clusterRoles().withName("helmtypo-realmgate-operator").get())
                .isNull();
    }
}
