package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.access.SecretGrants;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxyStatus;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.status.StatusMessages;
import io.realmgate.operator.status.StatusUpdates;
import io.realmgate.operator.status.WarningEvents;
import io.realmgate.operator.tls.CertificateIssuer;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.workload.ChildDependent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a ForwardProxy into its ConfigMap, Deployment, Service, NetworkPolicy, (when the
 * operator issues its certificate) TLS Secret and (with more than one replica) PodDisruptionBudget,
 * and reports Ready, CertificateReady, the endpoint and the enforced target rules in its status.
 *
 * <p>Before the workflow runs, {@link #initContext} reads what the proxy references (realms,
 * Secrets, its certificate) into one {@link ProxyModel}; the workflow's dependents all build from
 * that model. The Realm reconciler has the same shape (docs/decisions.md, "Operator: one reconciler
 * design"). A realm that does not exist, or a port it does not serve, is left out of the rules (it
 * is simply not allowed) and reported as Ready=False; the reconcile is retried after {@link
 * #RETRY_MISSING}, and sooner when the Realm appears, since Realms are watched. Nothing throws for
 * it, so there is no exception loop.
 *
 * <p>JOSDK creates the dependents itself, without arguments; they reach the settings and the issuer
 * only through the model. There is no finalizer and no cleanup: the children carry a controller
 * owner reference to the ForwardProxy and go with it by garbage collection.
 */
@Workflow(
        dependents = {
            @Dependent(name = ProxyConfigMap.NAME, type = ProxyConfigMap.class),
            @Dependent(
                    name = ProxyTlsSecret.NAME,
                    type = ProxyTlsSecret.class,
                    reconcilePrecondition = ProxyTlsSecret.Issued.class,
                    useEventSourceWithName = ProxyTlsSecret.NAME),
            @Dependent(
                    name = ProxyDeployment.NAME,
                    type = ProxyDeployment.class,
                    dependsOn = ProxyConfigMap.NAME),
            @Dependent(name = ProxyService.NAME, type = ProxyService.class),
            @Dependent(name = ProxyNetworkPolicy.NAME, type = ProxyNetworkPolicy.class),
            @Dependent(
                    name = ProxyDisruptionBudget.NAME,
                    type = ProxyDisruptionBudget.class,
                    reconcilePrecondition = ProxyDisruptionBudget.SeveralReplicas.class)
        })
@ControllerConfiguration(name = ForwardProxyReconciler.NAME)
public class ForwardProxyReconciler
        implements Reconciler<ForwardProxy>, ContextInitializer<ForwardProxy> {
    public static final String NAME = "forwardproxy";

    /**
     * How soon a proxy with a missing reference looks again, besides the watch on Realms and
     * Secrets.
     */
    public static final Duration RETRY_MISSING = Duration.ofSeconds(30);

    private final OperatorSettings settings;
    private final CertificateIssuer issuer;
    private final Clock clock;

    public ForwardProxyReconciler(OperatorSettings settings, CertificateIssuer issuer) {
        this(settings, issuer, Clock.systemUTC());
    }

    /**
     * @param clock the time conditions, Events and certificate checks are stamped with
     */
    public ForwardProxyReconciler(
            OperatorSettings settings, CertificateIssuer issuer, Clock clock) {
        this.settings = settings;
        this.issuer = issuer;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, ForwardProxy>> prepareEventSources(
            EventSourceContext<ForwardProxy> context) {
        Optional<SecretGrants<ForwardProxy>> grants =
                settings.secretGrant().map(g -> SecretGrants.create(g, context));
        List<EventSource<?, ForwardProxy>> sources =
                new ArrayList<>(
                        List.of(
                                ProxyReferences.realms(context),
                                ProxyReferences.secrets(context, grants),
                                ProxyReferences.issuedTlsSecrets(context, grants)));
        grants.ifPresent(sources::add);
        return sources;
    }

    /**
     * Builds the model once per reconcile, before the workflow; the dependents' desired() read it.
     */
    @Override
    public void initContext(ForwardProxy proxy, Context<ForwardProxy> context) {
        ProxyInputs inputs =
                ProxyInputs.gather(
                        proxy,
                        settings,
                        issuer,
                        clock.instant(),
                        new CacheLookup(proxy, context, settings));
        ChildDependent.putModel(context, ProxyInputs.class, inputs);
        ChildDependent.putModel(context, ProxyModel.class, inputs.model());
    }

    @Override
    public UpdateControl<ForwardProxy> reconcile(
            ForwardProxy proxy, Context<ForwardProxy> context) {
        Instant now = clock.instant();
        ProxyInputs inputs = inputs(context);
        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
        ForwardProxyStatus next = ProxyStatusModel.next(proxy, inputs, deployment, now);
        WarningEvents.announceNewFailures(context.getClient(), proxy, proxy.getStatus(), next, now);
        UpdateControl<ForwardProxy> control =
                changed(context, proxy, next)
                        ? UpdateControl.patchStatus(
                                StatusUpdates.patch(proxy, next, ForwardProxy::new))
                        : UpdateControl.noUpdate();
        nextLook(inputs, now).ifPresent(control::rescheduleAfter);
        return control;
    }

    @Override
    public ErrorStatusUpdateControl<ForwardProxy> updateErrorStatus(
            ForwardProxy proxy, Context<ForwardProxy> context, Exception e) {
        Instant now = clock.instant();
        ForwardProxyStatus next = ProxyStatusModel.failed(proxy, StatusMessages.failure(e), now);
        WarningEvents.announceNewFailures(context.getClient(), proxy, proxy.getStatus(), next, now);
        // Retrying stays JOSDK's (backoff); only the status says what failed.
        return changed(context, proxy, next)
                ? ErrorStatusUpdateControl.patchStatus(
                        StatusUpdates.patch(proxy, next, ForwardProxy::new))
                : ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** The inputs the reconciler gathered for this reconcile; the dependents build from them. */
    static ProxyInputs inputs(Context<ForwardProxy> context) {
        return ChildDependent.model(context, ProxyInputs.class);
    }

    /**
     * A missing reference: look again soon. An issued certificate: look again when it falls due.
     */
    private Optional<Duration> nextLook(ProxyInputs inputs, Instant now) {
        Optional<Duration> next =
                inputs.problems().isEmpty() ? Optional.empty() : Optional.of(RETRY_MISSING);
        if (inputs.model().issuesCertificate()) {
            Optional<IssuedCertificate> certificate = inputs.model().certificate();
            if (certificate.isPresent()) {
                Duration untilRenewal =
                        Duration.between(now, issuer.nextRenewal(certificate.get()));
                Duration renewal = untilRenewal.isNegative() ? Duration.ofSeconds(1) : untilRenewal;
                next =
                        Optional.of(
                                next.map(d -> d.compareTo(renewal) <= 0 ? d : renewal)
                                        .orElse(renewal));
            }
        }
        return next;
    }

    /** The status is written only when it differs from what the API server has. */
    private static boolean changed(
            Context<ForwardProxy> context, ForwardProxy proxy, ForwardProxyStatus next) {
        return StatusUpdates.changed(
                context.getClient().getKubernetesSerialization(), proxy.getStatus(), next);
    }

    /** Looks referenced objects up in the informer caches: no API calls during a reconcile. */
    private static final class CacheLookup implements ProxyInputs.Lookup {
        private final ForwardProxy proxy;
        private final Context<ForwardProxy> context;
        private final OperatorSettings settings;

        CacheLookup(ForwardProxy proxy, Context<ForwardProxy> context, OperatorSettings settings) {
            this.proxy = proxy;
            this.context = context;
            this.settings = settings;
        }

        @Override
        public Optional<String> secretAccessDenied() {
            return SecretGrants.denied(
                    settings.secretGrant(), context, proxy.getMetadata().getNamespace());
        }

        @Override
        public Optional<Realm> realm(String name) {
            return cache(Realm.class, ProxyReferences.REALMS).get(id(name));
        }

        @Override
        public Optional<Secret> secret(String name) {
            return cache(Secret.class, ProxyReferences.SECRETS).get(id(name));
        }

        @Override
        public Optional<Secret> issuedTlsSecret() {
            return cache(Secret.class, ProxyTlsSecret.NAME).get(id(Names.proxyTlsSecret(proxy)));
        }

        private ResourceID id(String name) {
            return new ResourceID(name, proxy.getMetadata().getNamespace());
        }

        @SuppressWarnings("unchecked")
        private <R extends io.fabric8.kubernetes.api.model.HasMetadata>
                InformerEventSource<R, ForwardProxy> cache(Class<R> type, String name) {
            return (InformerEventSource<R, ForwardProxy>)
                    context.eventSourceRetriever().getEventSourceFor(type, name);
        }
    }
}
