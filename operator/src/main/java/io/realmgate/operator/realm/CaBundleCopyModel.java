package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Clients;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.TlsSecrets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a realm's CA bundle is copied and what each copy is. Pure.
 *
 * <p>The client namespaces of a realm: those its {@code spec.clients.namespaceSelector} selects,
 * and those the {@code spec.clients.namespaceSelector} of each ForwardProxy naming it selects (a
 * client behind the proxy runs TLS end to end with the realm, so it needs the bundle too). The
 * realm's own namespace is not among them: the bundle ConfigMap there is the realm's child ({@link
 * RealmCaBundle}). A copy has the same name and key ({@code ca.crt}) as that ConfigMap, so a client
 * pod mounts it the same way in any namespace. No owner reference can cross namespaces: the labels
 * {@link #LABEL_REALM} and {@link #LABEL_REALM_NAMESPACE} say whose copy it is.
 */
public final class CaBundleCopyModel {
    public static final String LABEL_REALM = "realmgate.io/realm";
    public static final String LABEL_REALM_NAMESPACE = "realmgate.io/realm-namespace";
    public static final String COMPONENT = "ca-bundle-copy";

    /** The label selector of every copy the operator keeps. */
    public static final String COPY_SELECTOR =
            Names.LABEL_COMPONENT
                    + "="
                    + COMPONENT
                    + ","
                    + Names.LABEL_MANAGED_BY
                    + "="
                    + Names.MANAGED_BY;

    private CaBundleCopyModel() {}

    /** Whether the realm or a proxy naming it selects namespaces: only then are they read. */
    static boolean selectsNamespaces(Realm realm, Collection<ForwardProxy> proxies) {
        return !selectors(realm, proxies).isEmpty();
    }

    /**
     * The namespaces (of {@code namespaces}, those the operator can see) that get a copy.
     *
     * @param proxies the ForwardProxies that name the realm
     */
    static SortedSet<String> namespaces(
            Realm realm, Collection<ForwardProxy> proxies, Collection<Namespace> namespaces) {
        List<LabelSelector> selectors = selectors(realm, proxies);
        SortedSet<String> selected = new TreeSet<>();
        for (Namespace namespace : namespaces) {
            Map<String, String> labels = namespace.getMetadata().getLabels();
            if (selectors.stream().anyMatch(s -> LabelSelectors.matches(s, labels))) {
                selected.add(namespace.getMetadata().getName());
            }
        }
        selected.remove(realm.getMetadata().getNamespace());
        return selected;
    }

    /** The copy of {@code bundlePem} for {@code realm} in {@code namespace}. */
    static ConfigMap copy(Realm realm, String namespace, String bundlePem) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(Names.realmCaBundle(realm))
                .withLabels(labels(realm))
                .endMetadata()
                .withData(Map.of(TlsSecrets.CA_CRT, bundlePem))
                .build();
    }

    /** Whether {@code existing} already is {@code wanted} (then nothing is written). */
    static boolean same(ConfigMap existing, ConfigMap wanted) {
        Map<String, String> labels =
                existing.getMetadata().getLabels() == null
                        ? Map.of()
                        : existing.getMetadata().getLabels();
        return Objects.equals(existing.getData(), wanted.getData())
                && labels.entrySet().containsAll(wanted.getMetadata().getLabels().entrySet());
    }

    static Map<String, String> labels(Realm realm) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(Names.LABEL_COMPONENT, COMPONENT);
        labels.put(Names.LABEL_MANAGED_BY, Names.MANAGED_BY);
        labels.put(Names.LABEL_PART_OF, "realmgate");
        labels.put(LABEL_REALM, realm.getMetadata().getName());
        labels.put(LABEL_REALM_NAMESPACE, realm.getMetadata().getNamespace());
        return labels;
    }

    private static List<LabelSelector> selectors(Realm realm, Collection<ForwardProxy> proxies) {
        List<LabelSelector> selectors = new ArrayList<>();
        add(selectors, realm.getSpec() == null ? null : realm.getSpec().clients);
        for (ForwardProxy proxy : proxies) {
            add(selectors, proxy.getSpec() == null ? null : proxy.getSpec().clients);
        }
        return selectors;
    }

    private static void add(List<LabelSelector> selectors, Clients clients) {
        if (clients != null && clients.namespaceSelector != null) {
            selectors.add(clients.namespaceSelector);
        }
    }
}
