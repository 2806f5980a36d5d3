package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.Realm;
import io.realmgate.realm.config.RealmConfigDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Realms on the redis engine against a real API server: examples/realm-redis.yaml applied as a user
 * applies it becomes a three-pod RollingUpdate Deployment with its PodDisruptionBudget and a
 * rendered realm.yaml naming the mounted password; a Realm switched from memory to redis and back
 * gets the strategy, budget and config of each engine, the API server accepting every step (the
 * RollingUpdate parameters removed on the way back).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RedisRealmTest {
    private static final String NS = "feeds";

    private static OperatorHarness operator;
    private static RealmCluster cluster;
    private static KubeApi kube;

    @BeforeAll
    static void startOperator(KubeApi api) {
        kube = api;
        OperatorHarness.installCrds(api.client());
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    private static Path example() {
        return Path.of(System.getProperty("realmgate.examples.dir", "../../examples"))
                .resolve("realm-redis.yaml")
                .toAbsolutePath()
                .normalize();
    }

    @Test
    void theExampleBecomesThreeRollingPodsWithABudgetAndTheRenderedConfig() throws IOException {
        KubernetesClient client = kube.client();
        List<HasMetadata> objects;
        try (InputStream in = Files.newInputStream(example())) {
            objects = client.load(in).items();
        }
        objects.stream()
                .map(o -> o.getMetadata().getNamespace())
                .filter(ns -> ns != null)
                .distinct()
                .forEach(ns -> OperatorHarness.ensureNamespace(client, ns));
        KubeApi.Kubectl applied =
                kube.kubectl(
                        "apply",
                        "--server-side",
                        "--field-manager=redis-realm-test",
                        "-f",
                        example().toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();

        Realm quotes =
                cluster.awaitRealm(
                        "quotes",
                        "children of the redis realm",
                        r ->
                                "redis".equals(r.getStatus().engine)
                                        && cluster.disruptionBudget("quotes") != null
                                        && cluster.configMap("quotes") != null
                                        && cluster.deployment("quotes") != null);
        assertThat(quotes.getStatus().engine).isEqualTo("redis");

        Deployment deployment = cluster.deployment("quotes");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertRollingUpdate(deployment.getSpec().getStrategy());
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getArgs())
                .containsExactly("--config", "/etc/realmgate/config/realm.yaml");
        assertThat(pod.getTopologySpreadConstraints())
                .extracting(c -> c.getTopologyKey() + "/" + c.getWhenUnsatisfiable())
                .containsExactly("kubernetes.io/hostname/ScheduleAnyway");
        Volume auth =
                pod.getVolumes().stream()
                        .filter(v -> v.getName().equals("redis-auth"))
                        .findFirst()
                        .orElseThrow();
        assertThat(auth.getSecret().getSecretName()).isEqualTo("redis-auth");
        assertThat(auth.getSecret().getItems())
                .extracting(i -> i.getKey() + "->" + i.getPath())
                .containsExactly("password->password");
        assertThat(auth.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("realmgate.io/restart-hash");

        PodDisruptionBudget budget = cluster.disruptionBudget("quotes");
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("quotes"));

        RealmConfigDocument config = cluster.config("quotes");
        assertThat(config.engine).isEqualTo("redis");
        assertThat(config.redis.url).isEqualTo("redis://redis.feeds.svc:6379");
        assertThat(config.redis.passwordFile).isEqualTo("/etc/realmgate/redis-auth/password");
        assertThat(config.redis.keyPrefix).isEqualTo("realmgate:feeds/quotes");
        assertThat(config.listeners.wsPort).isEqualTo("off");
        assertThat(config.listeners.wssPort).isEqualTo("9443");
        assertThat(cluster.configMap("quotes").getData().get("realm.yaml"))
                .as("the password stays in its Secret")
                .doesNotContain("try-it-out-and-replace-me");

        // No kubelet here: the pods never become ready, and the status says where to look.
        Realm notReady =
                cluster.awaitRealm(
                        "quotes",
                        "not ready, naming the Redis",
                        r -> is(r, "Ready", "False", "DeploymentNotAvailable"));
        assertThat(RealmCluster.condition(notReady, "Ready").getMessage())
                .contains("redis://redis.feeds.svc:6379")
                .contains("/readyz");
    }

    @Test
    void aRealmSwitchedFromMemoryToRedisAndBackGetsEachEnginesDeployment() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: switch}
        spec: {replicas: 1}
        """);
        awaitStrategy("memory first", "Recreate");
        assertThat(cluster.deployment("switch").getSpec().getStrategy().getRollingUpdate())
                .isNull();
        assertThat(cluster.config("switch").engine).isEqualTo("memory");
        String memoryHash = restartHash();

        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: switch}
        spec:
          replicas: 2
          engine:
            type: redis
            redis: {url: "redis://redis.feeds.svc:6379", keyPrefix: switch}
        """);
        awaitStrategy("to redis", "RollingUpdate");
        assertRollingUpdate(cluster.deployment("switch").getSpec().getStrategy());
        assertThat(cluster.deployment("switch").getSpec().getReplicas()).isEqualTo(2);
        await("the budget of two redis pods")
                .atMost(RealmCluster.WAIT)
                .until(() -> cluster.disruptionBudget("switch") != null);
        assertThat(cluster.config("switch").redis.keyPrefix).isEqualTo("switch");
        assertThat(cluster.config("switch").redis.passwordFile).isNull();
        assertThat(restartHash()).as("a new config rolls the pods").isNotEqualTo(memoryHash);

        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: switch}
        spec: {replicas: 1, engine: {type: memory}}
        """);
        awaitStrategy("back to memory", "Recreate");
        assertThat(cluster.deployment("switch").getSpec().getStrategy().getRollingUpdate())
                .as("the RollingUpdate parameters removed")
                .isNull();
        assertThat(cluster.deployment("switch").getSpec().getReplicas()).isEqualTo(1);
        await("no budget for a memory realm")
                .atMost(RealmCluster.WAIT)
                .until(() -> cluster.disruptionBudget("switch") == null);
        assertThat(cluster.config("switch").engine).isEqualTo("memory");
        assertThat(cluster.config("switch").redis).isNull();
        assertThat(cluster.awaitObserved("switch").getStatus().engine).isEqualTo("memory");
    }

    private static void awaitStrategy(String what, String type) {
        await(what + ": " + type)
                .atMost(RealmCluster.WAIT)
                .until(
                        () -> {
                            Deployment d = cluster.deployment("switch");
                            return d != null && type.equals(d.getSpec().getStrategy().getType());
                        });
    }

    private static String restartHash() {
        return cluster.deployment("switch")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get("realmgate.io/restart-hash");
    }

    private static void assertRollingUpdate(DeploymentStrategy strategy) {
        assertThat(strategy.getType()).isEqualTo("RollingUpdate");
        assertThat(strategy.getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(strategy.getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
    }
}
