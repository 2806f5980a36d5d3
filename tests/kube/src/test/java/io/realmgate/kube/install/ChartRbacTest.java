package io.realmgate.kube.install;

import static io.realmgate.kube.install.OperatorAsServiceAccount.can;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.kube.RealmgateResources;
import io.realmgate.operator.OperatorOptions;
import io.realmgate.operator.OperatorSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's RBAC is enough and no more, proven on a real API server: the rendered manifests
 * (default values, and namespaced mode) are applied server-side; then the operator runs with the
 * chart's flags and exactly the chart's ServiceAccount permissions (every call impersonates the
 * ServiceAccount) and reconciles the reference scenario from examples/: every child exists, the
 * status is written, the CA Secret and the Lease are in its namespace, a failure is recorded as an
 * Event, and nothing it logs says forbidden. And what it does not need, it cannot do: watching all
 * namespaces, it has no right on Secrets but where a namespace grants them, and a Realm where none
 * was granted waits for the grant (SecretAccessNotGranted), then goes on without a restart.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(300)
class ChartRbacTest {
    /** Cluster mode: release "helmrbac" → objects "helmrbac-realmgate-operator". */
    private static final String CLUSTER_NS = "chart-rbac-cluster";

    private static final String CLUSTER_SA = "helmrbac-realmgate-operator";

    /** The ClusterRole a namespace binds to let the cluster-mode operator use its Secrets. */
    private static final String CLUSTER_SECRETS_ROLE = "helmrbac-realmgate-secrets";

    /** Namespaced mode: release "helmrbacns", watching one namespace only. */
    private static final String NAMESPACED_NS = "chart-rbac-namespaced";

    private static final String NAMESPACED_SA = "helmrbacns-realmgate-operator";
    private static final String WATCHED = "chart-rbac-watched";
    private static final String UNWATCHED = "chart-rbac-unwatched";

    /**
     * Cluster mode: a namespace that has not granted the operator its Secrets (until a test does).
     */
    private static final String UNGRANTED = "chart-rbac-ungranted";

    private static final Duration RECONCILED = Duration.ofSeconds(90);

    private static KubeApi api;
    private static KubernetesClient admin;

    /** The operator's flags as each install renders them. */
    private static OperatorOptions clusterFlags;

    private static OperatorOptions namespacedFlags;

    @BeforeAll
    static void installTheChartTwice(KubeApi shared) {
        api = shared;
        admin = api.client();
        for (String ns : new String[] {CLUSTER_NS, NAMESPACED_NS, WATCHED, UNWATCHED, UNGRANTED}) {
            OperatorHarness.ensureNamespace(admin, ns);
        }
        clusterFlags = applyServerSide(Chart.render("helmrbac", CLUSTER_NS, null), CLUSTER_NS);
        namespacedFlags =
                applyServerSide(
                        Chart.render(
                                "helmrbacns",
                                NAMESPACED_NS,
                                "watchNamespaces: [" + WATCHED + "]\n"),
                        NAMESPACED_NS);
        // The RBAC authorizer learns of new bindings through its informers: wait until it has.
        try (KubernetesClient cluster =
                        OperatorAsServiceAccount.impersonating(api, CLUSTER_NS, CLUSTER_SA);
                KubernetesClient namespaced =
                        OperatorAsServiceAccount.impersonating(api, NAMESPACED_NS, NAMESPACED_SA)) {
            await("RBAC in effect")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () ->
                                    can(cluster, "list", "realmgate.io", "realms", null, null)
                                            && can(
                                                    namespaced,
                                                    "list",
                                                    "realmgate.io",
                                                    "realms",
                                                    WATCHED,
                                                    null)
                                            && can(
                                                    namespaced,
                                                    "create",
                                                    "coordination.k8s.io",
                                                    "leases",
                                                    NAMESPACED_NS,
                                                    null));
        }
    }

    /**
     * Every rendered object, server-side applied as Helm's field manager would own it, then read
     * back; the operator's flags, parsed.
     */
    private static OperatorOptions applyServerSide(Manifests rendered, String namespace) {
        for (GenericKubernetesResource o : rendered.all()) {
            admin.resource(o).fieldManager("helm").forceConflicts().serverSideApply();
        }
        for (GenericKubernetesResource o : rendered.all()) {
            assertThat(admin.resource(o).get()).as("stored: %s", Manifests.id(o)).isNotNull();
        }
        // The API server kept the Deployment as rendered (no field dropped or defaulted away).
        Deployment stored =
                admin.apps()
                        .deployments()
                        .inNamespace(
                                rendered.ofKind("Deployment").get(0).getMetadata().getNamespace())
                        .withName(rendered.ofKind("Deployment").get(0).getMetadata().getName())
                        .get();
        Deployment wanted =
                Manifests.JSON.convertValue(rendered.ofKind("Deployment").get(0), Deployment.class);
        assertThat(stored.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .isEqualTo(
                        wanted.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        assertThat(stored.getSpec().getTemplate().getSpec().getSecurityContext())
                .isEqualTo(wanted.getSpec().getTemplate().getSpec().getSecurityContext());
        return HelmChartTest.parseFlags(
                stored.getSpec().getTemplate().getSpec().getContainers().get(0), namespace);
    }

    @Test
    void withTheClusterRoleTheOperatorReconcilesTheReferenceScenario() {
        // The example's RoleBinding lets the operator use the Secrets of its "apps" (for this
        // release's names).
        ReferenceScenario scenario =
                ReferenceScenario.forRelease(
                        "chart-rbac-apps",
                        "chart-rbac-trading",
                        CLUSTER_SECRETS_ROLE,
                        CLUSTER_NS,
                        CLUSTER_SA);
        assertThat(clusterFlags.namespaces()).as("all namespaces").isEmpty();
        try (OperatorAsServiceAccount operator =
                OperatorAsServiceAccount.start(api, CLUSTER_SA, clusterFlags)) {
            reconcilesTheScenario(scenario, operator, CLUSTER_NS);
        }
    }

    @Test
    void withRolesOnlyTheNamespacedOperatorReconcilesTheReferenceScenario() {
        ReferenceScenario scenario = new ReferenceScenario(WATCHED, "chart-rbac-watched-clients");
        assertThat(namespacedFlags.namespaces()).containsExactly(WATCHED);
        assertThat(namespacedFlags.settings().secretGrant())
                .as("its Role grants Secrets")
                .isEmpty();
        try (OperatorAsServiceAccount operator =
                OperatorAsServiceAccount.start(api, NAMESPACED_SA, namespacedFlags)) {
            reconcilesTheScenario(scenario, operator, NAMESPACED_NS);
        }
    }

    private static void reconcilesTheScenario(
            ReferenceScenario scenario, OperatorAsServiceAccount operator, String operatorNs) {
        // It leads: the Lease in its own namespace, held under its identity.
        await("the Lease")
                .atMost(RECONCILED)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> {
                            Lease lease =
                                    admin.leases()
                                            .inNamespace(operatorNs)
                                            .withName(OperatorOptions.LEASE_NAME)
                                            .get();
                            return lease != null
                                    && lease.getSpec()
                                            .getHolderIdentity()
                                            .startsWith("install-test-");
                        });

        scenario.apply(admin);
        // A ForwardProxy naming a realm that does not exist: Ready=False and a Warning Event
        // (events: create).
        admin.resource(
                        Manifests.parse(
                                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: orphan, namespace: %s}
        spec:
          allowConnect: [{realm: missing, ports: [9443]}]
        """
                                                .formatted(scenario.apps))
                                .all()
                                .get(0))
                .fieldManager("reference-scenario")
                .serverSideApply();

        scenario.awaitChildren(admin, RECONCILED);
        // The CA was created in the operator's namespace and signed the realm's certificate.
        assertThat(
                        admin.secrets()
                                .inNamespace(operatorNs)
                                .withName(OperatorSettings.defaults().caSecretName())
                                .get())
                .isNotNull();
        await("status written")
                .atMost(RECONCILED)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () ->
                                ReferenceScenario.conditionIs(
                                                scenario.get(admin, "Realm"),
                                                "CertificateReady",
                                                "True")
                                        && ReferenceScenario.condition(
                                                        scenario.get(admin, "Realm"), "Ready")
                                                != null
                                        && ReferenceScenario.condition(
                                                        scenario.get(admin, "ForwardProxy"),
                                                        "Ready")
                                                != null);
        await("a Warning Event for the missing realm")
                .atMost(RECONCILED)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () ->
                                admin
                                        .v1()
                                        .events()
                                        .inNamespace(scenario.apps)
                                        .list()
                                        .getItems()
                                        .stream()
                                        .anyMatch(
                                                e ->
                                                        "orphan"
                                                                        .equals(
                                                                                e.getInvolvedObject()
                                                                                        .getName())
                                                                && "RealmNotFound"
                                                                        .equals(e.getReason())));

        // The pods run (as far as a cluster without kubelet can say): both turn Ready, a second
        // status write.
        scenario.markDeploymentsAvailable(admin);
        await("Ready")
                .atMost(RECONCILED)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () ->
                                ReferenceScenario.conditionIs(
                                                scenario.get(admin, "Realm"), "Ready", "True")
                                        && ReferenceScenario.conditionIs(
                                                scenario.get(admin, "ForwardProxy"),
                                                "Ready",
                                                "True"));
        @SuppressWarnings("unchecked")
        Map<String, Object> status =
                (Map<String, Object>)
                        scenario.get(admin, "ForwardProxy").getAdditionalProperties().get("status");
        assertThat(status)
                .containsEntry("endpoint", "http://egress-proxy." + scenario.apps + ".svc:3128");

        assertThat(operator.forbiddenInLog())
                .as("log lines about authorization failures")
                .isEmpty();
    }

    @Test
    void withoutTheGrantARealmWaitsForItAndGoesOnOnceGivenWithoutARestart() {
        ReferenceScenario scenario =
                ReferenceScenario.forRelease(
                        UNGRANTED,
                        "chart-rbac-ungranted-clients",
                        CLUSTER_SECRETS_ROLE,
                        CLUSTER_NS,
                        CLUSTER_SA);
        String command =
                "kubectl -n "
                        + UNGRANTED
                        + " create rolebinding "
                        + CLUSTER_SECRETS_ROLE
                        + " --clusterrole="
                        + CLUSTER_SECRETS_ROLE
                        + " --serviceaccount="
                        + CLUSTER_NS
                        + ":"
                        + CLUSTER_SA;
        try (OperatorAsServiceAccount operator =
                OperatorAsServiceAccount.start(api, CLUSTER_SA, clusterFlags)) {
            scenario.applyWithoutTheGrant(admin);
            // A proxy with an issued TLS certificate needs Secrets too; the scenario's own proxy
            // (no TLS, no Basic
            // auth) needs none.
            admin.resource(
                            Manifests.parse(
                                            """
          apiVersion: realmgate.io/v1alpha1
          kind: ForwardProxy
          metadata: {name: secure, namespace: %s}
          spec:
            tls: {enabled: true}
            allowConnect: [{realm: prices, ports: [9443]}]
          """
                                                    .formatted(UNGRANTED))
                                    .all()
                                    .get(0))
                    .fieldManager("reference-scenario")
                    .serverSideApply();

            // Ready=False, with the command that grants it, and a Warning Event saying the same.
            await("SecretAccessNotGranted")
                    .atMost(RECONCILED)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () ->
                                    "SecretAccessNotGranted"
                                                    .equals(
                                                            reason(
                                                                    scenario.get(admin, "Realm"),
                                                                    "Ready"))
                                            && "SecretAccessNotGranted"
                                                    .equals(reason(proxy("secure"), "Ready")));
            Map<String, Object> ready =
                    ReferenceScenario.condition(scenario.get(admin, "Realm"), "Ready");
            assertThat(ready).containsEntry("status", "False");
            assertThat((String) ready.get("message")).endsWith("grant it: " + command);
            assertThat(reason(scenario.get(admin, "Realm"), "CertificateReady"))
                    .isEqualTo("SecretAccessNotGranted");
            assertThat(reason(proxy("secure"), "CertificateReady"))
                    .isEqualTo("SecretAccessNotGranted");
            await("Warning Events")
                    .atMost(RECONCILED)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () ->
                                    admin
                                            .v1()
                                            .events()
                                            .inNamespace(UNGRANTED)
                                            .list()
                                            .getItems()
                                            .stream()
                                            .filter(
                                                    e ->
                                                            "SecretAccessNotGranted"
                                                                            .equals(e.getReason())
                                                                    && "Warning".equals(e.getType())
                                                                    && e.getMessage()
                                                                            .endsWith(command))
                                            .map(e -> e.getInvolvedObject().getName())
                                            .collect(Collectors.toSet()),
                            names -> names.containsAll(Set.of(ReferenceScenario.REALM, "secure")));
            // The rest of the realm is there; its pods would wait for the Secret they mount. No
            // Secret was written.
            await("children")
                    .atMost(RECONCILED)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () ->
                                    scenario.existingChildren(admin).size()
                                            == ReferenceScenario.CHILDREN.size() - 1);
            assertThat(scenario.existingChildren(admin)).doesNotContain("Secret prices-realm-tls");
            assertThat(admin.secrets().inNamespace(UNGRANTED).list().getItems()).isEmpty();
            assertThat(
                            ReferenceScenario.conditionIs(
                                    scenario.get(admin, "ForwardProxy"), "Ready", "False"))
                    .isTrue();
            assertThat(reason(scenario.get(admin, "ForwardProxy"), "Ready"))
                    .isNotEqualTo("SecretAccessNotGranted");

            // The command the status names, run as it is (kubectl, as the cluster admin).
            KubeApi.Kubectl grant = api.kubectl(command.substring("kubectl ".length()).split(" "));
            assertThat(grant.exitCode()).as(grant.toString()).isZero();
            await("the certificates issued")
                    .atMost(RECONCILED)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () ->
                                    ReferenceScenario.conditionIs(
                                                    scenario.get(admin, "Realm"),
                                                    "CertificateReady",
                                                    "True")
                                            && ReferenceScenario.conditionIs(
                                                    proxy("secure"), "CertificateReady", "True"));
            assertThat(admin.secrets().inNamespace(UNGRANTED).withName("prices-realm-tls").get())
                    .isNotNull();
            assertThat(admin.secrets().inNamespace(UNGRANTED).withName("secure-proxy-tls").get())
                    .isNotNull();
            scenario.markDeploymentsAvailable(admin);
            await("Ready")
                    .atMost(RECONCILED)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () ->
                                    ReferenceScenario.conditionIs(
                                            scenario.get(admin, "Realm"), "Ready", "True"));

            // Taken back: the operator stops watching Secrets there (no 403 in its log) and says so
            // again; what it
            // wrote stays.
            admin.rbac()
                    .roleBindings()
                    .inNamespace(UNGRANTED)
                    .withName(CLUSTER_SECRETS_ROLE)
                    .delete();
            await("SecretAccessNotGranted again")
                    .atMost(RECONCILED)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () ->
                                    "SecretAccessNotGranted"
                                            .equals(reason(scenario.get(admin, "Realm"), "Ready")));
            assertThat(admin.secrets().inNamespace(UNGRANTED).withName("prices-realm-tls").get())
                    .isNotNull();

            assertThat(operator.forbiddenInLog())
                    .as("log lines about authorization failures")
                    .isEmpty();
        }
    }

    @Test
    void watchingAllNamespacesItMayUseSecretsOnlyWhereANamespaceGrantsThem() {
        String granting = "chart-rbac-granting";
        OperatorHarness.ensureNamespace(admin, granting);
        admin.resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("team-credentials")
                                .withNamespace(granting)
                                .endMetadata()
                                .addToStringData("password", "s3cret")
                                .build())
                .fieldManager("test")
                .serverSideApply();
        try (KubernetesClient sa =
                OperatorAsServiceAccount.impersonating(api, CLUSTER_NS, CLUSTER_SA)) {
            // Not at the cluster scope ...
            KubernetesClientException allSecrets =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () -> sa.secrets().inAnyNamespace().list());
            assertThat(allSecrets).isNotNull();
            assertThat(allSecrets.getCode()).isEqualTo(403);
            assertThat(allSecrets.getMessage())
                    .contains(
                            "cannot list resource \"secrets\" in API group \"\" at the cluster scope");
            // ... nor in a namespace without the RoleBinding.
            for (String verb : SECRET_VERBS) {
                assertThat(can(sa, verb, "", "secrets", granting, null)).as(verb).isFalse();
            }
            KubernetesClientException get =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () ->
                                    sa.secrets()
                                            .inNamespace(granting)
                                            .withName("team-credentials")
                                            .get());
            assertThat(get).isNotNull();
            assertThat(get.getCode()).isEqualTo(403);
            KubernetesClientException list =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () -> sa.secrets().inNamespace(granting).list());
            assertThat(list).isNotNull();
            assertThat(list.getCode()).isEqualTo(403);
            // In its own namespace: read, create, and write its CA only.
            assertThat(can(sa, "list", "", "secrets", CLUSTER_NS, null)).isTrue();
            assertThat(
                            can(
                                    sa,
                                    "get",
                                    "",
                                    "secrets",
                                    CLUSTER_NS,
                                    OperatorSettings.defaults().caSecretName()))
                    .isTrue();
            assertThat(can(sa, "patch", "", "secrets", CLUSTER_NS, "another-secret")).isFalse();
            assertThat(can(sa, "delete", "", "secrets", CLUSTER_NS, "another-secret")).isFalse();

            // The namespace grants them: a RoleBinding of the Secrets ClusterRole to the operator's
            // ServiceAccount.
            admin.resource(
                            new RoleBindingBuilder()
                                    .withNewMetadata()
                                    .withName(CLUSTER_SECRETS_ROLE)
                                    .withNamespace(granting)
                                    .endMetadata()
                                    .withNewRoleRef(
                                            "rbac.authorization.k8s.io",
                                            "ClusterRole",
                                            CLUSTER_SECRETS_ROLE)
                                    .addNewSubject()
                                    .withKind("ServiceAccount")
                                    .withName(CLUSTER_SA)
                                    .withNamespace(CLUSTER_NS)
                                    .endSubject()
                                    .build())
                    .fieldManager("test")
                    .serverSideApply();
            await("the grant in effect")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> can(sa, "list", "", "secrets", granting, null));
            assertThat(sa.secrets().inNamespace(granting).withName("team-credentials").get())
                    .isNotNull();
            assertThat(sa.secrets().inNamespace(granting).list().getItems())
                    .extracting(s -> s.getMetadata().getName())
                    .contains("team-credentials");
            for (String verb : SECRET_VERBS) {
                assertThat(can(sa, verb, "", "secrets", granting, null))
                        .as(verb)
                        .isEqualTo(!verb.equals("update"));
            }
            // There only.
            assertThat(can(sa, "get", "", "secrets", UNWATCHED, null)).isFalse();
            assertThat(can(sa, "list", "", "secrets", "kube-system", null)).isFalse();
            assertThat(can(sa, "list", "", "secrets", null, null)).isFalse();
        }
    }

    @Test
    void whatTheOperatorDoesNotNeedItCannotDo() {
        try (KubernetesClient sa =
                OperatorAsServiceAccount.impersonating(api, CLUSTER_NS, CLUSTER_SA)) {
            // It cannot delete namespaces (or anything cluster-wide) ...
            KubernetesClientException deleteNamespace =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () -> sa.namespaces().withName(CLUSTER_NS).delete());
            assertThat(deleteNamespace).isNotNull();
            assertThat(deleteNamespace.getCode()).isEqualTo(403);
            assertThat(deleteNamespace.getMessage())
                    .contains("cannot delete resource \"namespaces\"");
            // ... nor give itself more rights: no binding to cluster-admin, no escalate or bind on
            // roles.
            KubernetesClientException escalate =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () ->
                                    sa.rbac()
                                            .clusterRoleBindings()
                                            .resource(
                                                    new ClusterRoleBindingBuilder()
                                                            .withNewMetadata()
                                                            .withName("sneaky-admin")
                                                            .endMetadata()
                                                            .withNewRoleRef(
                                                                    "rbac.authorization.k8s.io",
                                                                    "ClusterRole",
                                                                    "cluster-admin")
                                                            .addNewSubject()
                                                            .withKind("ServiceAccount")
                                                            .withName(CLUSTER_SA)
                                                            .withNamespace(CLUSTER_NS)
                                                            .endSubject()
                                                            .build())
                                            .create());
            assertThat(escalate).isNotNull();
            assertThat(escalate.getCode()).isEqualTo(403);
            assertThat(escalate.getMessage())
                    .contains("cannot create resource \"clusterrolebindings\"");
            assertThat(can(sa, "escalate", "rbac.authorization.k8s.io", "clusterroles", null, null))
                    .isFalse();
            assertThat(can(sa, "bind", "rbac.authorization.k8s.io", "clusterroles", null, null))
                    .isFalse();
            assertThat(can(sa, "create", "rbac.authorization.k8s.io", "roles", "default", null))
                    .isFalse();
            assertThat(can(sa, "impersonate", "", "users", null, null)).isFalse();
            // It never runs pods itself, never execs into them, and leaves nodes and CRDs alone.
            assertThat(can(sa, "create", "", "pods", "default", null)).isFalse();
            assertThat(can(sa, "create", "", "pods/exec", "default", null)).isFalse();
            assertThat(can(sa, "list", "", "nodes", null, null)).isFalse();
            assertThat(
                            can(
                                    sa,
                                    "list",
                                    "apiextensions.k8s.io",
                                    "customresourcedefinitions",
                                    null,
                                    null))
                    .isFalse();
            // Users own the spec: the operator writes status only, and never deletes a custom
            // resource.
            assertThat(can(sa, "update", "realmgate.io", "realms", "default", null)).isFalse();
            assertThat(can(sa, "patch", "realmgate.io", "forwardproxies", "default", null))
                    .isFalse();
            assertThat(can(sa, "delete", "realmgate.io", "realms", "default", null)).isFalse();
            // It reads RoleBindings (to learn which namespaces granted it Secrets) and writes none.
            assertThat(can(sa, "list", "rbac.authorization.k8s.io", "rolebindings", null, null))
                    .isTrue();
            assertThat(can(sa, "watch", "rbac.authorization.k8s.io", "rolebindings", null, null))
                    .isTrue();
            for (String verb : List.of("create", "update", "patch", "delete")) {
                assertThat(
                                can(
                                        sa,
                                        verb,
                                        "rbac.authorization.k8s.io",
                                        "rolebindings",
                                        "default",
                                        null))
                        .as(verb)
                        .isFalse();
            }
            assertThat(can(sa, "get", "", "secrets", "default", null)).isFalse();
            // PodDisruptionBudgets: exactly what its dependent does (apply, delete, cache), no
            // more.
            for (String verb :
                    List.of("create", "get", "list", "watch", "patch", "update", "delete")) {
                assertThat(can(sa, verb, "policy", "poddisruptionbudgets", "default", null))
                        .as(verb)
                        .isTrue();
            }
            assertThat(
                            can(
                                    sa,
                                    "deletecollection",
                                    "policy",
                                    "poddisruptionbudgets",
                                    "default",
                                    null))
                    .isFalse();
            assertThat(can(sa, "create", "policy", "poddisruptionbudgets/status", "default", null))
                    .isFalse();
            // Leader election only in its own namespace.
            assertThat(can(sa, "create", "coordination.k8s.io", "leases", "kube-system", null))
                    .isFalse();
            assertThat(
                            can(
                                    sa,
                                    "update",
                                    "coordination.k8s.io",
                                    "leases",
                                    CLUSTER_NS,
                                    "someone-elses-lease"))
                    .isFalse();
        }
    }

    @Test
    void inNamespacedModeItHasNoRightsOutsideTheListedNamespaces() {
        try (KubernetesClient sa =
                OperatorAsServiceAccount.impersonating(api, NAMESPACED_NS, NAMESPACED_SA)) {
            // No Secret anywhere but the watched namespace and its own CA Secret.
            KubernetesClientException allSecrets =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () -> sa.secrets().inAnyNamespace().list());
            assertThat(allSecrets).isNotNull();
            assertThat(allSecrets.getCode()).isEqualTo(403);
            assertThat(allSecrets.getMessage())
                    .contains(
                            "cannot list resource \"secrets\" in API group \"\" at the cluster scope");
            KubernetesClientException unwatched =
                    catchThrowableOfType(
                            KubernetesClientException.class,
                            () -> sa.secrets().inNamespace(UNWATCHED).list());
            assertThat(unwatched).isNotNull();
            assertThat(unwatched.getCode()).isEqualTo(403);
            assertThat(can(sa, "list", "", "secrets", WATCHED, null)).isTrue();
            assertThat(
                            can(
                                    sa,
                                    "get",
                                    "",
                                    "secrets",
                                    NAMESPACED_NS,
                                    OperatorSettings.defaults().caSecretName()))
                    .isTrue();
            assertThat(can(sa, "get", "", "secrets", NAMESPACED_NS, "another-secret")).isFalse();
            assertThat(can(sa, "list", "", "secrets", NAMESPACED_NS, null)).isFalse();
            assertThat(can(sa, "get", "", "secrets", "kube-system", null)).isFalse();
            // Its custom resources and children only in the watched namespace.
            assertThat(can(sa, "list", "realmgate.io", "realms", WATCHED, null)).isTrue();
            assertThat(can(sa, "list", "realmgate.io", "realms", UNWATCHED, null)).isFalse();
            assertThat(can(sa, "list", "realmgate.io", "realms", null, null)).isFalse();
            assertThat(can(sa, "create", "apps", "deployments", UNWATCHED, null)).isFalse();
            assertThat(can(sa, "create", "networking.k8s.io", "networkpolicies", UNWATCHED, null))
                    .isFalse();
            assertThat(can(sa, "create", "policy", "poddisruptionbudgets", UNWATCHED, null))
                    .isFalse();
            assertThat(can(sa, "delete", "", "namespaces", null, WATCHED)).isFalse();
        }
    }

    /** The Secret verbs: the granting ClusterRole has all but update. */
    private static final List<String> SECRET_VERBS =
            List.of("get", "list", "watch", "create", "patch", "update", "delete");

    private static GenericKubernetesResource proxy(String name) {
        return admin.genericKubernetesResources(RealmgateResources.FORWARD_PROXY)
                .inNamespace(UNGRANTED)
                .withName(name)
                .get();
    }

    private static String reason(GenericKubernetesResource o, String type) {
        Map<String, Object> condition = ReferenceScenario.condition(o, type);
        return condition == null ? null : (String) condition.get("reason");
    }
}
