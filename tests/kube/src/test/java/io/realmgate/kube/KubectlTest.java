package io.realmgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The path a user takes: kubectl, as a real process, against the same API server with the kubeconfig
 * kube-api-test wrote. Server-side apply of the CRD directory, then server-side dry runs of samples.
 */
@ExtendWith(KubeApiExtension.class)
class KubectlTest {

  private static KubeApi api;

  @BeforeAll
  static void server(KubeApi shared) {
    api = shared;
  }

  @Test
  void kubectlTalksToThePinnedServerVersion() {
    KubeApi.Kubectl version = api.kubectl("version", "-o", "json");
    assertThat(version.exitCode()).as(version.output()).isZero();
    String expected = api.binaries().mode() == KubeBinaries.Mode.PROVISIONED
        ? "\"gitVersion\": \"v" + api.binaries().pinnedVersion() + "\""
        : "\"gitVersion\": \"v" + api.binaries().pinnedVersion().replaceAll("\\.[0-9]+$", ".");
    assertThat(version.output()).contains("\"serverVersion\"").contains(expected);
  }

  @Test
  void serverSideApplyOfTheCrdDirectoryThenServerDryRunOfSamples() {
    Path crds = TestCrd.resourceDir("crds");
    KubeApi.Kubectl apply = api.kubectl("apply", "--server-side", "--field-manager=kubectl-test", "-f",
        crds.toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    assertThat(apply.output()).contains("customresourcedefinition.apiextensions.k8s.io/" + TestCrd.NAME
        + " serverside-applied");

    KubeApi.Kubectl established = api.kubectl("wait", "--for=condition=Established", "--timeout=60s",
        "crd/" + TestCrd.NAME);
    assertThat(established.exitCode()).as(established.toString()).isZero();

    KubeApi.Kubectl dryRun = api.kubectl("apply", "--dry-run=server", "-f",
        TestCrd.resourceDir("samples/valid").toString());
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.output()).contains("forwardproxy.test.realmgate.io/sample created (server dry run)");
    // A dry run persists nothing.
    KubernetesClient client = api.client();
    assertThat(TestCrd.forwardProxies(client).inNamespace("default").withName("sample").get()).isNull();

    // The same dry run refuses what the schema refuses, naming the field, before anything is stored.
    KubeApi.Kubectl refused = api.kubectl("apply", "--dry-run=server", "-f",
        TestCrd.resourceDir("samples/invalid").toString());
    assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    assertThat(refused.output())
        .contains("spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535");
  }
}
