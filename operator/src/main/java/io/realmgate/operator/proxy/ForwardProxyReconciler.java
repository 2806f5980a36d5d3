package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
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
import io.realmgate.operator.status.WarningEvents;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxyStatus;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.tls.CertificateIssuer;
import io.realmgate.operator.tls.IssuedCertificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reconciles a ForwardProxy into its ConfigMap, Deployment, Service, NetworkPolicy and (when the operator
 * issues its certificate) TLS Secret, and reports Ready, CertificateReady, the endpoint and the enforced target
 * rules in its status.
 *
 * <p>Each reconcile first reads what the proxy references (realms, Secrets, its certificate) into one
 * {@link ProxyModel}, then runs the workflow, whose dependents all build from that model. A realm that does not
 * exist, or a port it does not serve, is left out of the rules (it is simply not allowed) and reported as
 * Ready=False; the reconcile is retried after {@link #RETRY_MISSING}, and sooner when the Realm appears, since
 * Realms are watched. Nothing throws for it, so there is no exception loop.
 *
 * <p>The workflow is invoked explicitly so that the inputs exist before any dependent runs: JOSDK creates the
 * dependents itself, without arguments, and they reach the settings and the issuer only through the inputs.
 * There is no finalizer and no cleanup: the children carry a controller owner reference to the ForwardProxy
 * and go with it by garbage collection.
 */
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = ProxyConfigMap.NAME, type = ProxyConfigMap.class),
        @Dependent(name = ProxyTlsSecret.NAME, type = ProxyTlsSecret.class,
                reconcilePrecondition = ProxyTlsSecret.Issued.class, useEventSourceWithName = ProxyTlsSecret.NAME),
        @Dependent(name = ProxyDeployment.NAME, type = ProxyDeployment.class, dependsOn = ProxyConfigMap.NAME),
        @Dependent(name = ProxyService.NAME, type = ProxyService.class),
        @Dependent(name = ProxyNetworkPolicy.NAME, type = ProxyNetworkPolicy.class)
})
@ControllerConfiguration(name = ForwardProxyReconciler.NAME)
public class ForwardProxyReconciler implements Reconciler<ForwardProxy> {
    public static final String NAME = "forwardproxy";
    /** How soon a proxy with a missing reference looks again, besides the watch on Realms and Secrets. */
    public static final Duration RETRY_MISSING = Duration.ofSeconds(30);
    private static final int MAX_ERROR_MESSAGE = 512;

    private final OperatorSettings settings;
    private final CertificateIssuer issuer;
    private final Clock clock;

    public ForwardProxyReconciler(OperatorSettings settings, CertificateIssuer issuer) {
        this(settings, issuer, Clock.systemUTC());
    }

    public ForwardProxyReconciler(OperatorSettings settings, CertificateIssuer issuer, Clock clock) {
        this.settings = settings;
        this.issuer = issuer;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, ForwardProxy>> prepareEventSources(EventSourceContext<ForwardProxy> context) {
        Optional<SecretGrants<ForwardProxy>> grants = settings.secretGrant().map(g -> SecretGrants.create(g, context));
        List<EventSource<?, ForwardProxy>> sources = new ArrayList<>(List.of(ProxyReferences.realms(context),
                ProxyReferences.secrets(context, grants), ProxyReferences.issuedTlsSecrets(context, grants)));
        grants.ifPresent(sources::add);
        return sources;
    }

    @Override
    public UpdateControl<ForwardProxy> reconcile(ForwardProxy proxy, Context<ForwardProxy> context) {
        Instant now = clock.instant();
        ProxyInputs inputs = ProxyInputs.gather(proxy, settings, issuer, now,
                new CacheLookup(proxy, context, settings));
        context.managedWorkflowAndDependentResourceContext().put(ProxyInputs.class, inputs);
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();

        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
        ForwardProxyStatus next = ProxyStatusModel.next(proxy, inputs, deployment, now);
        announceFailures(context, proxy, next, now);

        UpdateControl<ForwardProxy> control = sameStatus(context, proxy.getStatus(), next)
                ? UpdateControl.noUpdate()
                : UpdateControl.patchStatus(statusPatch(proxy, next));
        nextLook(inputs, now).ifPresent(control::rescheduleAfter);
        return control;
    }

    @Override
    public ErrorStatusUpdateControl<ForwardProxy> updateErrorStatus(ForwardProxy proxy, Context<ForwardProxy> context,
            Exception e) {
        Instant now = clock.instant();
        ForwardProxyStatus next = ProxyStatusModel.failed(proxy, describe(e), now);
        announceFailures(context, proxy, next, now);
        // Retrying stays JOSDK's (backoff); only the status says what failed.
        return sameStatus(context, proxy.getStatus(), next) ? ErrorStatusUpdateControl.noStatusUpdate()
                : ErrorStatusUpdateControl.patchStatus(statusPatch(proxy, next));
    }

    /** The inputs the reconciler gathered for this reconcile; the dependents build from them. */
    static ProxyInputs inputs(Context<ForwardProxy> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(ProxyInputs.class, ProxyInputs.class);
    }

    /** A missing reference: look again soon. An issued certificate: look again when it falls due. */
    private Optional<Duration> nextLook(ProxyInputs inputs, Instant now) {
        Optional<Duration> next = inputs.problems().isEmpty() ? Optional.empty() : Optional.of(RETRY_MISSING);
        if (inputs.model().issuesCertificate()) {
            Optional<IssuedCertificate> certificate = inputs.model().certificate();
            if (certificate.isPresent()) {
                Duration untilRenewal = Duration.between(now, issuer.nextRenewal(certificate.get()));
                Duration renewal = untilRenewal.isNegative() ? Duration.ofSeconds(1) : untilRenewal;
                next = Optional.of(next.map(d -> d.compareTo(renewal) <= 0 ? d : renewal).orElse(renewal));
            }
        }
        return next;
    }

    /** A Warning Event when Ready or CertificateReady turns False, or stays False for a new reason. */
    private static void announceFailures(Context<ForwardProxy> context, ForwardProxy proxy, ForwardProxyStatus next,
            Instant now) {
        List<Condition> before = proxy.getStatus() == null ? null : proxy.getStatus().conditions;
        for (String type : List.of(Conditions.READY, Conditions.CERTIFICATE_READY)) {
            Condition current = Conditions.find(next.conditions, type);
            if (current == null || !"False".equals(current.getStatus())
                    || ProxyStatusModel.DEPLOYMENT_NOT_AVAILABLE.equals(current.getReason())) {
                continue; // Pods starting is not a failure worth an Event; the Deployment has its own.
            }
            Condition was = Conditions.find(before, type);
            boolean newFailure = was == null || !"False".equals(was.getStatus())
                    || !Objects.equals(was.getReason(), current.getReason());
            if (newFailure) {
                WarningEvents.record(context.getClient(), proxy, current.getReason(), current.getMessage(), now);
            }
        }
    }

    private static boolean sameStatus(Context<ForwardProxy> context, ForwardProxyStatus current,
            ForwardProxyStatus next) {
        if (current == null) {
            return false;
        }
        var json = context.getClient().getKubernetesSerialization();
        return json.asJson(current).equals(json.asJson(next));
    }

    /** Only name, namespace and status: server-side apply of the status subresource owns nothing else. */
    private static ForwardProxy statusPatch(ForwardProxy proxy, ForwardProxyStatus status) {
        ForwardProxy patch = new ForwardProxy();
        patch.setMetadata(new ObjectMetaBuilder().withName(proxy.getMetadata().getName())
                .withNamespace(proxy.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return patch;
    }

    private static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getClass().getSimpleName() + ": " + Objects.toString(cause.getMessage(), "");
        return message.length() <= MAX_ERROR_MESSAGE ? message : message.substring(0, MAX_ERROR_MESSAGE) + "...";
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
            return SecretGrants.denied(settings.secretGrant(), context, proxy.getMetadata().getNamespace());
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
        private <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, ForwardProxy> cache(
                Class<R> type, String name) {
            return (InformerEventSource<R, ForwardProxy>) context.eventSourceRetriever().getEventSourceFor(type, name);
        }
    }
}
