package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyStartup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A ForwardProxy's spec.startup against a real API server (issue 18): the defaults the CRD stores,
 * what its schema refuses naming the field, and the environment the reconciled Deployment's pod
 * template carries, so that a change of the field rolls the pods.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProxyStartupTest {
    private static final String NS = "proxy-startup";
    private static final Duration WAIT = ProxyCluster.WAIT;
    private static KubernetesClient client;
    private static OperatorHarness operator;
    private static ProxyCluster cluster;

    @BeforeAll
    static void start(KubeApi api) {
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

    private static GenericKubernetesResource create(String yaml) {
        GenericKubernetesResource object = RealmgateResources.parse(client, yaml);
        return RealmgateResources.forwardProxies(client).inNamespace(NS).resource(object).create();
    }

    /** The API server's single cause with a field for refusing {@code yaml}, after a 422. */
    private static StatusCause refusal(String yaml) {
        KubernetesClientException e =
                catchThrowableOfType(KubernetesClientException.class, () -> create(yaml));
        assertThat(e).as("the API server must refuse:\n%s", yaml).isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        List<StatusCause> causes =
                e.getStatus().getDetails().getCauses().stream()
                        .filter(c -> c.getField() != null && !c.getField().equals("<nil>"))
                        .toList();
        assertThat(causes).as(e.getMessage()).hasSize(1);
        return causes.get(0);
    }

    /** The proxy container's env of the Deployment, once it has {@code expected}. */
    private static Map<String, String> awaitEnv(String proxy, Map<String, String> expected) {
        return await("env of " + proxy)
                .atMost(WAIT)
                .until(
                        () -> {
                            Deployment d = cluster.child(Deployment.class, proxy + "-proxy");
                            if (d == null) {
                                return Map.<String, String>of();
                            }
                            return d
                                    .getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getContainers()
                                    .get(0)
                                    .getEnv()
                                    .stream()
                                    .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
                        },
                        env -> env.equals(expected));
    }

    @Test
    void outOfRangeAndUnknownValuesAreRefusedNamingTheField() {
        StatusCause tooMany =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: too-warm}
        spec:
          startup: {warmUpTunnels: 100001}
        """);
        assertThat(tooMany.getField()).isEqualTo("spec.startup.warmUpTunnels");
        assertThat(tooMany.getMessage())
                .isEqualTo(
                        "Invalid value: 100001: spec.startup.warmUpTunnels in body should be less than or equal to 100000");

        StatusCause negative =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: negative-warm}
        spec:
          startup: {warmUpTunnels: -1}
        """);
        assertThat(negative.getField()).isEqualTo("spec.startup.warmUpTunnels");
        assertThat(negative.getMessage()).contains("greater than or equal to 0");

        StatusCause compiler =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: c2-only}
        spec:
          startup: {compiler: C2}
        """);
        assertThat(compiler.getField()).isEqualTo("spec.startup.compiler");
        assertThat(compiler.getMessage()).contains("\"C2\"").contains("\"C1\", \"Tiered\"");

        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: at-the-edges-startup}
        spec:
          replicas: 0
          startup: {warmUpTunnels: 100000, compiler: Tiered}
        """);
    }

    @Test
    void anAbsentStartupIsStoredWarmAndTheDeploymentCarriesIt() {
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: warm}
        spec: {replicas: 1}
        """);
        ForwardProxy stored = cluster.proxy("warm");
        assertThat(stored.getSpec().startup.warmUpTunnels).isEqualTo(4000);
        assertThat(stored.getSpec().startup.compiler).isEqualTo(ProxyStartup.Compiler.C1);

        awaitEnv(
                "warm",
                Map.of(
                        "JAVA_TOOL_OPTIONS",
                        "-Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError"
                                + " -XX:TieredStopAtLevel=1",
                        "REALMGATE_PROXY_WARM_UP",
                        "4000"));
    }

    @Test
    void changingStartupChangesThePodTemplateAndSoRollsThePods() {
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: rolled}
        spec:
          replicas: 1
          startup: {warmUpTunnels: 2000}
        """);
        awaitEnv(
                "rolled",
                Map.of(
                        "JAVA_TOOL_OPTIONS",
                        "-Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError"
                                + " -XX:TieredStopAtLevel=1",
                        "REALMGATE_PROXY_WARM_UP",
                        "2000"));
        long before = cluster.deploymentGeneration("rolled-proxy");

        RealmgateResources.forwardProxies(client)
                .inNamespace(NS)
                .withName("rolled")
                .edit(
                        p -> {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> spec =
                                    (Map<String, Object>) p.getAdditionalProperties().get("spec");
                            spec.put("startup", Map.of("warmUpTunnels", 0, "compiler", "Tiered"));
                            return p;
                        });

        awaitEnv(
                "rolled",
                Map.of(
                        "JAVA_TOOL_OPTIONS",
                        "-Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError"));
        assertThat(cluster.deploymentGeneration("rolled-proxy"))
                .as("a new pod template: the Deployment controller rolls the pods")
                .isGreaterThan(before);
    }
}
