package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * deploy/kustomize is the chart's default install for {@code kubectl apply -k}: kubectl (the server's version)
 * builds it, the API server accepts it in a server-side dry run, and it holds the same objects as
 * {@code helm template realmgate helm/realmgate -n realmgate-system}, field for field, apart from Helm's own
 * labels and keep annotation, plus the Namespace that Helm leaves to --create-namespace.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(180)
class KustomizeTest {
  /** Labels and annotations only Helm puts on: its chart label, managed-by, and the CRDs' keep policy. */
  private static final List<String> HELM_ONLY = List.of(
      "helm.sh/chart", "app.kubernetes.io/managed-by", "helm.sh/resource-policy");

  private static KubeApi api;

  @BeforeAll
  static void cluster(KubeApi shared) {
    api = shared;
  }

  private static Manifests kustomize() {
    KubeApi.Kubectl build = api.kubectl("kustomize", Repo.kustomizeBase().toString());
    assertThat(build.exitCode()).as(build.toString()).isZero();
    return Manifests.parse(build.output());
  }

  @Test
  void itHoldsTheChartsDefaultInstallAndItsNamespace() {
    Manifests kustomized = kustomize();
    Manifests chart = Chart.renderDefaults();
    List<String> expected = new java.util.ArrayList<>(chart.ids());
    expected.add("Namespace " + Chart.DEFAULT_NAMESPACE);
    assertThat(kustomized.ids()).containsExactlyInAnyOrderElementsOf(expected);

    for (GenericKubernetesResource fromChart : chart.all()) {
      GenericKubernetesResource fromKustomize = kustomized.all().stream()
          .filter(o -> Manifests.id(o).equals(Manifests.id(fromChart))).findFirst().orElseThrow();
      assertThat(Manifests.differences(Manifests.comparable(fromKustomize, HELM_ONLY),
          Manifests.comparable(fromChart, HELM_ONLY)))
          .as("%s: deploy/kustomize | chart", Manifests.id(fromChart)).isEmpty();
    }
  }

  @Test
  void theApiServerAcceptsItInAServerSideDryRun() {
    // A dry run stores nothing, so the namespaced objects need their namespace to exist already.
    OperatorHarness.ensureNamespace(api.client(), Chart.DEFAULT_NAMESPACE);
    KubeApi.Kubectl dryRun = api.kubectl("apply", "-k", Repo.kustomizeBase().toString(), "--server-side",
        "--dry-run=server", "--force-conflicts", "--field-manager=kustomize-test");
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    for (String id : kustomize().ids()) {
      String[] kindName = id.split(" ");
      String name = kindName[1].substring(kindName[1].indexOf('/') + 1);
      assertThat(dryRun.output()).as(dryRun.toString())
          .containsPattern("(?m)^[a-z.0-9]*/" + java.util.regex.Pattern.quote(name) + " serverside-applied \\(server dry run\\)$");
    }
    // Nothing was stored.
    assertThat(api.client().serviceAccounts().inNamespace(Chart.DEFAULT_NAMESPACE).withName("realmgate-operator").get())
        .isNull();
  }
}
