package io.realmgate.operator.realm;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.access.SecretGrant;
import io.realmgate.operator.access.SecretGrants;
import io.realmgate.operator.status.WarningEvents;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.tls.CertificateIssuer;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reconciles a Realm into its children (the workflow of small dependents, each applying what {@link RealmModel}
 * computes) and its status. Before the workflow runs, {@link #initContext} looks up what the model needs besides
 * the Realm: the wss certificate (kept while the CA says it is good, or the user's Secret) and the ForwardProxies
 * that name the realm; every dependent reads the one model so built.
 */
@Workflow(dependents = {
        @Dependent(name = RealmTlsSecret.NAME, type = RealmTlsSecret.class,
                reconcilePrecondition = RealmTlsSecret.OperatorIssues.class,
                useEventSourceWithName = RealmTlsSecret.NAME),
        @Dependent(name = "ca-bundle", type = RealmCaBundle.class,
                reconcilePrecondition = RealmCaBundle.BundleKnown.class),
        @Dependent(name = "deployment", type = RealmDeployment.class),
        @Dependent(name = "service", type = RealmService.class),
        @Dependent(name = "network-policy", type = RealmNetworkPolicy.class,
                useEventSourceWithName = RealmEventSources.NETWORK_POLICIES),
})
@ControllerConfiguration(name = RealmReconciler.NAME)
public class RealmReconciler implements Reconciler<Realm>, ContextInitializer<Realm> {
    public static final String NAME = "realm";
    /** The longest the reconciler waits before it looks at a realm again (certificate renewal is checked then). */
    static final Duration MAX_RECHECK = Duration.ofHours(1);
    /** How soon it looks again at a realm whose user Secret cannot be used (a watch also catches the fix). */
    static final Duration UNUSABLE_SECRET_RECHECK = Duration.ofMinutes(1);
    /** How soon it tries again after a failed reconcile once JOSDK's own retries are used up. */
    static final Duration FAILED_RECHECK = Duration.ofMinutes(1);

    private final OperatorSettings settings;
    private final CertificateIssuer issuer;
    private final Clock clock = Clock.systemUTC();

    public RealmReconciler(OperatorSettings settings, CertificateIssuer issuer) {
        this.settings = settings;
        this.issuer = issuer;
    }

    @Override
    public List<EventSource<?, Realm>> prepareEventSources(EventSourceContext<Realm> context) {
        return RealmEventSources.create(context, settings.secretGrant());
    }

    /**
     * Builds the model once per reconcile, before the workflow; the dependents' desired() read it. In a namespace
     * that has not granted the operator its Secrets the certificate is unusable (SecretAccessNotGranted): nothing is
     * issued or read, no Secret is written, and the pods wait for the Secret they mount.
     */
    @Override
    public void initContext(Realm realm, Context<Realm> context) {
        Instant now = clock.instant();
        String namespace = realm.getMetadata().getNamespace();
        Optional<String> denied = SecretGrants.denied(settings.secretGrant(), context, namespace);
        WssCertificate certificate = denied.isPresent()
                ? notGranted(realm, denied.get())
                : RealmModel.userSecretName(realm)
                        .map(secret -> UserTlsSecret.check(secret, namespace, context.getSecondaryResource(
                                Secret.class, RealmEventSources.USER_TLS_SECRETS).orElse(null), now))
                        .orElseGet(() -> issuedCertificate(realm, context, now));
        SortedSet<String> proxies = new TreeSet<>();
        for (ForwardProxy proxy : context.getSecondaryResources(ForwardProxy.class)) {
            if (RealmEventSources.namedRealms(proxy).contains(realm.getMetadata().getName())
                    && realm.getMetadata().getNamespace().equals(proxy.getMetadata().getNamespace())) {
                proxies.add(proxy.getMetadata().getName());
            }
        }
        context.managedWorkflowAndDependentResourceContext()
                .put(RealmModel.class, new RealmModel(realm, settings, certificate, proxies));
    }

    /**
     * No certificate while the namespace has not granted the operator its Secrets. The CA bundle of one the operator
     * would issue is known all the same, so the bundle's ConfigMap stays.
     */
    private WssCertificate notGranted(Realm realm, String message) {
        Optional<String> caBundle = RealmModel.userSecretName(realm).isPresent() ? Optional.empty()
                : Optional.of(issuer.caBundle());
        return WssCertificate.unusable(RealmModel.tlsSecretName(realm), caBundle, SecretGrant.NOT_GRANTED, message);
    }

    /** The certificate in the operator's TLS Secret if the CA still stands by it, a new one otherwise. */
    private WssCertificate issuedCertificate(Realm realm, Context<Realm> context, Instant now) {
        Optional<IssuedCertificate> existing = context.getSecondaryResource(Secret.class, RealmTlsSecret.NAME)
                .flatMap(TlsSecrets::read);
        IssuedCertificate certificate = issuer.certificateFor(RealmModel.dnsNames(realm, settings), existing, now);
        return WssCertificate.issued(Names.realmTlsSecret(realm), certificate, issuer.caBundle(),
                issuer.nextRenewal(certificate));
    }

    static RealmModel model(Context<Realm> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(RealmModel.class, RealmModel.class);
    }

    @Override
    public UpdateControl<Realm> reconcile(Realm realm, Context<Realm> context) {
        Instant now = clock.instant();
        RealmModel model = model(context);
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        RealmStatus next = RealmStatusModel.next(model, deployment, now);
        UpdateControl<Realm> control = statusUpdate(realm, next, context, now, UpdateControl::patchStatus,
                UpdateControl::noUpdate);
        return control.rescheduleAfter(recheckAfter(model.certificate(), now));
    }

    /**
     * A reconcile failed (the CA unreachable, the API server refusing a write): Ready=False with the reason, a
     * Warning Event, and JOSDK's retries; once they are used up, a retry every {@link #FAILED_RECHECK} rather than
     * giving up until the next event.
     */
    @Override
    public ErrorStatusUpdateControl<Realm> updateErrorStatus(Realm realm, Context<Realm> context, Exception e) {
        Instant now = clock.instant();
        long generation = realm.getMetadata().getGeneration() == null ? 0 : realm.getMetadata().getGeneration();
        RealmStatus next = RealmStatusModel.failed(realm.getStatus(), generation, summary(e), now);
        ErrorStatusUpdateControl<Realm> control = statusUpdate(realm, next, context, now,
                ErrorStatusUpdateControl::patchStatus, ErrorStatusUpdateControl::noStatusUpdate);
        boolean retriesUsedUp = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
        return retriesUsedUp ? control.withNoRetry().rescheduleAfter(FAILED_RECHECK) : control;
    }

    /** Writes the status only when it differs from what the API server has; records Events for new failures. */
    private <C> C statusUpdate(Realm realm, RealmStatus next, Context<Realm> context, Instant now,
            Function<Realm, C> patch, Supplier<C> none) {
        RealmStatus previous = realm.getStatus();
        RealmEvents.newFailures(previous, next)
                .forEach((reason, message) -> WarningEvents.record(context.getClient(), realm, reason, message, now));
        if (sameStatus(context.getClient().getKubernetesSerialization(), previous, next)) {
            return none.get();
        }
        realm.setStatus(next);
        return patch.apply(realm);
    }

    static boolean sameStatus(KubernetesSerialization json, RealmStatus previous, RealmStatus next) {
        if (previous == null) {
            return false;
        }
        JsonNode before = json.convertValue(previous, JsonNode.class);
        JsonNode after = json.convertValue(next, JsonNode.class);
        return before.equals(after);
    }

    /** Until the certificate's renewal (or expiry), at most an hour; soon again while a user's Secret is unusable. */
    static Duration recheckAfter(WssCertificate certificate, Instant now) {
        if (!certificate.ready()) {
            return UNUSABLE_SECRET_RECHECK;
        }
        Duration untilDue = certificate.recheckAt().map(at -> Duration.between(now, at)).orElse(MAX_RECHECK);
        if (untilDue.compareTo(Duration.ofSeconds(1)) < 0) {
            return Duration.ofSeconds(1);
        }
        return untilDue.compareTo(MAX_RECHECK) > 0 ? MAX_RECHECK : untilDue;
    }

    /** One line about what failed: the innermost cause's message, bounded in length (it goes into the status). */
    static String summary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replaceAll("\\s+", " ").strip();
        return message.length() > 300 ? message.substring(0, 297) + "..." : message;
    }
}
