package io.realmgate.kube;

import static io.realmgate.kube.ProxyCluster.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scale subresource of both kinds, the proxy's PodDisruptionBudget and a
 * HorizontalPodAutoscaler's target, against a real API server with the operator running: what
 * {@code kubectl scale} and an autoscaler use is the {@code /scale} endpoint, which reads and
 * writes {@code spec.replicas} of the custom resource, and the operator carries that to the
 * Deployment.
 *
 * <p>No Deployment controller or kubelet here: the tests write the Deployment's status themselves
 * where they need {@code status.replicas}. No HPA controller either: the autoscaler is checked up
 * to what its controller would use, the discovery entry of the scale subresource and the Scale it
 * reads (the cluster suite scales on a real cluster).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ScaleSubresourceTest {
    private static final String NS = "scale-subresource";
    private static final Duration WAIT = ProxyCluster.WAIT;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KubeApi api;
    private static KubernetesClient client;
    private static OperatorHarness operator;
    private static ProxyCluster cluster;

    @BeforeAll
    static void start(KubeApi shared) {
        api = shared;
        client = api.client();
        OperatorHarness.ensureNamespace(client, NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new ProxyCluster(client, NS);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void kubectlScaleChangesTheProxysReplicasAndTheDeploymentAndBudgetFollow() throws Exception {
        cluster.createRealm("quotes", 9000, 9443);
        cluster.createProxy("scaled", spec -> spec.allowConnect = List.of(realmTarget("quotes")));
        Deployment before = cluster.awaitChild(Deployment.class, "scaled-proxy");
        assertThat(before.getSpec().getReplicas()).isEqualTo(2);
        cluster.simulateRollout("scaled-proxy", 2);

        // GET /scale: spec.replicas from the ForwardProxy, status.replicas and the selector from
        // its status.
        JsonNode scale =
                await("the Scale of forwardproxy/scaled with the status's replicas")
                        .atMost(WAIT)
                        .until(
                                () -> rawScale("forwardproxies", "scaled"),
                                s -> s.path("status").path("replicas").asInt() == 2);
        assertThat(scale.path("kind").asText()).isEqualTo("Scale");
        assertThat(scale.path("apiVersion").asText()).isEqualTo("autoscaling/v1");
        assertThat(scale.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(scale.path("status").path("selector").asText())
                .isEqualTo(
                        "app.kubernetes.io/instance=scaled,app.kubernetes.io/name=realmgate-proxy");
        // The selector selects exactly the Deployment's pods.
        assertThat(scale.path("status").path("selector").asText())
                .isEqualTo(Names.selectorText(before.getSpec().getSelector().getMatchLabels()));

        // Two replicas: a budget of one pod away at a time, over the proxy pods.
        PodDisruptionBudget budget = awaitBudget("scaled-proxy");
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(before.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ForwardProxy"));

        // kubectl scale (PUT /scale): the ForwardProxy's spec.replicas, then the Deployment.
        KubeApi.Kubectl scaled =
                api.kubectl("scale", "forwardproxy/scaled", "--replicas=3", "-n", NS);
        assertThat(scaled.exitCode()).as("%s", scaled).isZero();
        assertThat(scaled.output()).contains("forwardproxy.realmgate.io/scaled scaled");
        assertThat(cluster.proxy("scaled").getSpec().replicas).isEqualTo(3);
        Deployment three =
                await("Deployment scaled-proxy at 3 replicas")
                        .atMost(WAIT)
                        .until(
                                () -> cluster.child(Deployment.class, "scaled-proxy"),
                                d -> d.getSpec().getReplicas() == 3);
        assertThat(three.getSpec().getTemplate())
                .as("scaling rolls no pod: the pod template is unchanged")
                .isEqualTo(before.getSpec().getTemplate());
        assertThat(awaitBudget("scaled-proxy").getMetadata().getUid())
                .isEqualTo(budget.getMetadata().getUid());

        // Down to one through the client's scale call (PUT /scale as well): no budget for one pod.
        client.resources(ForwardProxy.class).inNamespace(NS).withName("scaled").scale(1);
        await("Deployment scaled-proxy at 1 replica")
                .atMost(WAIT)
                .until(
                        () -> cluster.child(Deployment.class, "scaled-proxy"),
                        d -> d.getSpec().getReplicas() == 1);
        await("PodDisruptionBudget scaled-proxy deleted")
                .atMost(WAIT)
                // A bare condition: awaitility's predicate form never matches null.
                .until(() -> budget("scaled-proxy") == null);

        // And back to two: the budget returns.
        assertThat(api.kubectl("scale", "fwp/scaled", "--replicas=2", "-n", NS).exitCode())
                .isZero();
        assertThat(awaitBudget("scaled-proxy").getSpec().getMaxUnavailable().getIntVal())
                .isEqualTo(1);
    }

    @Test
    void aRealmsScaleShowsItsReplicasAndTheMemoryEnginesLimitHoldsThroughScale() throws Exception {
        cluster.createRealm("ledger", 9000, 9443);
        cluster.awaitChild(Deployment.class, "ledger-realm");
        cluster.simulateRollout("ledger-realm", 1);
        JsonNode scale =
                await("the Scale of realm/ledger with the status's replicas")
                        .atMost(WAIT)
                        .until(
                                () -> rawScale("realms", "ledger"),
                                s -> s.path("status").path("replicas").asInt() == 1);
        assertThat(scale.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(scale.path("status").path("selector").asText())
                .isEqualTo(
                        "app.kubernetes.io/instance=ledger,app.kubernetes.io/name=realmgate-realm");

        // The CEL rule on the spec runs on an update through /scale too: the API server refuses
        // it, naming the field, and nothing changes.
        KubeApi.Kubectl refused = api.kubectl("scale", "realm/ledger", "--replicas=2", "-n", NS);
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
        assertThat(refused.output())
                .contains("spec.replicas")
                .contains("must be 0 or 1 with engine memory");
        assertThat(client.resources(Realm.class).inNamespace(NS).withName("ledger").get())
                .extracting(r -> r.getSpec().replicas)
                .isEqualTo(1);

        // Within the rule, /scale works: down to zero, and the Deployment follows.
        KubeApi.Kubectl zero = api.kubectl("scale", "realm/ledger", "--replicas=0", "-n", NS);
        assertThat(zero.exitCode()).as("%s", zero).isZero();
        await("Deployment ledger-realm at 0 replicas")
                .atMost(WAIT)
                .until(
                        () -> cluster.child(Deployment.class, "ledger-realm"),
                        d -> d.getSpec().getReplicas() == 0);
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems())
                .as("no budget for a realm")
                .noneMatch(b -> b.getMetadata().getName().equals("ledger-realm"));
    }

    @Test
    void aHorizontalPodAutoscalerTargetingAForwardProxyIsAcceptedAndItsTargetResolves() {
        cluster.createRealm("ticker", 9000, 9443);
        cluster.createProxy(
                "autoscaled", spec -> spec.allowConnect = List.of(realmTarget("ticker")));
        cluster.awaitChild(Deployment.class, "autoscaled-proxy");

        HorizontalPodAutoscaler hpa =
                new HorizontalPodAutoscalerBuilder()
                        .withNewMetadata()
                        .withName("autoscaled")
                        .withNamespace(NS)
                        .endMetadata()
                        .withNewSpec()
                        .withNewScaleTargetRef()
                        .withApiVersion("realmgate.io/v1alpha1")
                        .withKind("ForwardProxy")
                        .withName("autoscaled")
                        .endScaleTargetRef()
                        .withMinReplicas(2)
                        .withMaxReplicas(6)
                        .addNewMetric()
                        .withType("Resource")
                        .withNewResource()
                        .withName("cpu")
                        .withNewTarget()
                        .withType("Utilization")
                        .withAverageUtilization(70)
                        .endTarget()
                        .endResource()
                        .endMetric()
                        .endSpec()
                        .build();
        HorizontalPodAutoscaler stored =
                client.autoscaling().v2().horizontalPodAutoscalers().resource(hpa).create();
        assertThat(stored.getSpec().getScaleTargetRef().getKind()).isEqualTo("ForwardProxy");

        // What the HPA controller does with the reference: discovery maps the kind to its
        // resource, which must have a scale subresource (kind Scale, autoscaling/v1) ...
        APIResourceList resources =
                client.getApiResources(stored.getSpec().getScaleTargetRef().getApiVersion());
        APIResource kind =
                resources.getResources().stream()
                        .filter(
                                r ->
                                        "ForwardProxy".equals(r.getKind())
                                                && !r.getName().contains("/"))
                        .findFirst()
                        .orElseThrow();
        APIResource scaleResource =
                resources.getResources().stream()
                        .filter(r -> r.getName().equals(kind.getName() + "/scale"))
                        .findFirst()
                        .orElseThrow(
                                () -> new AssertionError("no forwardproxies/scale in discovery"));
        assertThat(scaleResource.getKind()).isEqualTo("Scale");
        assertThat(scaleResource.getGroup()).isEqualTo("autoscaling");
        assertThat(scaleResource.getVerbs()).contains("get", "update", "patch");

        // ... and it reads the Scale there: the replicas to start from and the pods to measure.
        Scale scale =
                await("a Scale with the proxy's selector")
                        .atMost(WAIT)
                        .until(
                                () ->
                                        client.resources(ForwardProxy.class)
                                                .inNamespace(NS)
                                                .withName(
                                                        stored.getSpec()
                                                                .getScaleTargetRef()
                                                                .getName())
                                                .scale(),
                                s -> s.getStatus() != null && s.getStatus().getSelector() != null);
        assertThat(scale.getSpec().getReplicas()).isEqualTo(2);
        assertThat(scale.getStatus().getSelector())
                .isEqualTo(Names.selectorText(Map.copyOf(Names.proxySelector("autoscaled"))));
    }

    /** GET .../NAME/scale as kubectl's raw request sends it. */
    private static JsonNode rawScale(String plural, String name) throws Exception {
        KubeApi.Kubectl get =
                api.kubectl(
                        "get",
                        "--raw",
                        "/apis/realmgate.io/v1alpha1/namespaces/"
                                + NS
                                + "/"
                                + plural
                                + "/"
                                + name
                                + "/scale");
        assertThat(get.exitCode()).as("%s", get).isZero();
        return JSON.readTree(get.output());
    }

    private static PodDisruptionBudget budget(String name) {
        return client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(name).get();
    }

    private static PodDisruptionBudget awaitBudget(String name) {
        return await("PodDisruptionBudget " + name)
                .atMost(WAIT)
                .until(() -> budget(name), Objects::nonNull);
    }
}
