package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.RealmgateOperator;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.OperatorCa;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reconcile that fails is reported and retried, not lost: the operator's CA here reads and writes
 * its Secret as a user the API server's RBAC gives no rights at first (a real 403, not a fake
 * issuer). The Realm says why it is not ready and an Event records it; once the user may use its
 * namespace's Secrets, the next retry succeeds.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RealmIssuerFailureTest {
    private static final String NS = "realm-issuer-failure";
    private static final String CA_NS = "realm-issuer-failure-system";
    private static final String CA_USER = "realm-issuer-failure-ca";

    private static KubernetesClient admin;
    private static KubernetesClient caClient;
    private static Operator operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        admin = api.client();
        OperatorSettings defaults = OperatorHarness.testSettings();
        OperatorSettings settings =
                new OperatorSettings(
                        defaults.realmImage(),
                        defaults.proxyImage(),
                        defaults.clusterDomain(),
                        CA_NS,
                        defaults.caSecretName(),
                        defaults.caValidity(),
                        defaults.certificateValidity(),
                        defaults.renewBefore(),
                        defaults.podNetworks());
        OperatorHarness.installCrds(admin);
        OperatorHarness.ensureNamespace(admin, NS);
        OperatorHarness.ensureNamespace(admin, CA_NS);
        caClient =
                api.newClient(
                        config ->
                                config.withImpersonateUsername(CA_USER)
                                        .withImpersonateGroups("system:authenticated"));
        operator =
                RealmgateOperator.create(
                        admin,
                        settings,
                        new OperatorCa(caClient, settings, Clock.systemUTC()),
                        Set.of(NS),
                        o -> {});
        operator.start();
        cluster = new RealmCluster(admin, NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.stop();
        }
        if (caClient != null) {
            caClient.close();
        }
    }

    @Test
    void aFailingCertificateAuthorityIsReportedAndRetriedUntilItWorks() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: blocked}
        spec: {}
        """);

        Realm failed =
                cluster.awaitRealm(
                        "blocked",
                        "Ready=False ReconcileFailed",
                        r -> is(r, "Ready", "False", "ReconcileFailed"));
        assertThat(condition(failed, "Ready").getMessage()).contains("forbidden").contains(CA_USER);
        Event warning =
                await("a Warning Event")
                        .atMost(RealmCluster.WAIT)
                        .until(
                                () -> events("blocked", "ReconcileFailed"),
                                events -> !events.isEmpty())
                        .get(0);
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getMessage()).contains("forbidden");
        assertThat(cluster.tlsSecret("blocked")).isNull();

        admin.resource(
                        new RoleBuilder()
                                .withNewMetadata()
                                .withName("ca-secret")
                                .withNamespace(CA_NS)
                                .endMetadata()
                                .withRules(
                                        new PolicyRuleBuilder()
                                                .withApiGroups("")
                                                .withResources("secrets")
                                                .withVerbs("get", "create", "update")
                                                .build())
                                .build())
                .serverSideApply();
        admin.resource(
                        new RoleBindingBuilder()
                                .withNewMetadata()
                                .withName("ca-secret")
                                .withNamespace(CA_NS)
                                .endMetadata()
                                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "ca-secret")
                                .addNewSubject()
                                .withKind("User")
                                .withApiGroup("rbac.authorization.k8s.io")
                                .withName(CA_USER)
                                .endSubject()
                                .build())
                .serverSideApply();

        Realm recovered =
                cluster.awaitRealm(
                        "blocked",
                        "recovered on a retry",
                        r ->
                                is(r, "CertificateReady", "True", "Issued")
                                        && is(r, "Ready", "False", "DeploymentNotAvailable"));
        assertThat(recovered.getStatus().observedGeneration)
                .isEqualTo(recovered.getMetadata().getGeneration());
        assertThat(cluster.children("blocked"))
                .containsOnlyKeys(
                        "Deployment",
                        "Service",
                        "NetworkPolicy",
                        "Secret",
                        "ConfigMap",
                        "ConfigMap/config");
        assertThat(events("blocked", "ReconcileFailed"))
                .as("one Event for the failure, not one per retry")
                .hasSize(1);
    }

    private static List<Event> events(String realm, String reason) {
        return admin.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(
                        e ->
                                realm.equals(e.getInvolvedObject().getName())
                                        && reason.equals(e.getReason()))
                .toList();
    }
}
