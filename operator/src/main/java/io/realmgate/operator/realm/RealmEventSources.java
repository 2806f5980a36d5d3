package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.realmgate.operator.Names;
import io.realmgate.operator.access.SecretGrant;
import io.realmgate.operator.access.SecretGrants;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * What a Realm depends on besides its own children, as informers that re-reconcile it when they
 * change:
 *
 * <ul>
 *   <li>the ForwardProxies of its namespace whose allowConnect names it (its NetworkPolicy admits
 *       their pods);
 *   <li>the user's TLS Secret named by spec.tls.secretName (its certificate is hashed into the pod
 *       template);
 *   <li>its NetworkPolicy, shared with the {@link RealmNetworkPolicy} dependent and indexed by the
 *       proxies it admits, so a proxy that stops naming a realm still leads back to the realm that
 *       must stop admitting it;
 *   <li>the TLS Secret the operator issues, shared with the {@link RealmTlsSecret} dependent;
 *   <li>its Services, shared by the {@link RealmService} and {@link RealmExternalService}
 *       dependents (one cache, not two), and read for the external endpoints (node port, load
 *       balancer address) of the status;
 *   <li>with a {@link SecretGrant}, the RoleBindings that grant the operator Secrets ({@link
 *       SecretGrants}): the two Secret informers watch the granted namespaces only, and a grant
 *       given or taken reconciles the namespace's Realms.
 * </ul>
 */
final class RealmEventSources {
    static final String PROXIES = "referencing-proxies";
    static final String USER_TLS_SECRETS = "user-tls-secrets";
    static final String NETWORK_POLICIES = "network-policies";
    static final String SERVICES = "services";

    // Forced create: the dependents' informers cache only the operator's realm children
    // (Names.REALM_CHILD_SELECTOR). A child whose labels someone removed drops out of the cache and
    // looks missing;
    // the dependents therefore create with a plain, forced apply
    // (createResourceOnlyIfNotExistingWithSSA = false;
    // JOSDK's create-only-if-absent would fail with a conflict), which puts the labels back.

    private static final String REALM_BY_USER_SECRET = "realm-by-user-tls-secret";
    private static final String PROXY_BY_REALM = "proxy-by-named-realm";
    private static final String POLICY_BY_ADMITTED_PROXY = "policy-by-admitted-proxy";

    private RealmEventSources() {}

    static List<EventSource<?, Realm>> create(
            EventSourceContext<Realm> context, Optional<SecretGrant> grant) {
        Optional<SecretGrants<Realm>> grants = grant.map(g -> SecretGrants.create(g, context));
        InformerEventSource<NetworkPolicy, Realm> policies = networkPolicies(context);
        List<EventSource<?, Realm>> sources =
                new ArrayList<>(
                        List.of(
                                policies,
                                proxies(context, policies),
                                userTlsSecrets(context, grants),
                                issuedTlsSecrets(context, grants),
                                services(context),
                                CaBundleCopies.create(context)));
        grants.ifPresent(sources::add);
        return sources;
    }

    /**
     * The Secrets the operator issues (labelled as its children), for the {@link RealmTlsSecret}
     * dependent.
     */
    private static InformerEventSource<Secret, Realm> issuedTlsSecrets(
            EventSourceContext<Realm> context, Optional<SecretGrants<Realm>> grants) {
        return SecretGrants.secretInformer(
                InformerEventSourceConfiguration.from(Secret.class, Realm.class)
                        .withName(RealmTlsSecret.NAME)
                        .withLabelSelector(Names.REALM_CHILD_SELECTOR)
                        .withSecondaryToPrimaryMapper(
                                Mappers.fromOwnerReferences(Realm.class, false)),
                context,
                grants);
    }

    /**
     * The realms' Services (labelled as the operator's children), one informer for the {@link
     * RealmService} and {@link RealmExternalService} dependents; named, so the reconciler reads the
     * external Service's node port and load balancer address from it.
     */
    private static InformerEventSource<Service, Realm> services(EventSourceContext<Realm> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Service.class, Realm.class)
                        .withName(SERVICES)
                        .withLabelSelector(Names.REALM_CHILD_SELECTOR)
                        .withNamespacesInheritedFromController()
                        .withSecondaryToPrimaryMapper(
                                Mappers.fromOwnerReferences(Realm.class, false))
                        .build(),
                context);
    }

    private static InformerEventSource<NetworkPolicy, Realm> networkPolicies(
            EventSourceContext<Realm> context) {
        InformerEventSource<NetworkPolicy, Realm> policies =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(NetworkPolicy.class, Realm.class)
                                .withName(NETWORK_POLICIES)
                                .withLabelSelector(Names.REALM_CHILD_SELECTOR)
                                .withNamespacesInheritedFromController()
                                .withSecondaryToPrimaryMapper(
                                        Mappers.fromOwnerReferences(Realm.class, false))
                                .build(),
                        context);
        policies.addIndexers(
                Map.of(
                        POLICY_BY_ADMITTED_PROXY,
                        policy ->
                                RealmNetworkPolicyModel.admittedProxies(policy).stream()
                                        .map(
                                                proxy ->
                                                        key(
                                                                policy.getMetadata().getNamespace(),
                                                                proxy))
                                        .toList()));
        return policies;
    }

    /**
     * ForwardProxies → the Realms they name now, plus the Realms whose policy still admits them (a
     * reference just removed). Only changes to the named realms count: a proxy's status or other
     * fields do not concern its realms.
     */
    private static InformerEventSource<ForwardProxy, Realm> proxies(
            EventSourceContext<Realm> context, InformerEventSource<NetworkPolicy, Realm> policies) {
        AtomicReference<InformerEventSource<ForwardProxy, Realm>> self = new AtomicReference<>();
        PrimaryToSecondaryMapper<Realm> referencing =
                realm ->
                        self
                                .get()
                                .byIndex(
                                        PROXY_BY_REALM,
                                        key(
                                                realm.getMetadata().getNamespace(),
                                                realm.getMetadata().getName()))
                                .stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet());
        InformerEventSource<ForwardProxy, Realm> proxies =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(ForwardProxy.class, Realm.class)
                                .withName(PROXIES)
                                .withNamespacesInheritedFromController()
                                .withSecondaryToPrimaryMapper(
                                        proxy -> realmsToReconcile(proxy, policies))
                                .withPrimaryToSecondaryMapper(referencing)
                                .withOnUpdateFilter(
                                        (now, before) ->
                                                !namedRealms(now).equals(namedRealms(before)))
                                .build(),
                        context);
        proxies.addIndexers(
                Map.of(
                        PROXY_BY_REALM,
                        proxy ->
                                namedRealms(proxy).stream()
                                        .map(
                                                realm ->
                                                        key(
                                                                proxy.getMetadata().getNamespace(),
                                                                realm))
                                        .toList()));
        self.set(proxies);
        return proxies;
    }

    private static Set<ResourceID> realmsToReconcile(
            ForwardProxy proxy, InformerEventSource<NetworkPolicy, Realm> policies) {
        String namespace = proxy.getMetadata().getNamespace();
        Set<ResourceID> realms = new HashSet<>();
        namedRealms(proxy).forEach(realm -> realms.add(new ResourceID(realm, namespace)));
        for (NetworkPolicy policy :
                policies.byIndex(
                        POLICY_BY_ADMITTED_PROXY, key(namespace, proxy.getMetadata().getName()))) {
            owningRealm(policy).ifPresent(realms::add);
        }
        return realms;
    }

    private static Optional<ResourceID> owningRealm(HasMetadata child) {
        List<OwnerReference> owners = child.getMetadata().getOwnerReferences();
        return owners == null
                ? Optional.empty()
                : owners.stream()
                        .filter(
                                o ->
                                        Boolean.TRUE.equals(o.getController())
                                                && "Realm".equals(o.getKind()))
                        .findFirst()
                        .map(o -> new ResourceID(o.getName(), child.getMetadata().getNamespace()));
    }

    /** The Realms (of the proxy's namespace) a ForwardProxy's allowConnect names. */
    static SortedSet<String> namedRealms(ForwardProxy proxy) {
        SortedSet<String> realms = new TreeSet<>();
        if (proxy.getSpec() != null && proxy.getSpec().allowConnect != null) {
            proxy.getSpec().allowConnect.stream()
                    .filter(Objects::nonNull)
                    .map(target -> target.realm)
                    .filter(Objects::nonNull)
                    .forEach(realms::add);
        }
        return realms;
    }

    /**
     * Secrets named by a Realm's spec.tls.secretName → those Realms (found through an index on the
     * Realm cache), and a Realm → its Secret. Every Secret of the watched namespaces (or of those
     * that granted them) is cached, a user's Secret carries no label of ours to select it by; but
     * not the operator's own children ({@link Names#NOT_OPERATOR_CHILD_SELECTOR}): a realm's
     * spec.tls.secretName names a Secret of the user's.
     */
    private static InformerEventSource<Secret, Realm> userTlsSecrets(
            EventSourceContext<Realm> context, Optional<SecretGrants<Realm>> grants) {
        IndexerResourceCache<Realm> realms = context.getPrimaryCache();
        realms.addIndexer(
                REALM_BY_USER_SECRET,
                realm ->
                        RealmModel.userSecretName(realm)
                                .map(
                                        secret ->
                                                List.of(
                                                        key(
                                                                realm.getMetadata().getNamespace(),
                                                                secret)))
                                .orElse(List.of()));
        PrimaryToSecondaryMapper<Realm> named =
                realm ->
                        RealmModel.userSecretName(realm)
                                .map(
                                        secret ->
                                                Set.of(
                                                        new ResourceID(
                                                                secret,
                                                                realm.getMetadata()
                                                                        .getNamespace())))
                                .orElse(Set.of());
        return SecretGrants.secretInformer(
                InformerEventSourceConfiguration.from(Secret.class, Realm.class)
                        .withName(USER_TLS_SECRETS)
                        .withLabelSelector(Names.NOT_OPERATOR_CHILD_SELECTOR)
                        .withSecondaryToPrimaryMapper(
                                secret ->
                                        realms
                                                .byIndex(
                                                        REALM_BY_USER_SECRET,
                                                        key(
                                                                secret.getMetadata().getNamespace(),
                                                                secret.getMetadata().getName()))
                                                .stream()
                                                .map(ResourceID::fromResource)
                                                .collect(Collectors.toSet()))
                        .withPrimaryToSecondaryMapper(named),
                context,
                grants);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
