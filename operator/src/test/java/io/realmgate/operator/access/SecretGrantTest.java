package io.realmgate.operator.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretGrantTest {
    private static final SecretGrant GRANT =
            new SecretGrant("realmgate-secrets", "realmgate-system", "realmgate-operator");

    private static RoleBinding binding(
            String namespace, String roleKind, String role, Subject... subjects) {
        return new RoleBindingBuilder()
                .withNewMetadata()
                .withName("b")
                .withNamespace(namespace)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", roleKind, role)
                .withSubjects(subjects)
                .build();
    }

    private static Subject subject(String kind, String name, String namespace) {
        return new SubjectBuilder().withKind(kind).withName(name).withNamespace(namespace).build();
    }

    private static Subject operator() {
        return subject("ServiceAccount", "realmgate-operator", "realmgate-system");
    }

    @Test
    void aRoleBindingOfTheClusterRoleToTheOperatorsServiceAccountGrants() {
        // What `kubectl create rolebinding --clusterrole=... --serviceaccount=NS:NAME` makes.
        assertThat(GRANT.grants(binding("apps", "ClusterRole", "realmgate-secrets", operator())))
                .isTrue();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("User", "alice", null),
                                        operator())))
                .as("among other subjects")
                .isTrue();
    }

    @Test
    void otherRolesAndOtherSubjectsDoNot() {
        assertThat(GRANT.grants(binding("apps", "ClusterRole", "edit", operator()))).isFalse();
        assertThat(GRANT.grants(binding("apps", "Role", "realmgate-secrets", operator())))
                .as("a Role of the same name")
                .isFalse();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("ServiceAccount", "realmgate-operator", "apps"))))
                .as("a namesake elsewhere")
                .isFalse();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("ServiceAccount", "default", "realmgate-system"))))
                .isFalse();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("Group", "system:serviceaccounts:apps", null))))
                .isFalse();
        assertThat(GRANT.grants(binding("apps", "ClusterRole", "realmgate-secrets")))
                .as("no subjects")
                .isFalse();
        // Refers to the ClusterRole, so a change of its subjects may change the grant.
        assertThat(GRANT.refersTo(binding("apps", "ClusterRole", "realmgate-secrets"))).isTrue();
        assertThat(GRANT.refersTo(binding("apps", "ClusterRole", "edit", operator()))).isFalse();
    }

    @Test
    void subjectsAreMatchedAsRbacMatchesThem() {
        assertThat(
                        GRANT.grants(
                                binding(
                                        "realmgate-system",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("ServiceAccount", "realmgate-operator", null))))
                .as("no namespace: the binding's own")
                .isTrue();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("ServiceAccount", "realmgate-operator", null))))
                .isFalse();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject(
                                                "User",
                                                "system:serviceaccount:realmgate-system:realmgate-operator",
                                                null))))
                .isTrue();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject(
                                                "Group",
                                                "system:serviceaccounts:realmgate-system",
                                                null))))
                .isTrue();
        assertThat(
                        GRANT.grants(
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("Group", "system:serviceaccounts", null))))
                .isTrue();
    }

    @Test
    void theSecretInformersWatchTheGrantedNamespacesOrElseTheOperatorsOwn() {
        var granted =
                GRANT.grantedNamespaces(
                        List.of(
                                binding("trading", "ClusterRole", "realmgate-secrets", operator()),
                                binding("apps", "ClusterRole", "realmgate-secrets", operator()),
                                binding(
                                        "apps",
                                        "ClusterRole",
                                        "realmgate-secrets",
                                        subject("User", "bob", null)),
                                binding("other", "ClusterRole", "view", operator())));
        assertThat(granted).containsExactly("apps", "trading");
        assertThat(GRANT.watchedNamespaces(granted)).containsExactlyInAnyOrder("apps", "trading");
        // Never the empty set: JOSDK would watch all namespaces.
        assertThat(GRANT.watchedNamespaces(Set.of())).containsExactly("realmgate-system");
    }

    @Test
    void theMessageNamesTheCommandThatGrantsIt() {
        assertThat(GRANT.command("apps"))
                .isEqualTo(
                        "kubectl -n apps create rolebinding realmgate-secrets "
                                + "--clusterrole=realmgate-secrets --serviceaccount=realmgate-system:realmgate-operator");
        assertThat(GRANT.notGrantedMessage("apps"))
                .isEqualTo(
                        "the operator may not use Secrets in namespace apps "
                                + "(no RoleBinding there binds ClusterRole realmgate-secrets to ServiceAccount "
                                + "realmgate-system/realmgate-operator); grant it: kubectl -n apps create rolebinding "
                                + "realmgate-secrets --clusterrole=realmgate-secrets "
                                + "--serviceaccount=realmgate-system:realmgate-operator");
    }
}
