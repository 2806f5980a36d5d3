package io.realmgate.operator.access;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSourceStartPriority;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespaces that have granted the operator their Secrets ({@link SecretGrant}), from an
 * informer on the RoleBindings of all namespaces, and the controller's Secret informers kept on
 * exactly those namespaces.
 *
 * <p>Each controller has its own (JOSDK event sources belong to one controller). It starts before
 * the controller's other event sources (priority {@link
 * EventSourceStartPriority#RESOURCE_STATE_LOADER}), so the granted namespaces are known when the
 * Secret informers start; these start on the operator's own namespace and are moved to the granted
 * ones at once ({@link #secretInformer}). When a binding of the ClusterRole comes or goes, the
 * Secret informers are moved first (InformerEventSource#changeNamespaces, which returns once the
 * new ones have synced), then every primary resource of that namespace is reconciled: those that
 * waited for the grant proceed, without a restart of the operator.
 *
 * <p>A new binding takes effect when the API server's authorizer has seen it, which may be a moment
 * after the operator did: before watching Secrets in a newly granted namespace it asks the API
 * server (a SelfSubjectAccessReview) until it may list and watch them there, for up to {@link
 * #EFFECTIVE_WITHIN}. A binding that never takes effect (its ClusterRole missing, or without those
 * verbs) leaves the namespace ungranted, with a warning in the log.
 */
public final class SecretGrants<P extends HasMetadata> extends InformerEventSource<RoleBinding, P> {
    public static final String NAME = "secret-grants";
    static final Duration EFFECTIVE_WITHIN = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Logger log = LoggerFactory.getLogger(SecretGrants.class);

    private final SecretGrant grant;
    private final KubernetesClient client;
    private final String controller;
    private final Object lock = new Object();

    /** Guarded by {@link #lock}. */
    private final List<InformerEventSource<Secret, P>> secretInformers = new ArrayList<>();

    /** Written under {@link #lock}; read by reconciliations. */
    private volatile SortedSet<String> granted = Collections.emptySortedSet();

    private SecretGrants(
            InformerEventSourceConfiguration<RoleBinding> configuration,
            EventSourceContext<P> context,
            SecretGrant grant) {
        super(configuration, context);
        this.grant = grant;
        this.client = context.getClient();
        this.controller = context.getControllerConfiguration().getName();
        setEventSourcePriority(EventSourceStartPriority.RESOURCE_STATE_LOADER);
    }

    /**
     * The RoleBindings of all namespaces. A binding of the ClusterRole (granting or no longer
     * granting) maps to every primary resource of its namespace; any other binding to none.
     */
    public static <P extends HasMetadata> SecretGrants<P> create(
            SecretGrant grant, EventSourceContext<P> context) {
        var primaries = context.getPrimaryCache();
        var configuration =
                InformerEventSourceConfiguration.from(
                                RoleBinding.class, context.getPrimaryResourceClass())
                        .withName(NAME)
                        .withWatchAllNamespaces()
                        .withFollowControllerNamespacesChanges(false)
                        .withSecondaryToPrimaryMapper(
                                binding ->
                                        grant.refersTo(binding)
                                                ? primaries
                                                        .list(binding.getMetadata().getNamespace())
                                                        .map(ResourceID::fromResource)
                                                        .collect(Collectors.toSet())
                                                : Set.of())
                        // Nothing is looked up from a primary: no index of primaries to bindings.
                        .withPrimaryToSecondaryMapper(primary -> Set.of())
                        .build();
        return new SecretGrants<>(configuration, context, grant);
    }

    /**
     * A Secret informer of the controller: on the granted namespaces when the operator has a {@link
     * SecretGrant}, else on the controller's namespaces (all, or the listed ones, whose Roles grant
     * Secrets).
     */
    public static <P extends HasMetadata> InformerEventSource<Secret, P> secretInformer(
            InformerEventSourceConfiguration.Builder<Secret> configuration,
            EventSourceContext<P> context,
            Optional<SecretGrants<P>> grants) {
        if (grants.isEmpty()) {
            return new InformerEventSource<>(
                    configuration.withNamespacesInheritedFromController().build(), context);
        }
        SecretGrants<P> following = grants.get();
        configuration
                .withNamespaces(Set.of(following.grant.serviceAccountNamespace()))
                .withFollowControllerNamespacesChanges(true);
        return new InformerEventSource<>(configuration.build(), context) {
            @Override
            public synchronized void start() {
                super.start();
                following.follow(this);
            }
        };
    }

    /**
     * Why the operator may not use Secrets in the namespace (the message for the status and the
     * Warning Event); empty when it may: it has no {@link SecretGrant} (then the namespace is one
     * it watches with its Roles or its ClusterRole), or the namespace has granted it.
     */
    public static Optional<String> denied(
            Optional<SecretGrant> grant, Context<?> context, String namespace) {
        if (grant.isEmpty()) {
            return Optional.empty();
        }
        SecretGrants<?> grants =
                (SecretGrants<?>)
                        context.eventSourceRetriever().getEventSourceFor(RoleBinding.class, NAME);
        return grants.granted.contains(namespace)
                ? Optional.empty()
                : Optional.of(grant.get().notGrantedMessage(namespace));
    }

    /** The namespaces that have granted the operator their Secrets, as of the last binding seen. */
    public SortedSet<String> granted() {
        return granted;
    }

    @Override
    public synchronized void start() {
        super.start();
        // The cache has every binding now; the events for them may still be on their way.
        refresh(null);
        if (granted.isEmpty()) {
            log.info(
                    "{}: no namespace has granted the operator its Secrets yet (a RoleBinding of ClusterRole {} to "
                            + "{}/{}, such as: {})",
                    controller,
                    grant.clusterRole(),
                    grant.serviceAccountNamespace(),
                    grant.serviceAccount(),
                    grant.command("NAMESPACE"));
        }
    }

    @Override
    public void onAdd(RoleBinding binding) {
        if (grant.refersTo(binding)) {
            refresh(binding.getMetadata().getNamespace());
        }
        super.onAdd(binding);
    }

    @Override
    public void onUpdate(RoleBinding before, RoleBinding now) {
        if (grant.refersTo(now)) {
            refresh(now.getMetadata().getNamespace());
        }
        super.onUpdate(before, now);
    }

    @Override
    public void onDelete(RoleBinding binding, boolean finalStateUnknown) {
        if (grant.refersTo(binding)) {
            refresh(binding.getMetadata().getNamespace());
        }
        super.onDelete(binding, finalStateUnknown);
    }

    /**
     * A Secret informer of this controller has started (on the operator's namespace): move it where
     * it belongs.
     */
    private void follow(InformerEventSource<Secret, P> informer) {
        synchronized (lock) {
            secretInformers.add(informer);
            Set<String> watched = grant.watchedNamespaces(granted);
            if (!watched.equals(Set.of(grant.serviceAccountNamespace()))) {
                informer.changeNamespaces(watched);
            }
        }
    }

    /**
     * Recomputes the granted namespaces from the cached bindings; when they changed, moves the
     * Secret informers.
     *
     * @param changed the namespace of the binding that changed, whose new grant may still be on its
     *     way to the authorizer (waited for); null at start, when every binding has long been in
     *     effect
     */
    private void refresh(String changed) {
        synchronized (lock) {
            SortedSet<String> bound = grant.grantedNamespaces(list(grant::refersTo).toList());
            SortedSet<String> next = new TreeSet<>();
            for (String namespace : bound) {
                if (granted.contains(namespace) || inEffect(namespace, namespace.equals(changed))) {
                    next.add(namespace);
                }
            }
            if (next.equals(granted)) {
                return;
            }
            log.info(
                    "{}: the operator may use Secrets in {} (RoleBindings of ClusterRole {} to {}/{})",
                    controller,
                    next.isEmpty() ? "no namespace" : "namespaces " + next,
                    grant.clusterRole(),
                    grant.serviceAccountNamespace(),
                    grant.serviceAccount());
            granted = Collections.unmodifiableSortedSet(next);
            Set<String> watched = grant.watchedNamespaces(next);
            for (InformerEventSource<Secret, P> informer : secretInformers) {
                informer.changeNamespaces(watched);
            }
        }
    }

    /**
     * Whether the API server lets the operator list and watch Secrets in the namespace; waits for
     * it if told to.
     */
    private boolean inEffect(String namespace, boolean wait) {
        Instant deadline = Instant.now().plus(wait ? EFFECTIVE_WITHIN : Duration.ZERO);
        while (true) {
            if (allowed("list", namespace) && allowed("watch", namespace)) {
                return true;
            }
            if (!isRunning()) {
                return false; // stopping; or starting, where start() looks again
            }
            if (!Instant.now().isBefore(deadline)) {
                log.warn(
                        "{}: a RoleBinding in namespace {} binds ClusterRole {} to the operator, but the API server "
                                + "does not let it list and watch Secrets there (does the ClusterRole exist and grant them?); "
                                + "the namespace stays without Secret access",
                        controller,
                        namespace,
                        grant.clusterRole());
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private boolean allowed(String verb, String namespace) {
        try {
            var review =
                    new SelfSubjectAccessReviewBuilder()
                            .withNewSpec()
                            .withNewResourceAttributes()
                            .withVerb(verb)
                            .withResource("secrets")
                            .withNamespace(namespace)
                            .endResourceAttributes()
                            .endSpec()
                            .build();
            return Boolean.TRUE.equals(
                    client.authorization()
                            .v1()
                            .selfSubjectAccessReview()
                            .create(review)
                            .getStatus()
                            .getAllowed());
        } catch (KubernetesClientException e) {
            log.warn(
                    "{}: cannot ask the API server whether the operator may {} Secrets in {}: {}",
                    controller,
                    verb,
                    namespace,
                    e.getMessage());
            return false;
        }
    }
}
