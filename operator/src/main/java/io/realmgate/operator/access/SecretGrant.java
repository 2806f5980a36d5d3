package io.realmgate.operator.access;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How a namespace lets the operator use its Secrets when the operator watches all namespaces: a
 * RoleBinding in that namespace binds the ClusterRole {@code clusterRole} (the chart's {@code
 * <fullname>-secrets}, which grants nothing by itself) to the operator's ServiceAccount. Pure:
 * which bindings grant it, and what to tell a user who has none.
 *
 * @param clusterRole the ClusterRole with the Secret verbs the operator needs
 * @param serviceAccountNamespace the operator's namespace, where its ServiceAccount is
 * @param serviceAccount the operator's ServiceAccount
 */
public record SecretGrant(
        String clusterRole, String serviceAccountNamespace, String serviceAccount) {
    /**
     * The Ready condition's reason for a resource whose namespace has not granted the operator its
     * Secrets.
     */
    public static final String NOT_GRANTED = "SecretAccessNotGranted";

    public SecretGrant {
        Objects.requireNonNull(clusterRole, "clusterRole");
        Objects.requireNonNull(serviceAccountNamespace, "serviceAccountNamespace");
        Objects.requireNonNull(serviceAccount, "serviceAccount");
    }

    /**
     * Whether the binding binds the ClusterRole, to whomever: a change of such a binding (its
     * subjects) can change the grant. A RoleBinding's roleRef never changes.
     */
    public boolean refersTo(RoleBinding binding) {
        RoleRef role = binding.getRoleRef();
        return role != null
                && "ClusterRole".equals(role.getKind())
                && clusterRole.equals(role.getName());
    }

    /**
     * Whether the binding grants the ClusterRole to the operator: a subject names its
     * ServiceAccount (in a RoleBinding a ServiceAccount subject without a namespace is one of the
     * binding's namespace), its user name, or a group the API server puts every ServiceAccount
     * token in, as RBAC itself matches them.
     */
    public boolean grants(RoleBinding binding) {
        if (!refersTo(binding) || binding.getSubjects() == null) {
            return false;
        }
        String bindingNamespace =
                binding.getMetadata() == null ? null : binding.getMetadata().getNamespace();
        return binding.getSubjects().stream().anyMatch(s -> isOperator(s, bindingNamespace));
    }

    private boolean isOperator(Subject subject, String bindingNamespace) {
        if (subject == null || subject.getKind() == null || subject.getName() == null) {
            return false;
        }
        return switch (subject.getKind()) {
            case "ServiceAccount" ->
                    serviceAccount.equals(subject.getName())
                            && serviceAccountNamespace.equals(
                                    subject.getNamespace() == null
                                                    || subject.getNamespace().isEmpty()
                                            ? bindingNamespace
                                            : subject.getNamespace());
            case "User" -> userName().equals(subject.getName());
            case "Group" ->
                    Set.of(
                                    "system:serviceaccounts",
                                    "system:serviceaccounts:" + serviceAccountNamespace,
                                    "system:authenticated")
                            .contains(subject.getName());
            default -> false;
        };
    }

    /** The user name the API server knows the ServiceAccount by. */
    public String userName() {
        return "system:serviceaccount:" + serviceAccountNamespace + ":" + serviceAccount;
    }

    /** The namespaces that the bindings grant the operator's Secrets in, sorted. */
    public SortedSet<String> grantedNamespaces(Collection<RoleBinding> bindings) {
        SortedSet<String> namespaces = new TreeSet<>();
        bindings.stream()
                .filter(this::grants)
                .map(b -> b.getMetadata().getNamespace())
                .forEach(namespaces::add);
        return namespaces;
    }

    /**
     * The namespaces the operator's Secret informers watch: the granted ones; with none, the
     * operator's own, since an informer needs at least one namespace (JOSDK reads an empty set as
     * all namespaces, which the operator may not read).
     */
    public Set<String> watchedNamespaces(Set<String> granted) {
        return granted.isEmpty() ? Set.of(serviceAccountNamespace) : Set.copyOf(granted);
    }

    /**
     * The command that grants it in a namespace (a cluster admin, or whoever may bind the
     * ClusterRole there).
     */
    public String command(String namespace) {
        return "kubectl -n "
                + namespace
                + " create rolebinding "
                + clusterRole
                + " --clusterrole="
                + clusterRole
                + " --serviceaccount="
                + serviceAccountNamespace
                + ":"
                + serviceAccount;
    }

    /** What a resource's status and Warning Event say in a namespace that has not granted it. */
    public String notGrantedMessage(String namespace) {
        return "the operator may not use Secrets in namespace "
                + namespace
                + " (no RoleBinding there binds ClusterRole "
                + clusterRole
                + " to ServiceAccount "
                + serviceAccountNamespace
                + "/"
                + serviceAccount
                + "); grant it: "
                + command(namespace);
    }
}
