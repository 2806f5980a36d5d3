package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What users and GitOps tools wait on works with the operator running: {@code kubectl wait
 * --for=condition=Ready realm/prices forwardproxy/egress} times out while the pods are not
 * available and returns 0 once they are (the Deployments' status is patched, as there is no
 * kubelet), and the Argo CD health checks of docs/gitops.md say Progressing, then Healthy, on the
 * very objects the operator wrote.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(240)
class KubectlWaitTest {
    private static final ReferenceScenario SCENARIO =
            new ReferenceScenario("kubectl-wait-apps", "kubectl-wait-trading");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KubeApi api;
    private static OperatorHarness operator;

    @BeforeAll
    static void operatorAndScenario(KubeApi shared) {
        api = shared;
        operator =
                OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(SCENARIO.apps));
        SCENARIO.apply(api.client());
        SCENARIO.awaitChildren(api.client(), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void kubectlWaitReturnsOnceBothAreReadyAndArgoCdSeesThemHealthy() throws Exception {
        // Status is written (Ready=False: no pod is available yet), so waiting is bounded by its
        // timeout.
        await("status written")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () ->
                                ReferenceScenario.conditionIs(
                                                SCENARIO.get(api.client(), "Realm"),
                                                "Ready",
                                                "False")
                                        && ReferenceScenario.conditionIs(
                                                SCENARIO.get(api.client(), "ForwardProxy"),
                                                "Ready",
                                                "False"));
        KubeApi.Kubectl early =
                api.kubectl(
                        "wait",
                        "-n",
                        SCENARIO.apps,
                        "--for=condition=Ready",
                        "realm/" + ReferenceScenario.REALM,
                        "--timeout=3s");
        assertThat(early.exitCode()).as(early.toString()).isNotZero();
        assertThat(early.output()).contains("timed out waiting for the condition");
        assertThat(health("realm").status()).isEqualTo("Progressing");
        assertThat(health("forwardproxy").status()).isEqualTo("Progressing");

        SCENARIO.markDeploymentsAvailable(api.client());
        KubeApi.Kubectl ready =
                api.kubectl(
                        "wait",
                        "-n",
                        SCENARIO.apps,
                        "--for=condition=Ready",
                        "realm/" + ReferenceScenario.REALM,
                        "forwardproxy/" + ReferenceScenario.PROXY,
                        "--timeout=60s");
        assertThat(ready.exitCode()).as(ready.toString()).isZero();
        assertThat(ready.output())
                .contains("realm.realmgate.io/" + ReferenceScenario.REALM + " condition met")
                .contains(
                        "forwardproxy.realmgate.io/" + ReferenceScenario.PROXY + " condition met");
        // The short names work as well.
        KubeApi.Kubectl shortNames =
                api.kubectl(
                        "wait",
                        "-n",
                        SCENARIO.apps,
                        "--for=condition=Ready",
                        "rlm/" + ReferenceScenario.REALM,
                        "fwp/" + ReferenceScenario.PROXY,
                        "--timeout=10s");
        assertThat(shortNames.exitCode()).as(shortNames.toString()).isZero();

        ArgoCdHealth.Health realm = health("realm");
        assertThat(realm.status()).as("%s", realm).isEqualTo("Healthy");
        assertThat(realm.message()).isEqualTo("DeploymentAvailable: 1/1 replicas available");
        ArgoCdHealth.Health proxy = health("forwardproxy");
        assertThat(proxy.status()).as("%s", proxy).isEqualTo("Healthy");
        assertThat(proxy.message()).isEqualTo("DeploymentAvailable: 2/2 replicas available");
    }

    /**
     * The object as kubectl prints it (what Argo CD's cache holds), through the doc's health check.
     */
    private static ArgoCdHealth.Health health(String resource) throws Exception {
        String name = resource.equals("realm") ? ReferenceScenario.REALM : ReferenceScenario.PROXY;
        KubeApi.Kubectl get =
                api.kubectl("get", "-n", SCENARIO.apps, resource + "/" + name, "-o", "json");
        assertThat(get.exitCode()).as(get.toString()).isZero();
        String kind = resource.equals("realm") ? "Realm" : "ForwardProxy";
        return ArgoCdHealth.evaluate(ArgoCdHealth.script(kind), JSON.readTree(get.output()));
    }
}
