package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copies of each realm's CA bundle in its client namespaces ({@link CaBundleCopyModel}): an
 * informer on them (labelled {@link CaBundleCopyModel#COPY_SELECTOR}, in the watched namespaces)
 * that maps a copy back to its realm by its labels, so a copy deleted or edited by hand is put
 * back; {@link #sync} writes what differs and deletes copies no longer wanted; and, told of a
 * Realm's deletion by JOSDK ({@link ResourceEventAware}), it deletes that realm's copies. No
 * finalizer: the copies are the only thing that outlives a Realm, and deleting them needs nothing
 * of the Realm but its name (docs/decisions.md). Copies of a Realm deleted while no operator ran
 * are removed by the next {@link #sync} of any realm ({@link #removeOrphans}).
 */
final class CaBundleCopies extends InformerEventSource<ConfigMap, Realm>
        implements ResourceEventAware<Realm> {
    static final String NAME = "ca-bundle-copies";
    private static final String BY_REALM = "copy-by-realm";
    private static final Logger log = LoggerFactory.getLogger(CaBundleCopies.class);

    private final KubernetesClient client;
    private final IndexerResourceCache<Realm> realms;
    private final Set<String> watched;

    private CaBundleCopies(
            InformerEventSourceConfiguration<ConfigMap> configuration,
            EventSourceContext<Realm> context) {
        super(configuration, context);
        this.client = context.getClient();
        this.realms = context.getPrimaryCache();
        this.watched = context.getControllerConfiguration().getEffectiveNamespaces();
    }

    static CaBundleCopies create(EventSourceContext<Realm> context) {
        CaBundleCopies[] self = new CaBundleCopies[1];
        CaBundleCopies copies =
                new CaBundleCopies(
                        InformerEventSourceConfiguration.from(ConfigMap.class, Realm.class)
                                .withName(NAME)
                                .withLabelSelector(CaBundleCopyModel.COPY_SELECTOR)
                                .withNamespacesInheritedFromController()
                                .withSecondaryToPrimaryMapper(
                                        copy -> owner(copy).map(Set::of).orElse(Set.of()))
                                .withPrimaryToSecondaryMapper(
                                        (Realm realm) ->
                                                self[0]
                                                        .byIndex(
                                                                BY_REALM,
                                                                ResourceID.fromResource(realm)
                                                                        .toString())
                                                        .stream()
                                                        .map(ResourceID::fromResource)
                                                        .collect(Collectors.toSet()))
                                .build(),
                        context);
        copies.addIndexers(
                Map.of(
                        BY_REALM,
                        copy -> owner(copy).map(id -> List.of(id.toString())).orElse(List.of())));
        self[0] = copies;
        return copies;
    }

    /** The realm a copy belongs to, from its labels. */
    static Optional<ResourceID> owner(ConfigMap copy) {
        Map<String, String> labels = copy.getMetadata().getLabels();
        if (labels == null
                || labels.get(CaBundleCopyModel.LABEL_REALM) == null
                || labels.get(CaBundleCopyModel.LABEL_REALM_NAMESPACE) == null) {
            return Optional.empty();
        }
        return Optional.of(
                new ResourceID(
                        labels.get(CaBundleCopyModel.LABEL_REALM),
                        labels.get(CaBundleCopyModel.LABEL_REALM_NAMESPACE)));
    }

    /**
     * The namespaces where {@code realm}'s bundle belongs: read only when a selector asks for them;
     * all namespaces when the operator watches all of them, else the watched ones, each read by
     * name.
     */
    static SortedSet<String> wantedNamespaces(
            Realm realm, Collection<ForwardProxy> proxies, Context<Realm> context) {
        if (!CaBundleCopyModel.selectsNamespaces(realm, proxies)) {
            return new TreeSet<>();
        }
        Set<String> watched = context.getControllerConfiguration().getEffectiveNamespaces();
        KubernetesClient client = context.getClient();
        List<Namespace> namespaces =
                InformerConfiguration.allNamespacesWatched(watched)
                        ? client.namespaces().list().getItems()
                        : watched.stream()
                                .map(n -> client.namespaces().withName(n).get())
                                .filter(Objects::nonNull)
                                .toList();
        return CaBundleCopyModel.namespaces(realm, proxies, namespaces);
    }

    /**
     * Makes the copies of {@code realm}'s bundle those of {@code namespaces}, writing only what
     * differs from the cache (a resync writes nothing).
     *
     * @param bundlePem empty: no copies (a user's certificate without ca.crt)
     */
    void sync(Realm realm, Optional<String> bundlePem, SortedSet<String> namespaces) {
        Set<ConfigMap> existing = getSecondaryResources(realm);
        SortedSet<String> wanted = bundlePem.isPresent() ? namespaces : new TreeSet<>();
        for (String namespace : wanted) {
            ConfigMap copy = CaBundleCopyModel.copy(realm, namespace, bundlePem.get());
            Optional<ConfigMap> current =
                    existing.stream()
                            .filter(c -> namespace.equals(c.getMetadata().getNamespace()))
                            .findFirst();
            if (current.isPresent() && CaBundleCopyModel.same(current.get(), copy)) {
                continue;
            }
            client.configMaps()
                    .inNamespace(namespace)
                    .resource(copy)
                    .fieldManager(Names.MANAGED_BY)
                    .forceConflicts()
                    .serverSideApply();
            log.info(
                    "{} CA bundle of Realm {}/{} in namespace {}",
                    current.isPresent() ? "Updated the" : "Copied the",
                    realm.getMetadata().getNamespace(),
                    realm.getMetadata().getName(),
                    namespace);
        }
        for (ConfigMap copy : existing) {
            if (!wanted.contains(copy.getMetadata().getNamespace())) {
                delete(copy, "the namespace is no longer a client namespace of the realm");
            }
        }
    }

    /**
     * Deletes the copies whose Realm no longer exists (deleted while no operator ran to hear of
     * it). Only copies of realms in the namespaces this operator watches: another installation's
     * copies are not its own to judge.
     */
    void removeOrphans() {
        boolean all = InformerConfiguration.allNamespacesWatched(watched);
        list(copy -> true)
                .filter(
                        copy ->
                                owner(copy)
                                        .filter(
                                                id ->
                                                        all
                                                                || watched.contains(
                                                                        id.getNamespace()
                                                                                .orElse("")))
                                        .map(id -> realms.get(id).isEmpty())
                                        .orElse(false))
                .toList()
                .forEach(copy -> delete(copy, "its Realm no longer exists"));
    }

    /** The Realm is gone: its copies go too (its own bundle goes by garbage collection). */
    @Override
    public void onResourceDeleted(Realm realm) {
        for (ConfigMap copy : byIndex(BY_REALM, ResourceID.fromResource(realm).toString())) {
            try {
                delete(copy, "the Realm was deleted");
            } catch (KubernetesClientException e) {
                // Left for removeOrphans at the next reconciliation of any realm.
                log.warn(
                        "Cannot delete ConfigMap {}/{} ({}); it is removed at a later reconciliation",
                        copy.getMetadata().getNamespace(),
                        copy.getMetadata().getName(),
                        e.getMessage());
            }
        }
    }

    private void delete(ConfigMap copy, String why) {
        client.configMaps()
                .inNamespace(copy.getMetadata().getNamespace())
                .withName(copy.getMetadata().getName())
                .delete();
        log.info(
                "Deleted the CA bundle copy {}/{}: {}",
                copy.getMetadata().getNamespace(),
                copy.getMetadata().getName(),
                why);
    }
}
