package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ProxyConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * spec.template on both kinds and a ForwardProxy's spec.limits and spec.timeouts against a real API
 * server: what the CRD schema and its CEL rules refuse, naming the field; what a reconcile makes of
 * what they accept (the pods' placement, labels and image, the proxy's config), and the Warning a
 * connection cap above the pod's memory raises.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PodTemplateAndProxyLimitsTest {
    private static final String NS = "pod-template";
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
        var kind =
                "Realm".equals(object.getKind())
                        ? RealmgateResources.realms(client)
                        : RealmgateResources.forwardProxies(client);
        return kind.inNamespace(NS).resource(object).create();
    }

    /**
     * The API server's single cause for refusing {@code yaml}, after checking it is a 422. A type
     * error also brings a cause without a field (CEL rules not checked), which is left out.
     */
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

    @Test
    void theOperatorsLabelsAndRestartHashAreRefusedOnBothKinds() {
        StatusCause label =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: steal-selector}
        spec:
          template:
            labels: {team: payments, app.kubernetes.io/instance: other}
        """);
        assertThat(label.getField()).isEqualTo("spec.template.labels");
        assertThat(label.getMessage())
                .isEqualTo(
                        "Invalid value: \"object\": template.labels must not set app.kubernetes.io/name,"
                                + " instance, component, managed-by or part-of: the operator sets them and"
                                + " selects its pods by them");

        StatusCause realmLabel =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: steal-part-of}
        spec:
          template:
            labels: {app.kubernetes.io/part-of: shop}
        """);
        assertThat(realmLabel.getField()).isEqualTo("spec.template.labels");

        StatusCause annotation =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: pin-hash}
        spec:
          template:
            annotations: {realmgate.io/restart-hash: "0"}
        """);
        assertThat(annotation.getField()).isEqualTo("spec.template.annotations");
        assertThat(annotation.getMessage())
                .contains("template.annotations must not set realmgate.io/restart-hash");

        // Other app.kubernetes.io labels are the user's.
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: own-labels}
        spec:
          replicas: 0
          template:
            labels: {app.kubernetes.io/version: "1.2", team: payments}
            annotations: {sidecar.istio.io/inject: "false"}
        """);
    }

    @Test
    void theTemplatesPodFieldsHaveThePodApisSchema() {
        StatusCause toleration =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-toleration}
        spec:
          template:
            tolerations: [{key: dedicated, operator: Exists, tolerationSeconds: soon}]
        """);
        assertThat(toleration.getField())
                .isEqualTo("spec.template.tolerations[0].tolerationSeconds");

        StatusCause priority =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: bad-priority}
        spec:
          template:
            priorityClassName: Edge_Critical
        """);
        assertThat(priority.getField()).isEqualTo("spec.template.priorityClassName");

        StatusCause image =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: bad-image}
        spec:
          template:
            image: "registry.example.com/realm:1 --privileged"
        """);
        assertThat(image.getField()).isEqualTo("spec.template.image");
    }

    @Test
    void proxyLimitsAndTimeoutsAreCheckedNamingTheField() {
        StatusCause header =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: small-head}
        spec:
          limits: {maxHeaderBytes: 100}
        """);
        assertThat(header.getField()).isEqualTo("spec.limits.maxHeaderBytes");
        assertThat(header.getMessage())
                .isEqualTo(
                        "Invalid value: 100: spec.limits.maxHeaderBytes in body should be greater than or equal to 1024");

        StatusCause perClient =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: per-client}
        spec:
          limits: {maxConnections: 100, maxConnectionsPerClient: 101}
        """);
        assertThat(perClient.getField()).isEqualTo("spec.limits.maxConnectionsPerClient");
        assertThat(perClient.getMessage())
                .isEqualTo(
                        "Invalid value: \"object\": limits.maxConnectionsPerClient must not exceed limits.maxConnections");

        StatusCause drain =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: long-drain}
        spec:
          timeouts: {drain: 61m}
        """);
        assertThat(drain.getField()).isEqualTo("spec.timeouts.drain");
        assertThat(drain.getMessage())
                .isEqualTo(
                        "Invalid value: \"object\": timeouts.drain must be at most 1h: the pods' termination"
                                + " grace period follows it");

        StatusCause idle =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: idle-words}
        spec:
          timeouts: {idle: 10 minutes}
        """);
        assertThat(idle.getField()).isEqualTo("spec.timeouts.idle");
        assertThat(idle.getMessage()).contains("spec.timeouts.idle in body should match");

        StatusCause badDrain =
                refusal(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: drain-words}
        spec:
          timeouts: {drain: PT1M}
        """);
        assertThat(badDrain.getField())
                .as("the pattern alone, no CEL evaluation error")
                .isEqualTo("spec.timeouts.drain");
        assertThat(badDrain.getMessage()).contains("should match");

        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: at-the-edges}
        spec:
          replicas: 0
          limits: {maxConnections: 1000000, maxConnectionsPerClient: 1000000, maxHeaderBytes: 1048576, maxRequestLine: 256}
          timeouts: {connect: 500ms, header: 10s, idle: 24h, drain: 60m}
        """);
    }

    @Test
    void aReconcileAppliesTheTemplateToBothKindsAndRendersTheLimits() throws Exception {
        String template =
                """
          template:
            labels: {team: payments}
            annotations: {sidecar.istio.io/inject: "false"}
            nodeSelector: {node-role.example.com/edge: "true"}
            tolerations: [{key: dedicated, operator: Equal, value: edge, effect: NoSchedule}]
            affinity:
              nodeAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms:
                  - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [eu-1a]}]
            topologySpreadConstraints:
            - {topologyKey: topology.kubernetes.io/zone, maxSkew: 1, whenUnsatisfiable: DoNotSchedule,
               labelSelector: {matchLabels: {app.kubernetes.io/instance: placed}}}
            priorityClassName: edge-critical
            image: registry.example.com/realmgate/custom:1.2.3
            imagePullSecrets: [{name: team-registry}]
            sysctls: [{name: net.ipv4.ip_local_port_range, value: "20000 60999"}]
        """;
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: placed}
        spec:
          limits: {maxConnections: 1500, maxConnectionsPerClient: 150, maxHeaderBytes: 8192}
          timeouts: {idle: 30m, drain: 2m}
        """
                        + template);
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: placed}
        spec:
          webSocket: {enabled: true}
        """
                        + template);

        for (String name : List.of("placed-proxy", "placed-realm")) {
            Deployment d = cluster.awaitChild(Deployment.class, name);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getNodeSelector())
                    .as(name)
                    .isEqualTo(Map.of("node-role.example.com/edge", "true"));
            assertThat(pod.getTolerations())
                    .singleElement()
                    .satisfies(t -> assertThat(t.getValue()).isEqualTo("edge"));
            assertThat(
                            pod.getAffinity()
                                    .getNodeAffinity()
                                    .getRequiredDuringSchedulingIgnoredDuringExecution()
                                    .getNodeSelectorTerms())
                    .hasSize(1);
            assertThat(pod.getTopologySpreadConstraints())
                    .singleElement()
                    .satisfies(
                            c ->
                                    assertThat(c.getTopologyKey())
                                            .isEqualTo("topology.kubernetes.io/zone"));
            assertThat(pod.getPriorityClassName()).isEqualTo("edge-critical");
            assertThat(pod.getContainers().get(0).getImage())
                    .isEqualTo("registry.example.com/realmgate/custom:1.2.3");
            assertThat(pod.getImagePullSecrets())
                    .extracting(LocalObjectReference::getName)
                    .containsExactly("team-registry");
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                    .containsEntry("team", "payments")
                    .containsEntry(Names.LABEL_INSTANCE, "placed");
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("sidecar.istio.io/inject", "false");
        }
        Deployment proxy = cluster.child(Deployment.class, "placed-proxy");
        assertThat(proxy.getSpec().getTemplate().getSpec().getSecurityContext().getSysctls())
                .as("the user's range replaces the operator's; the reserved ports stay")
                .extracting(Sysctl::getName, Sysctl::getValue)
                .containsExactly(
                        tuple("net.ipv4.ip_local_port_range", "20000 60999"),
                        tuple("net.ipv4.ip_local_reserved_ports", "3128,9090"));
        assertThat(
                        cluster.child(Deployment.class, "placed-realm")
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getSecurityContext()
                                .getSysctls())
                .as("a realm pod gets the user's sysctl")
                .extracting(Sysctl::getName)
                .containsExactly("net.ipv4.ip_local_port_range");
        assertThat(proxy.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("preStop 5 s + drain 120 s + close 10 s + margin 5 s")
                .isEqualTo(140L);

        ConfigMap cm = cluster.awaitChild(ConfigMap.class, "placed-proxy-config");
        ProxyConfig config =
                ConfigFiles.parse(cm.getData().get("proxy.yaml"), "proxy.yaml").toConfig();
        assertThat(config.limits())
                .isEqualTo(
                        new ProxyConfig.Limits(
                                8192, ProxyConfig.Limits.DEFAULTS.maxRequestLine(), 1500, 150));
        assertThat(config.timeouts().idle()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.timeouts().drain()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.timeouts().connect()).isEqualTo(ProxyConfig.Timeouts.DEFAULTS.connect());

        ForwardProxy withinMemory =
                cluster.awaitStatus(
                        "placed", p -> condition(p, "ConnectionLimitsFitMemory") != null);
        assertThat(condition(withinMemory, "ConnectionLimitsFitMemory").getStatus())
                .isEqualTo("True");
    }

    @Test
    void aConnectionCapAboveWhatThePodsMemoryCarriesIsAWarningNotARefusal() {
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: greedy}
        spec:
          limits: {maxConnections: 50000}
          resources:
            limits: {memory: 256Mi}
        """);
        ForwardProxy p =
                cluster.awaitStatus(
                        "greedy",
                        s ->
                                condition(s, "ConnectionLimitsFitMemory") != null
                                        && "False"
                                                .equals(
                                                        condition(s, "ConnectionLimitsFitMemory")
                                                                .getStatus()));
        Condition c = condition(p, "ConnectionLimitsFitMemory");
        assertThat(c.getReason()).isEqualTo("AboveMemoryCapacity");
        assertThat(c.getMessage())
                .startsWith(
                        "spec.limits.maxConnections (50000) is above 3268, what 256Mi of pod memory carries");

        ConfigMap cm = cluster.awaitChild(ConfigMap.class, "greedy-proxy-config");
        assertThat(cm.getData().get("proxy.yaml"))
                .as("rendered as written")
                .contains("maxConnections: 50000");

        await("Warning Event AboveMemoryCapacity on greedy")
                .atMost(WAIT)
                .untilAsserted(
                        () ->
                                assertThat(cluster.warnings("greedy"))
                                        .anySatisfy(
                                                e -> {
                                                    assertThat(e.getReason())
                                                            .isEqualTo("AboveMemoryCapacity");
                                                    assertThat(e.getMessage())
                                                            .contains(
                                                                    "spec.limits.maxConnections (50000)");
                                                }));
    }

    /**
     * Label values are not checked by the CRD (a CEL rule over every value would exceed the API
     * server's cost budget); the Deployment's own validation refuses a bad one, and the
     * ForwardProxy's Ready says so, naming the field (the Deployment's spec.template.labels, the
     * same path as the ForwardProxy's).
     */
    @Test
    void aLabelValueThePodApiRefusesIsReportedInReady() {
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-value}
        spec:
          template:
            labels: {team: "payments and more!"}
        """);
        ForwardProxy p =
                cluster.awaitStatus(
                        "bad-value",
                        s ->
                                ProxyCluster.ready(s) != null
                                        && "ReconcileFailed"
                                                .equals(ProxyCluster.ready(s).getReason()));
        assertThat(ProxyCluster.ready(p).getStatus()).isEqualTo("False");
        assertThat(ProxyCluster.ready(p).getMessage())
                .contains("spec.template.labels: Invalid value: \"payments and more!\"");
    }

    private static Condition condition(ForwardProxy p, String type) {
        return p.getStatus() == null ? null : Conditions.find(p.getStatus().conditions, type);
    }
}
