package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RBAC is enforced: a ServiceAccount, impersonated by the admin client, may do what its Role grants
 * and is forbidden everything else, with the API server's own 403 message. The mock server has no
 * RBAC at all.
 */
@ExtendWith(KubeApiExtension.class)
class RbacImpersonationTest {

    private static final String NS = "rbac";
    private static final String OTHER_NS = "rbac-other";
    private static final String SA = "realm-reader";
    private static final String USER = "system:serviceaccount:" + NS + ":" + SA;

    private static KubernetesClient admin;
    private static KubernetesClient asServiceAccount;

    @BeforeAll
    static void roleAndBinding(KubeApi api) {
        admin = api.client();
        for (String ns : new String[] {NS, OTHER_NS}) {
            admin.namespaces()
                    .resource(
                            new NamespaceBuilder()
                                    .withNewMetadata()
                                    .withName(ns)
                                    .endMetadata()
                                    .build())
                    .serverSideApply();
        }
        admin.resource(
                        new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName(SA)
                                .withNamespace(NS)
                                .endMetadata()
                                .build())
                .serverSideApply();
        admin.resource(
                        new RoleBuilder()
                                .withNewMetadata()
                                .withName("configmap-reader")
                                .withNamespace(NS)
                                .endMetadata()
                                .withRules(
                                        new PolicyRuleBuilder()
                                                .withApiGroups("")
                                                .withResources("configmaps")
                                                .withVerbs("get", "list", "watch")
                                                .build())
                                .build())
                .serverSideApply();
        admin.resource(
                        new RoleBindingBuilder()
                                .withNewMetadata()
                                .withName("realm-reader")
                                .withNamespace(NS)
                                .endMetadata()
                                .withNewRoleRef(
                                        "rbac.authorization.k8s.io", "Role", "configmap-reader")
                                .addNewSubject()
                                .withKind("ServiceAccount")
                                .withName(SA)
                                .withNamespace(NS)
                                .endSubject()
                                .build())
                .serverSideApply();
        admin.resource(
                        new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName("realm-config")
                                .withNamespace(NS)
                                .endMetadata()
                                .addToData("channels", "prices")
                                .build())
                .serverSideApply();

        // Impersonation as a ServiceAccount: its user name and the groups the API server would give
        // it.
        asServiceAccount =
                api.newClient(
                        config ->
                                config.withImpersonateUsername(USER)
                                        .withImpersonateGroups(
                                                "system:serviceaccounts",
                                                "system:serviceaccounts:" + NS,
                                                "system:authenticated"));
        // The RBAC authorizer sees new Roles and bindings through its informers: wait until it has.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> canI("list", "configmaps"));
    }

    @AfterAll
    static void closeClient() {
        if (asServiceAccount != null) {
            asServiceAccount.close();
        }
    }

    @Test
    void grantedVerbsAreAllowed() {
        assertThat(asServiceAccount.configMaps().inNamespace(NS).list().getItems())
                .extracting(cm -> cm.getMetadata().getName())
                .containsExactly("realm-config");
        assertThat(
                        asServiceAccount
                                .configMaps()
                                .inNamespace(NS)
                                .withName("realm-config")
                                .get()
                                .getData())
                .containsEntry("channels", "prices");
    }

    @Test
    void verbsTheRoleDoesNotGrantAreForbidden() {
        KubernetesClientException e =
                catchThrowableOfType(
                        KubernetesClientException.class,
                        () ->
                                asServiceAccount
                                        .resource(
                                                new ConfigMapBuilder()
                                                        .withNewMetadata()
                                                        .withName("sneaky")
                                                        .withNamespace(NS)
                                                        .endMetadata()
                                                        .build())
                                        .create());
        assertThat(e).isNotNull();
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getMessage())
                .contains(
                        "configmaps is forbidden: User \""
                                + USER
                                + "\" cannot create resource \"configmaps\" in API group \"\" in the namespace \""
                                + NS
                                + "\"");
    }

    @Test
    void resourcesTheRoleDoesNotNameAreForbidden() {
        KubernetesClientException e =
                catchThrowableOfType(
                        KubernetesClientException.class,
                        () -> asServiceAccount.secrets().inNamespace(NS).list());
        assertThat(e).isNotNull();
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getMessage())
                .contains(
                        "secrets is forbidden: User \""
                                + USER
                                + "\" cannot list resource \"secrets\" in API group \"\" in the namespace \""
                                + NS
                                + "\"");
    }

    @Test
    void aRoleGrantsNothingInOtherNamespaces() {
        KubernetesClientException e =
                catchThrowableOfType(
                        KubernetesClientException.class,
                        () -> asServiceAccount.configMaps().inNamespace(OTHER_NS).list());
        assertThat(e).isNotNull();
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getMessage()).contains("in the namespace \"" + OTHER_NS + "\"");
    }

    @Test
    void accessReviewsAgreeWithTheRole() {
        assertThat(canI("list", "configmaps")).isTrue();
        assertThat(canI("delete", "configmaps")).isFalse();
        assertThat(canI("get", "secrets")).isFalse();
    }

    private static boolean canI(String verb, String resource) {
        SelfSubjectAccessReview review =
                new SelfSubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withNewResourceAttributes()
                        .withNamespace(NS)
                        .withVerb(verb)
                        .withResource(resource)
                        .endResourceAttributes()
                        .endSpec()
                        .build();
        return asServiceAccount
                .authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed();
    }
}
