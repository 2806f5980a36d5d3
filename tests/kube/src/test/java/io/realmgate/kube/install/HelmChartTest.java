package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.realmgate.operator.OperatorCommandLine;
import io.realmgate.operator.OperatorOptions;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.access.SecretGrant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chart as Helm itself sees it (helm-java runs Helm's Go code): strict lint, the default
 * install, the namespaced mode, non-default values, and mistyped values refused by
 * values.schema.json with Helm's message. Nothing here needs a cluster; ChartRbacTest applies what
 * these renders produce to a real API server.
 */
@Timeout(120)
class HelmChartTest {
    static final String NS = Chart.DEFAULT_NAMESPACE;

    /**
     * Registry and path of the images the Maven build makes (property realmgate.image.registry),
     * the chart's default.
     */
    static final String IMAGES = "localhost/realmgate";

    /**
     * The operator's rights in a watched namespace of the namespaced mode (its Role there), as
     * (apiGroup, resource, verb): the brief's list, no more.
     */
    static final Set<String> WATCH_RULES =
            triples(
                    rule(
                            "realmgate.io",
                            List.of("realms", "forwardproxies"),
                            "get",
                            "list",
                            "watch"),
                    rule(
                            "realmgate.io",
                            List.of("realms/status", "forwardproxies/status"),
                            "patch",
                            "update"),
                    rule(
                            "realmgate.io",
                            List.of("realms/finalizers", "forwardproxies/finalizers"),
                            "update"),
                    rule(
                            "",
                            List.of("configmaps", "secrets", "services"),
                            "create",
                            "get",
                            "list",
                            "watch",
                            "patch",
                            "update",
                            "delete"),
                    rule(
                            "apps",
                            List.of("deployments"),
                            "create",
                            "get",
                            "list",
                            "watch",
                            "patch",
                            "update",
                            "delete"),
                    rule(
                            "networking.k8s.io",
                            List.of("networkpolicies"),
                            "create",
                            "get",
                            "list",
                            "watch",
                            "patch",
                            "update",
                            "delete"),
                    rule(
                            "policy",
                            List.of("poddisruptionbudgets"),
                            "create",
                            "get",
                            "list",
                            "watch",
                            "patch",
                            "update",
                            "delete"),
                    rule(
                            "gateway.networking.k8s.io",
                            List.of("tlsroutes"),
                            "create",
                            "get",
                            "patch",
                            "delete"),
                    rule("cert-manager.io", List.of("certificates"), "get", "create", "patch"),
                    rule("", List.of("events"), "create", "patch"),
                    rule("events.k8s.io", List.of("events"), "create", "patch"));

    /**
     * The Secret verbs a namespace grants the operator (ClusterRole {@code <fullname>-secrets},
     * bound per namespace).
     */
    static final Set<String> SECRET_RULES =
            triples(
                    rule(
                            "",
                            List.of("secrets"),
                            "get",
                            "list",
                            "watch",
                            "create",
                            "patch",
                            "delete"));

    /**
     * The ClusterRole of the all-namespaces mode: the same as a watched namespace's Role without
     * Secrets, and the RoleBindings, read to learn which namespaces granted them.
     */
    static final Set<String> CLUSTER_RULES = clusterRules();

    private static Set<String> clusterRules() {
        Set<String> rules = new TreeSet<>(WATCH_RULES);
        rules.removeIf(r -> r.startsWith("/secrets:"));
        rules.addAll(
                triples(
                        rule("rbac.authorization.k8s.io", List.of("rolebindings"), "list", "watch"),
                        rule("", List.of("namespaces"), "list")));
        return Set.copyOf(rules);
    }

    @Test
    void strictLintFindsNothingButTheMissingIcon() {
        LintResult lint = Chart.lintStrict();
        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
    }

    @Test
    void defaultsInstallTheOperatorForAllNamespaces() {
        Manifests m = Chart.renderDefaults();
        assertThat(m.ids())
                .containsExactly(
                        "ClusterRole realmgate-operator",
                        "ClusterRole realmgate-secrets",
                        "ClusterRoleBinding realmgate-operator",
                        "CustomResourceDefinition forwardproxies.realmgate.io",
                        "CustomResourceDefinition realms.realmgate.io",
                        "Deployment realmgate-system/realmgate-operator",
                        "NetworkPolicy realmgate-system/realmgate-operator",
                        "Role realmgate-system/realmgate-operator-lease-and-ca",
                        "RoleBinding realmgate-system/realmgate-operator-lease-and-ca",
                        "Service realmgate-system/realmgate-operator-metrics",
                        "ServiceAccount realmgate-system/realmgate-operator");

        ClusterRole clusterRole = m.get("ClusterRole", "realmgate-operator", ClusterRole.class);
        assertThat(triples(clusterRole.getRules()))
                .containsExactlyInAnyOrderElementsOf(CLUSTER_RULES)
                .as("no right on Secrets anywhere")
                .noneMatch(r -> r.contains("secrets"));
        // The Secret verbs, bound by no ClusterRoleBinding: each namespace grants them (no
        // secretNamespaces, none).
        assertThat(triples(m.get("ClusterRole", "realmgate-secrets", ClusterRole.class).getRules()))
                .containsExactlyInAnyOrderElementsOf(SECRET_RULES);
        assertThat(m.ofKind("RoleBinding"))
                .extracting(o -> o.getMetadata().getName())
                .containsExactly("realmgate-operator-lease-and-ca");
        ClusterRoleBinding binding =
                m.get("ClusterRoleBinding", "realmgate-operator", ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo("realmgate-operator");
        assertThat(binding.getSubjects())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.getKind()).isEqualTo("ServiceAccount");
                            assertThat(s.getName()).isEqualTo("realmgate-operator");
                            assertThat(s.getNamespace()).isEqualTo(NS);
                        });
        Role own = m.get("Role", "realmgate-operator-lease-and-ca", Role.class);
        assertThat(own.getRules())
                .extracting(
                        r ->
                                r.getApiGroups()
                                        + " "
                                        + r.getResources()
                                        + " "
                                        + r.getResourceNames()
                                        + " "
                                        + r.getVerbs())
                .containsExactly(
                        "[coordination.k8s.io] [leases] [] [create]",
                        "[coordination.k8s.io] [leases] ["
                                + OperatorOptions.LEASE_NAME
                                + "] [get, update, patch]",
                        "[] [secrets] [] [create]",
                        "[] [secrets] ["
                                + OperatorSettings.defaults().caSecretName()
                                + "] [get, update]",
                        "[] [secrets] [] [list, watch]");

        Deployment deployment = m.get("Deployment", "realmgate-operator", Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("realmgate-operator");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        Container operator = pod.getContainers().get(0);
        // The names the Maven build gives its images (profile images, Jib), tagged with the chart's
        // appVersion.
        assertThat(operator.getImage()).isEqualTo(IMAGES + "/operator:" + OperatorSettings.VERSION);
        assertThat(operator.getEnv())
                .anySatisfy(
                        e -> {
                            assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
                            assertThat(e.getValue())
                                    .isEqualTo(
                                            "-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError");
                        });
        assertThat(operator.getArgs())
                .containsExactly(
                        "--operator-namespace=$(POD_NAMESPACE)",
                        "--realm-image=" + IMAGES + "/realm:" + OperatorSettings.VERSION,
                        "--proxy-image=" + IMAGES + "/proxy:" + OperatorSettings.VERSION,
                        "--admin=0.0.0.0:8080",
                        "--cluster-domain=cluster.local",
                        "--log-format=text",
                        "--secrets-cluster-role=realmgate-secrets",
                        "--service-account=realmgate-operator",
                        "--metrics-pod-selector=app.kubernetes.io/name=prometheus");
        assertThat(pod.getImagePullSecrets()).isNullOrEmpty();
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop())
                .containsExactly("ALL");
        assertThat(operator.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        assertThat(operator.getVolumeMounts())
                .singleElement()
                .satisfies(v -> assertThat(v.getMountPath()).isEqualTo("/tmp"));
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(
                        List.of(
                                operator.getLivenessProbe(),
                                operator.getReadinessProbe(),
                                operator.getStartupProbe()))
                .allSatisfy(
                        p -> assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("admin"));
        assertThat(operator.getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getName()).isEqualTo("admin");
                            assertThat(p.getContainerPort()).isEqualTo(8080);
                        });
        assertThat(operator.getResources().getRequests())
                .containsEntry("cpu", new Quantity("100m"))
                .containsEntry("memory", new Quantity("256Mi"));
        assertThat(operator.getResources().getLimits())
                .containsEntry("memory", new Quantity("512Mi"));

        // The operator accepts the chart's flags, and they say what the chart means: its default
        // images, all
        // namespaces, the cluster domain, the admin port of the probes, the Lease in its namespace.
        OperatorOptions options = parseFlags(operator, NS);
        assertThat(options.settings().realmImage())
                .isEqualTo(IMAGES + "/realm:" + OperatorSettings.VERSION);
        assertThat(options.settings().proxyImage())
                .isEqualTo(IMAGES + "/proxy:" + OperatorSettings.VERSION);
        assertThat(options.settings().clusterDomain()).isEqualTo("cluster.local");
        assertThat(options.settings().operatorNamespace()).isEqualTo(NS);
        assertThat(options.namespaces()).isEmpty();
        assertThat(options.adminHost()).isEqualTo("0.0.0.0");
        assertThat(options.adminPort()).isEqualTo(8080);
        assertThat(options.leaderElection()).isTrue();
        assertThat(options.leaderElectionNamespace()).isEqualTo(NS);
        // Secrets only where a RoleBinding binds realmgate-secrets to this ServiceAccount.
        assertThat(options.settings().secretGrant())
                .contains(new SecretGrant("realmgate-secrets", NS, "realmgate-operator"));
    }

    @Test
    void secretNamespacesAreGrantedWithARoleBindingEach() {
        Manifests m =
                Chart.render(Chart.DEFAULT_RELEASE, NS, "secretNamespaces: [apps, trading]\n");
        assertThat(m.ids())
                .contains(
                        "RoleBinding apps/realmgate-secrets",
                        "RoleBinding trading/realmgate-secrets");
        for (var o : m.ofKind("RoleBinding")) {
            if (!o.getMetadata().getName().equals("realmgate-secrets")) {
                continue;
            }
            RoleBinding binding = Manifests.JSON.convertValue(o, RoleBinding.class);
            assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(binding.getRoleRef().getName()).isEqualTo("realmgate-secrets");
            assertThat(binding.getSubjects())
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                                assertThat(s.getName()).isEqualTo("realmgate-operator");
                                assertThat(s.getNamespace()).isEqualTo(NS);
                            });
            // The operator would count it as a grant.
            assertThat(
                            new SecretGrant("realmgate-secrets", NS, "realmgate-operator")
                                    .grants(binding))
                    .isTrue();
        }
        assertThat(m.ofKind("RoleBinding")).hasSize(3);
        // The namespaced mode has Secrets in its Roles already: the value makes no sense there, and
        // says so.
        Throwable refused =
                catchThrowable(
                        () ->
                                Chart.template(
                                        Chart.DEFAULT_RELEASE,
                                        NS,
                                        "watchNamespaces: [apps]\nsecretNamespaces: [apps]\n"));
        assertThat(refused)
                .hasMessageContaining(
                        "secretNamespaces is for the all-namespaces mode: with "
                                + "watchNamespaces, the Role of each watched namespace grants its Secrets");
    }

    @Test
    void everyRbacRuleSaysWhyAndNoneIsAWildcard() {
        // values -> rules rendered: the ClusterRole's 13 rules, the Secrets ClusterRole's one and 5
        // in the operator's namespace; or 11 watch rules per listed namespace, the read of those
        // namespaces and 4 in the operator's namespace
        for (var expected : Map.of("{}", 19, "watchNamespaces: [apps, trading]", 27).entrySet()) {
            String values = expected.getKey();
            String yaml = Chart.template(Chart.DEFAULT_RELEASE, NS, values);
            List<String> lines = yaml.lines().toList();
            int rules = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().startsWith("- apiGroups:")) {
                    rules++;
                    assertThat(lines.get(i - 1).strip())
                            .as("the line before rule %s (line %d)", lines.get(i), i)
                            .startsWith("#");
                }
            }
            assertThat(rules).as("rules in %s", values).isEqualTo(expected.getValue());
            Manifests m = Manifests.parse(yaml);
            List<PolicyRule> all = new ArrayList<>();
            m.ofKind("ClusterRole")
                    .forEach(
                            o ->
                                    all.addAll(
                                            Manifests.JSON
                                                    .convertValue(o, ClusterRole.class)
                                                    .getRules()));
            m.ofKind("Role")
                    .forEach(
                            o -> all.addAll(Manifests.JSON.convertValue(o, Role.class).getRules()));
            assertThat(all)
                    .isNotEmpty()
                    .allSatisfy(
                            r -> {
                                assertThat(r.getApiGroups()).doesNotContain("*");
                                assertThat(r.getResources()).doesNotContain("*");
                                assertThat(r.getVerbs())
                                        .doesNotContain(
                                                "*",
                                                "escalate",
                                                "bind",
                                                "impersonate",
                                                "deletecollection");
                            });
        }
    }

    @Test
    void namespacedModeUsesARoleInEachListedNamespaceAndOnlyReadsThoseNamespaces() {
        Manifests m = Chart.render(Chart.DEFAULT_RELEASE, NS, "watchNamespaces: [apps, trading]\n");
        assertThat(m.ids())
                .containsExactly(
                        "ClusterRole realmgate-operator-namespaces",
                        "ClusterRoleBinding realmgate-operator-namespaces",
                        "CustomResourceDefinition forwardproxies.realmgate.io",
                        "CustomResourceDefinition realms.realmgate.io",
                        "Deployment realmgate-system/realmgate-operator",
                        "NetworkPolicy realmgate-system/realmgate-operator",
                        "Role apps/realmgate-operator",
                        "Role realmgate-system/realmgate-operator-lease-and-ca",
                        "Role trading/realmgate-operator",
                        "RoleBinding apps/realmgate-operator",
                        "RoleBinding realmgate-system/realmgate-operator-lease-and-ca",
                        "RoleBinding trading/realmgate-operator",
                        "Service realmgate-system/realmgate-operator-metrics",
                        "ServiceAccount realmgate-system/realmgate-operator");
        for (var o : m.ofKind("Role")) {
            if (o.getMetadata().getName().equals("realmgate-operator")) {
                assertThat(triples(Manifests.JSON.convertValue(o, Role.class).getRules()))
                        .containsExactlyInAnyOrderElementsOf(WATCH_RULES);
            }
        }
        // Cluster-wide, only the watched namespaces' labels (for the CA bundle's client
        // namespaces), by name.
        assertThat(
                        m.get("ClusterRole", "realmgate-operator-namespaces", ClusterRole.class)
                                .getRules())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.getResources()).containsExactly("namespaces");
                            assertThat(r.getVerbs()).containsExactly("get");
                            assertThat(r.getResourceNames()).containsExactly("apps", "trading");
                        });
        assertThat(
                        m.get(
                                        "ClusterRoleBinding",
                                        "realmgate-operator-namespaces",
                                        ClusterRoleBinding.class)
                                .getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getNamespace()).isEqualTo(NS));
        for (var o : m.ofKind("RoleBinding")) {
            RoleBinding binding = Manifests.JSON.convertValue(o, RoleBinding.class);
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getSubjects())
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.getName()).isEqualTo("realmgate-operator");
                                assertThat(s.getNamespace()).isEqualTo(NS);
                            });
        }
        Container operator =
                m.get("Deployment", "realmgate-operator", Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        assertThat(parseFlags(operator, NS).namespaces())
                .containsExactlyInAnyOrder("apps", "trading");
    }

    @Test
    void nonDefaultValuesReachTheManifests() {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        Manifests m =
                Chart.render(
                        "edge",
                        "platform",
                        """
        replicas: 2
        crds: {install: false}
        image:
          operator: {repository: registry.example/rg/operator, tag: "1.2.3", pullPolicy: Always}
          realm: {repository: registry.example/rg/realm, digest: "%s"}
          proxy: {repository: registry.example/rg/proxy, tag: "1.2.3"}
        imagePullSecrets: [{name: regcred}]
        clusterDomain: corp.example
        ca: {rotationOverlap: 2h}
        serviceAccount: {create: false, name: platform-operator}
        admin: {port: 9090}
        resources: {requests: {cpu: 250m, memory: 384Mi}, limits: {memory: 768Mi}}
        podAnnotations: {prometheus.io/scrape: "true"}
        nodeSelector: {kubernetes.io/os: linux}
        tolerations: [{key: dedicated, operator: Equal, value: operators, effect: NoSchedule}]
        priorityClassName: system-cluster-critical
        """
                                .formatted(digest));
        assertThat(m.ids())
                .containsExactly(
                        "ClusterRole edge-realmgate-operator",
                        "ClusterRole edge-realmgate-secrets",
                        "ClusterRoleBinding edge-realmgate-operator",
                        "Deployment platform/edge-realmgate-operator",
                        "NetworkPolicy platform/edge-realmgate-operator",
                        "PodDisruptionBudget platform/edge-realmgate-operator",
                        "Role platform/edge-realmgate-operator-lease-and-ca",
                        "RoleBinding platform/edge-realmgate-operator-lease-and-ca",
                        "Service platform/edge-realmgate-operator-metrics");
        assertThat(
                        m.get(
                                        "ClusterRoleBinding",
                                        "edge-realmgate-operator",
                                        ClusterRoleBinding.class)
                                .getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("platform-operator"));

        Deployment deployment = m.get("Deployment", "edge-realmgate-operator", Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        // Two replicas: a drain takes one at a time, and the budget covers exactly the operator's
        // pods.
        PodDisruptionBudget budget =
                m.get("PodDisruptionBudget", "edge-realmgate-operator", PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getMinAvailable()).isNull();
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        // One replica (the default, defaultsInstallTheOperatorForAllNamespaces) or none: no budget.
        for (String replicas : List.of("0", "1")) {
            assertThat(Chart.render("edge", "platform", "replicas: " + replicas + "\n").ids())
                    .as("replicas %s", replicas)
                    .noneMatch(id -> id.startsWith("PodDisruptionBudget"));
        }
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("platform-operator");
        assertThat(pod.getImagePullSecrets())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("regcred"));
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        assertThat(pod.getTolerations())
                .singleElement()
                .satisfies(t -> assertThat(t.getValue()).isEqualTo("operators"));
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true");
        Container operator = pod.getContainers().get(0);
        assertThat(operator.getImage()).isEqualTo("registry.example/rg/operator:1.2.3");
        assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
        assertThat(operator.getPorts().get(0).getContainerPort()).isEqualTo(9090);
        assertThat(operator.getResources().getLimits())
                .containsEntry("memory", new Quantity("768Mi"));
        OperatorOptions options = parseFlags(operator, "platform");
        assertThat(options.settings().realmImage())
                .isEqualTo("registry.example/rg/realm@" + digest);
        assertThat(options.settings().proxyImage()).isEqualTo("registry.example/rg/proxy:1.2.3");
        assertThat(options.adminPort()).isEqualTo(9090);
        assertThat(options.settings().operatorNamespace()).isEqualTo("platform");
        assertThat(options.settings().clusterDomain()).isEqualTo("corp.example");
        assertThat(options.settings().caRotationOverlap()).isEqualTo(Duration.ofHours(2));
        assertThat(operator.getArgs())
                .contains(
                        "--cluster-domain=corp.example",
                        "--image-pull-secrets=regcred",
                        "--ca-rotation-overlap=2h");
        assertThat(options.settings().secretGrant())
                .contains(
                        new SecretGrant("edge-realmgate-secrets", "platform", "platform-operator"));
    }

    @Test
    void logFormatIsTheOperatorsOwnAndItsFlagForThePods() {
        for (String format : List.of("text", "json")) {
            Container operator =
                    Chart.render(Chart.DEFAULT_RELEASE, NS, "logFormat: " + format + "\n")
                            .get("Deployment", "realmgate-operator", Deployment.class)
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0);
            assertThat(operator.getArgs()).contains("--log-format=" + format);
            assertThat(operator.getEnv())
                    .filteredOn(e -> e.getName().equals("REALMGATE_LOG_FORMAT"))
                    .extracting(e -> e.getValue())
                    .containsExactly(format);
            assertThat(parseFlags(operator, NS).settings().logFormat().value()).isEqualTo(format);
        }
        Container byDefault =
                Chart.renderDefaults()
                        .get("Deployment", "realmgate-operator", Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        assertThat(byDefault.getArgs()).contains("--log-format=text");
    }

    @Test
    void pullSecretsAndMetricsScrapersBecomeTheOperatorsFlags() {
        Manifests m =
                Chart.render(
                        Chart.DEFAULT_RELEASE,
                        NS,
                        """
        imagePullSecrets: [{name: regcred}, {name: mirror.cred}]
        metrics:
          scrapers:
            namespaceSelector: {team: observability, kubernetes.io/metadata.name: monitoring}
            podSelector: {app.kubernetes.io/name: prometheus, app.kubernetes.io/instance: k8s}
        """);
        PodSpec pod =
                m.get("Deployment", "realmgate-operator", Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec();
        // The operator's pod pulls with them, and every realm and proxy pod it creates gets them
        // too (the flag).
        assertThat(pod.getImagePullSecrets())
                .extracting(s -> s.getName())
                .containsExactly("regcred", "mirror.cred");
        Container operator = pod.getContainers().get(0);
        assertThat(operator.getArgs())
                .containsSubsequence(
                        "--image-pull-secrets=regcred,mirror.cred",
                        // matchLabels as k=v pairs in key order
                        "--metrics-namespace-selector=kubernetes.io/metadata.name=monitoring,team=observability",
                        "--metrics-pod-selector=app.kubernetes.io/instance=k8s,app.kubernetes.io/name=prometheus");
        parseFlags(operator, NS);

        // No pod selector admits any pod of the selected namespaces: the flag with an empty value.
        // (Helm merges maps,
        // so `podSelector: {}` in a values file keeps the default's keys; null removes them, as
        // values.yaml says.)
        Container anyPod =
                Chart.render(
                                Chart.DEFAULT_RELEASE,
                                NS,
                                "metrics: {scrapers: {podSelector: null}}\n")
                        .get("Deployment", "realmgate-operator", Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        assertThat(anyPod.getArgs())
                .contains("--metrics-pod-selector=")
                .noneMatch(
                        a ->
                                a.startsWith("--metrics-namespace-selector")
                                        || a.startsWith("--image-pull-secrets"));
        parseFlags(anyPod, NS);

        // Scrapers off: no metrics rule in any NetworkPolicy ("none").
        Container off =
                Chart.render(Chart.DEFAULT_RELEASE, NS, "metrics: {scrapers: {enabled: false}}\n")
                        .get("Deployment", "realmgate-operator", Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        assertThat(off.getArgs())
                .contains("--metrics-pod-selector=none")
                .noneMatch(a -> a.startsWith("--metrics-namespace-selector"));
        parseFlags(off, NS);
    }

    @Test
    void theOperatorsNetworkPolicyAdmitsTheScrapersAndLetsItReachOnlyTheApiServerAndDns() {
        Manifests m = Chart.renderDefaults();
        Deployment deployment = m.get("Deployment", "realmgate-operator", Deployment.class);
        NetworkPolicy policy = m.get("NetworkPolicy", "realmgate-operator", NetworkPolicy.class);
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        // In: the metrics scrapers (metrics.scrapers, as for the realm and proxy pods), to the
        // admin port only.
        assertThat(policy.getSpec().getIngress())
                .singleElement()
                .satisfies(
                        rule -> {
                            assertThat(rule.getFrom())
                                    .singleElement()
                                    .satisfies(
                                            peer -> {
                                                assertThat(peer.getNamespaceSelector()).isNotNull();
                                                assertThat(
                                                                peer.getNamespaceSelector()
                                                                        .getMatchLabels())
                                                        .isNullOrEmpty();
                                                assertThat(peer.getPodSelector().getMatchLabels())
                                                        .containsExactly(
                                                                Map.entry(
                                                                        "app.kubernetes.io/name",
                                                                        "prometheus"));
                                                assertThat(peer.getIpBlock()).isNull();
                                            });
                            assertThat(ports(rule.getPorts())).containsExactly("TCP/8080");
                        });
        // Out: the API server (any address on its two usual ports by default), DNS; nothing else.
        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertThat(egress).hasSize(3);
        assertThat(egress.get(0).getTo())
                .extracting(p -> p.getIpBlock().getCidr())
                .containsExactly("0.0.0.0/0", "::/0");
        assertThat(ports(egress.get(0).getPorts())).containsExactly("TCP/443", "TCP/6443");
        assertThat(egress.get(1).getTo())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getNamespaceSelector()).isNotNull();
                            assertThat(p.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
                            assertThat(p.getPodSelector()).isNull();
                        });
        assertThat(ports(egress.get(1).getPorts()))
                .containsExactly("UDP/53", "TCP/53", "UDP/5353", "TCP/5353");
        assertThat(egress.get(2).getTo())
                .extracting(p -> p.getIpBlock().getCidr())
                .containsExactly("169.254.20.10/32");
        assertThat(ports(egress.get(2).getPorts())).containsExactly("UDP/53", "TCP/53");
        assertThat(egress)
                .allSatisfy(
                        r ->
                                assertThat(r.getPorts())
                                        .as("an egress rule without ports")
                                        .isNotEmpty());
    }

    @Test
    void theApiServersAddressesScrapersAndAdminPortNarrowTheOperatorsNetworkPolicy() {
        NetworkPolicy policy =
                Chart.render(
                                Chart.DEFAULT_RELEASE,
                                NS,
                                """
        admin: {port: 9090}
        apiServer: {cidrs: [10.244.0.1/32, "fd00::1/128"], ports: [6443]}
        metrics:
          scrapers:
            namespaceSelector: {kubernetes.io/metadata.name: monitoring}
            podSelector: null
        """)
                        .get("NetworkPolicy", "realmgate-operator", NetworkPolicy.class);
        NetworkPolicyIngressRule scrapers = policy.getSpec().getIngress().get(0);
        assertThat(scrapers.getFrom())
                .singleElement()
                .satisfies(
                        peer -> {
                            assertThat(peer.getNamespaceSelector().getMatchLabels())
                                    .containsExactly(
                                            Map.entry("kubernetes.io/metadata.name", "monitoring"));
                            // Any pod of that namespace, as the operator's flag says for the
                            // realm and proxy pods.
                            assertThat(peer.getPodSelector()).isNotNull();
                            assertThat(peer.getPodSelector().getMatchLabels()).isNullOrEmpty();
                        });
        assertThat(ports(scrapers.getPorts())).containsExactly("TCP/9090");
        NetworkPolicyEgressRule apiServer = policy.getSpec().getEgress().get(0);
        assertThat(apiServer.getTo())
                .extracting(p -> p.getIpBlock().getCidr())
                .containsExactly("10.244.0.1/32", "fd00::1/128");
        assertThat(ports(apiServer.getPorts())).containsExactly("TCP/6443");

        // Scrapers off: the policy still selects the operator for ingress and admits nobody.
        NetworkPolicy closed =
                Chart.render(Chart.DEFAULT_RELEASE, NS, "metrics: {scrapers: {enabled: false}}\n")
                        .get("NetworkPolicy", "realmgate-operator", NetworkPolicy.class);
        assertThat(closed.getSpec().getPolicyTypes()).contains("Ingress");
        assertThat(closed.getSpec().getIngress()).isNullOrEmpty();
        assertThat(closed.getSpec().getEgress()).hasSize(3);
    }

    @Test
    void theMetricsServiceSelectsTheOperatorsAdminPort() {
        Manifests m = Chart.render("edge", "platform", "admin: {port: 9090}\n");
        Deployment deployment = m.get("Deployment", "edge-realmgate-operator", Deployment.class);
        Service service = m.get("Service", "edge-realmgate-operator-metrics", Service.class);
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        // Labelled like the chart's objects, so a ServiceMonitor selects it by instance and
        // component.
        assertThat(service.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/instance", "edge")
                .containsEntry("app.kubernetes.io/component", "operator");
        Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(service.getSpec().getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getName()).isEqualTo("metrics");
                            assertThat(p.getPort()).isEqualTo(9090);
                            assertThat(p.getProtocol()).isEqualTo("TCP");
                            // The container's port by name: the admin listener that serves
                            // /metrics.
                            assertThat(p.getTargetPort().getStrVal())
                                    .isEqualTo(operator.getPorts().get(0).getName());
                        });
        assertThat(parseFlags(operator, "platform").adminPort()).isEqualTo(9090);
    }

    @Test
    void theNetworkPolicyAndTheMetricsServiceCanBeTurnedOff() {
        assertThat(
                        Chart.render(
                                        Chart.DEFAULT_RELEASE,
                                        NS,
                                        "networkPolicy: {enabled: false}\nmetrics: {service: {enabled: false}}\n")
                                .ids())
                .noneMatch(id -> id.startsWith("NetworkPolicy ") || id.startsWith("Service "))
                .contains("Deployment realmgate-system/realmgate-operator");
    }

    /** "PROTOCOL/port" of each NetworkPolicy port, in order. */
    private static List<String> ports(List<NetworkPolicyPort> ports) {
        return ports.stream().map(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).toList();
    }

    @Test
    void theServiceAccountItCreatesIsTheOneItBinds() {
        Manifests m =
                Chart.render(
                        "rg",
                        "ops",
                        "serviceAccount: {name: custom-sa, annotations: {team: messaging}}\n");
        ServiceAccount sa = m.get("ServiceAccount", "custom-sa", ServiceAccount.class);
        assertThat(sa.getMetadata().getAnnotations()).containsEntry("team", "messaging");
        assertThat(
                        m.get(
                                        "ClusterRoleBinding",
                                        "rg-realmgate-operator",
                                        ClusterRoleBinding.class)
                                .getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("custom-sa"));
    }

    @Test
    void mistypedValuesAreRefusedWithHelmsMessage() {
        assertRefused(
                "watchNamespace: [apps]\n",
                "at '': additional properties 'watchNamespace' not allowed");
        assertRefused("replicas: two\n", "at '/replicas': got string, want integer");
        assertRefused("admin: {port: 80}\n", "at '/admin/port': minimum: got 80, want 1,024");
        assertRefused(
                "image: {operator: {pullPolicy: Sometimes}}\n",
                "at '/image/operator/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'");
        assertRefused("watchNamespaces: [Apps_1]\n", "at '/watchNamespaces/0'");
        assertRefused(
                "crds: {instal: false}\n",
                "at '/crds': additional properties 'instal' not allowed");
        assertRefused("clusterDomain: Cluster_Local\n", "at '/clusterDomain'");
        assertRefused("clusterDomain: 42\n", "at '/clusterDomain': got number, want string");
        assertRefused("ca: {rotationOverlap: two-hours}\n", "at '/ca/rotationOverlap'");
        assertRefused("imagePullSecrets: [{name: 'a,b'}]\n", "at '/imagePullSecrets/0/name'");
        assertRefused("logFormat: JSON\n", "at '/logFormat'");
        assertRefused("secretNamespaces: apps\n", "at '/secretNamespaces': got string, want array");
        assertRefused("secretNamespaces: [apps, apps]\n", "at '/secretNamespaces'");
        // A value or a key that would break the k=v,k=v flag, or is no label at all, is refused.
        assertRefused(
                "metrics: {scrapers: {podSelector: {app: 'prom,etheus'}}}\n",
                "at '/metrics/scrapers/podSelector/app'");
        assertRefused(
                "metrics: {scrapers: {namespaceSelector: {'team=x': obs}}}\n",
                "invalid propertyName 'team=x'");
        assertRefused(
                "metrics: {scrapers: {podSelector: [prometheus]}}\n",
                "at '/metrics/scrapers/podSelector': got array, want object");
        assertRefused(
                "metrics: {scraper: {}}\n",
                "at '/metrics': additional properties 'scraper' not allowed");
        assertRefused("apiServer: {cidrs: [10.0.0.1]}\n", "at '/apiServer/cidrs/0'");
        assertRefused("apiServer: {ports: []}\n", "at '/apiServer/ports'");
        assertRefused(
                "networkPolicy: {enable: false}\n",
                "at '/networkPolicy': additional properties 'enable' not allowed");
    }

    @Test
    void anExistingServiceAccountMustBeNamed() {
        Throwable refused =
                catchThrowable(
                        () -> Chart.template("rg", "ops", "serviceAccount: {create: false}\n"));
        assertThat(refused)
                .hasMessageContaining(
                        "serviceAccount.name is required when serviceAccount.create is false");
    }

    private static void assertRefused(String values, String message) {
        Throwable refused = catchThrowable(() -> Chart.template(Chart.DEFAULT_RELEASE, NS, values));
        assertThat(refused)
                .as("values %s", values)
                .isNotNull()
                .hasMessageContaining("values don't meet the specifications of the schema(s)")
                .hasMessageContaining(message);
    }

    /**
     * The container's args through the operator's own command-line parser, as the kubelet would
     * expand them.
     */
    static OperatorOptions parseFlags(Container operator, String namespace) {
        List<String> args =
                operator.getArgs().stream()
                        .map(a -> a.replace("$(POD_NAMESPACE)", namespace))
                        .toList();
        assertThat(operator.getEnv())
                .anySatisfy(
                        e -> {
                            assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
                            assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                                    .isEqualTo("metadata.namespace");
                        });
        try {
            return OperatorCommandLine.parse(
                    args, Map.of("POD_NAMESPACE", namespace, "POD_NAME", "operator-0"));
        } catch (OperatorCommandLine.BadFlag e) {
            throw new AssertionError(
                    "the operator refuses the chart's flags " + args + ": " + e.getMessage(), e);
        } catch (OperatorCommandLine.HelpRequested e) {
            throw new AssertionError("the chart's flags ask for help: " + args, e);
        }
    }

    static Set<String> triples(List<PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : rules) {
            assertThat(r.getResourceNames()).as("a watch rule names no object").isNullOrEmpty();
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        out.add(g + "/" + res + ":" + v);
                    }
                }
            }
        }
        return out;
    }

    private static PolicyRule rule(String group, List<String> resources, String... verbs) {
        PolicyRule r = new PolicyRule();
        r.setApiGroups(List.of(group));
        r.setResources(resources);
        r.setVerbs(List.of(verbs));
        return r;
    }

    private static Set<String> triples(PolicyRule... rules) {
        return triples(List.of(rules));
    }
}
