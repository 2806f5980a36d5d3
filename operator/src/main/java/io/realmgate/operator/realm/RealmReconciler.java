package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.realmgate.operator.Names;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.access.SecretGrant;
import io.realmgate.operator.access.SecretGrants;
import io.realmgate.operator.api.CertManagerIssuerRef;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.StatusMessages;
import io.realmgate.operator.status.StatusUpdates;
import io.realmgate.operator.status.WarningEvents;
import io.realmgate.operator.tls.CertificateIssuer;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import io.realmgate.operator.workload.ChildDependent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reconciles a Realm into its children (the workflow of small dependents, each applying what {@link
 * RealmModel} computes) and its status. Before the workflow runs, {@link #initContext} looks up
 * what the model needs besides the Realm: the wss certificate (kept while the CA says it is good,
 * or the user's Secret) and the ForwardProxies that name the realm; every dependent reads the one
 * model so built. The ForwardProxy reconciler has the same shape (docs/decisions.md, "Operator: one
 * reconciler design").
 *
 * <p>There is no finalizer: the children carry a controller owner reference to the Realm and go
 * with it by garbage collection; the copies of its CA bundle in client namespaces, which no owner
 * reference can reach, are kept and deleted by {@link CaBundleCopies} (after the workflow, in
 * {@link #reconcile}).
 */
@Workflow(
        dependents = {
            @Dependent(
                    name = RealmTlsSecret.NAME,
                    type = RealmTlsSecret.class,
                    reconcilePrecondition = RealmTlsSecret.OperatorIssues.class,
                    useEventSourceWithName = RealmTlsSecret.NAME),
            @Dependent(
                    name = RealmCaBundle.NAME,
                    type = RealmCaBundle.class,
                    reconcilePrecondition = RealmCaBundle.BundleKnown.class),
            @Dependent(name = RealmConfigMap.NAME, type = RealmConfigMap.class),
            @Dependent(
                    name = RealmDeployment.NAME,
                    type = RealmDeployment.class,
                    dependsOn = RealmConfigMap.NAME),
            @Dependent(
                    name = RealmService.NAME,
                    type = RealmService.class,
                    useEventSourceWithName = RealmEventSources.SERVICES),
            @Dependent(
                    name = RealmExternalService.NAME,
                    type = RealmExternalService.class,
                    reconcilePrecondition = RealmExternalService.Exposed.class,
                    useEventSourceWithName = RealmEventSources.SERVICES),
            @Dependent(
                    name = RealmNetworkPolicy.NAME,
                    type = RealmNetworkPolicy.class,
                    useEventSourceWithName = RealmEventSources.NETWORK_POLICIES),
            @Dependent(
                    name = RealmDisruptionBudget.NAME,
                    type = RealmDisruptionBudget.class,
                    reconcilePrecondition = RealmDisruptionBudget.SeveralSharedPods.class),
        })
@ControllerConfiguration(name = RealmReconciler.NAME)
public class RealmReconciler implements Reconciler<Realm>, ContextInitializer<Realm> {
    public static final String NAME = "realm";

    /**
     * The longest the reconciler waits before it looks at a realm again (certificate renewal is
     * checked then).
     */
    static final Duration MAX_RECHECK = Duration.ofHours(1);

    /**
     * How soon it looks again at a realm whose user Secret cannot be used (a watch also catches the
     * fix).
     */
    static final Duration UNUSABLE_SECRET_RECHECK = Duration.ofMinutes(1);

    /**
     * How soon it looks again at a realm that asks for a TLSRoute the API server does not serve.
     */
    static final Duration TLS_ROUTE_RECHECK = Duration.ofMinutes(1);

    /** How soon it tries again after a failed reconcile once JOSDK's own retries are used up. */
    static final Duration FAILED_RECHECK = Duration.ofMinutes(1);

    private final OperatorSettings settings;
    private final CertificateIssuer issuer;
    private final Clock clock;

    public RealmReconciler(OperatorSettings settings, CertificateIssuer issuer) {
        this(settings, issuer, Clock.systemUTC());
    }

    /**
     * @param clock the time conditions, Events and certificate checks are stamped with
     */
    public RealmReconciler(OperatorSettings settings, CertificateIssuer issuer, Clock clock) {
        this.settings = settings;
        this.issuer = issuer;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, Realm>> prepareEventSources(EventSourceContext<Realm> context) {
        return RealmEventSources.create(context, settings.secretGrant());
    }

    /**
     * Builds the model once per reconcile, before the workflow; the dependents' desired() read it.
     * In a namespace that has not granted the operator its Secrets the certificate is unusable
     * (SecretAccessNotGranted): nothing is issued or read, no Secret is written, and the pods wait
     * for the Secret they mount.
     */
    @Override
    public void initContext(Realm realm, Context<Realm> context) {
        Instant now = clock.instant();
        String namespace = realm.getMetadata().getNamespace();
        Optional<String> denied = SecretGrants.denied(settings.secretGrant(), context, namespace);
        Optional<CertManagerIssuerRef> certManager = RealmModel.certManagerIssuer(realm);
        WssCertificate certificate =
                denied.isPresent()
                        ? notGranted(realm, denied.get())
                        : certManager.isPresent()
                                        && !CertManagerCertificate.served(context.getClient())
                                ? certManagerNotInstalled(realm)
                                : RealmModel.userSecretName(realm)
                                        .map(
                                                secret ->
                                                        UserTlsSecret.check(
                                                                secret,
                                                                namespace,
                                                                context.getSecondaryResource(
                                                                                Secret.class,
                                                                                RealmEventSources
                                                                                        .USER_TLS_SECRETS)
                                                                        .orElse(null),
                                                                now))
                                        .orElseGet(() -> issuedCertificate(realm, context, now));
        if (certManager.isPresent()
                && WssCertificate.SECRET_NOT_FOUND.equals(certificate.reason())) {
            certificate = certManagerPending(realm, certManager.get());
        }
        SortedSet<String> proxies = new TreeSet<>();
        referencingProxies(realm, context).forEach(p -> proxies.add(p.getMetadata().getName()));
        ChildDependent.putModel(
                context, RealmModel.class, new RealmModel(realm, settings, certificate, proxies));
    }

    /** spec.tls.issuerRef, but the API server serves no cert-manager Certificates. */
    private static WssCertificate certManagerNotInstalled(Realm realm) {
        return WssCertificate.unusable(
                Names.realmCertManagerSecret(realm),
                Optional.empty(),
                CertManagerCertificate.NOT_INSTALLED,
                "spec.tls.issuerRef names a cert-manager issuer, but the API server serves no "
                        + CertManagerCertificate.API_VERSION
                        + " Certificates: install cert-manager (its CRDs), or use spec.tls.secretName "
                        + "or the operator's own CA");
    }

    /** The Certificate is written; cert-manager has not written its Secret yet. */
    private static WssCertificate certManagerPending(Realm realm, CertManagerIssuerRef issuer) {
        return WssCertificate.unusable(
                Names.realmCertManagerSecret(realm),
                Optional.empty(),
                CertManagerCertificate.PENDING,
                "waiting for cert-manager to issue Certificate "
                        + Names.realm(realm)
                        + " ("
                        + issuer.kind
                        + " "
                        + issuer.name
                        + ") into Secret "
                        + Names.realmCertManagerSecret(realm));
    }

    private static List<ForwardProxy> referencingProxies(Realm realm, Context<Realm> context) {
        return context.getSecondaryResources(ForwardProxy.class).stream()
                .filter(
                        proxy ->
                                RealmEventSources.namedRealms(proxy)
                                                .contains(realm.getMetadata().getName())
                                        && realm.getMetadata()
                                                .getNamespace()
                                                .equals(proxy.getMetadata().getNamespace()))
                .toList();
    }

    /**
     * No certificate while the namespace has not granted the operator its Secrets. The CA bundle of
     * one the operator would issue is known all the same, so the bundle's ConfigMap stays.
     */
    private WssCertificate notGranted(Realm realm, String message) {
        Optional<String> caBundle =
                RealmModel.userSecretName(realm).isPresent()
                        ? Optional.empty()
                        : Optional.of(issuer.caBundle());
        return WssCertificate.unusable(
                RealmModel.tlsSecretName(realm), caBundle, SecretGrant.NOT_GRANTED, message);
    }

    /**
     * The certificate in the operator's TLS Secret if the CA still stands by it, a new one
     * otherwise.
     */
    private WssCertificate issuedCertificate(Realm realm, Context<Realm> context, Instant now) {
        Optional<IssuedCertificate> existing =
                context.getSecondaryResource(Secret.class, RealmTlsSecret.NAME)
                        .flatMap(TlsSecrets::read);
        IssuedCertificate certificate =
                issuer.certificateFor(RealmModel.dnsNames(realm, settings), existing, now);
        return WssCertificate.issued(
                Names.realmTlsSecret(realm),
                certificate,
                issuer.caBundle(),
                issuer.nextRenewal(certificate));
    }

    @Override
    public UpdateControl<Realm> reconcile(Realm realm, Context<Realm> context) {
        Instant now = clock.instant();
        RealmModel model = ChildDependent.model(context, RealmModel.class);
        CaBundleCopies copies =
                (CaBundleCopies)
                        context.eventSourceRetriever()
                                .getEventSourceFor(ConfigMap.class, CaBundleCopies.NAME);
        copies.sync(
                realm,
                model.certificate().caBundle(),
                CaBundleCopies.wantedNamespaces(
                        realm, referencingProxies(realm, context), context));
        copies.removeOrphans();
        RealmModel.certManagerIssuer(realm)
                .filter(
                        issuer ->
                                !CertManagerCertificate.NOT_INSTALLED.equals(
                                        model.certificate().reason()))
                .ifPresent(
                        issuer ->
                                CertManagerCertificate.apply(
                                        context.getClient(),
                                        CertManagerCertificate.desired(
                                                realm,
                                                issuer,
                                                RealmModel.dnsNames(realm, settings))));
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        RealmTlsRoute.State tlsRoute = reconcileTlsRoute(realm, context, model);
        RealmStatus next =
                RealmStatusModel.next(
                        model, deployment, externalService(realm, context), tlsRoute, now);
        WarningEvents.announceNewFailures(context.getClient(), realm, realm.getStatus(), next, now);
        UpdateControl<Realm> control =
                changed(context, realm, next)
                        ? UpdateControl.patchStatus(StatusUpdates.patch(realm, next, Realm::new))
                        : UpdateControl.noUpdate();
        Duration recheck = recheckAfter(model.certificate(), now);
        if (model.wantsTlsRoute()
                && tlsRoute.version().isEmpty()
                && recheck.compareTo(TLS_ROUTE_RECHECK) > 0) {
            // Nothing tells the operator when the Gateway API gets installed (or a refusal is
            // fixed); look again soon.
            recheck = TLS_ROUTE_RECHECK;
        }
        return control.rescheduleAfter(recheck);
    }

    /**
     * A reconcile failed (the CA unreachable, the API server refusing a write): Ready=False with
     * the reason, a Warning Event, and JOSDK's retries; once they are used up, a retry every {@link
     * #FAILED_RECHECK} rather than giving up until the next event.
     */
    @Override
    public ErrorStatusUpdateControl<Realm> updateErrorStatus(
            Realm realm, Context<Realm> context, Exception e) {
        Instant now = clock.instant();
        long generation =
                realm.getMetadata().getGeneration() == null
                        ? 0
                        : realm.getMetadata().getGeneration();
        RealmStatus next =
                RealmStatusModel.failed(
                        realm.getStatus(), generation, StatusMessages.failure(e), now);
        WarningEvents.announceNewFailures(context.getClient(), realm, realm.getStatus(), next, now);
        ErrorStatusUpdateControl<Realm> control =
                changed(context, realm, next)
                        ? ErrorStatusUpdateControl.patchStatus(
                                StatusUpdates.patch(realm, next, Realm::new))
                        : ErrorStatusUpdateControl.noStatusUpdate();
        boolean retriesUsedUp = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
        return retriesUsedUp ? control.withNoRetry().rescheduleAfter(FAILED_RECHECK) : control;
    }

    /**
     * Applies the TLSRoute when the realm asks for one and the API server serves the kind; deletes
     * it when the realm stopped asking (its last status says one was applied). Discovery is asked
     * only then, so realms without a TLSRoute cost no request. A refused discovery or apply (RBAC,
     * the Gateway API's own validation) is the Exposed condition's failure, not the reconcile's:
     * the realm serves inside the cluster all the same.
     */
    private static RealmTlsRoute.State reconcileTlsRoute(
            Realm realm, Context<Realm> context, RealmModel model) {
        Condition exposed =
                realm.getStatus() == null
                        ? null
                        : Conditions.find(realm.getStatus().conditions, RealmExposure.CONDITION);
        boolean applied =
                exposed != null && RealmExposure.TLS_ROUTE_APPLIED.equals(exposed.getReason());
        if (!model.wantsTlsRoute() && !applied) {
            return RealmTlsRoute.State.notServed();
        }
        try {
            Optional<String> served = RealmTlsRoute.servedVersion(context.getClient());
            if (served.isEmpty()) {
                return RealmTlsRoute.State.notServed();
            }
            if (model.wantsTlsRoute()) {
                RealmTlsRoute.apply(context.getClient(), model, served.get());
                return RealmTlsRoute.State.served(served.get());
            }
            RealmTlsRoute.delete(context.getClient(), model, served.get());
            return RealmTlsRoute.State.notServed();
        } catch (KubernetesClientException e) {
            return RealmTlsRoute.State.failed(StatusMessages.failure(e));
        }
    }

    /** The Service {@code <name>-realm-external} from the informer's cache, or null. */
    @SuppressWarnings("unchecked")
    private static Service externalService(Realm realm, Context<Realm> context) {
        if (!RealmExposure.hasExternalService(realm)) {
            return null;
        }
        InformerEventSource<Service, Realm> services =
                (InformerEventSource<Service, Realm>)
                        context.eventSourceRetriever()
                                .getEventSourceFor(Service.class, RealmEventSources.SERVICES);
        return services.get(
                        new ResourceID(
                                Names.realmExternalService(realm),
                                realm.getMetadata().getNamespace()))
                .orElse(null);
    }

    /** The status is written only when it differs from what the API server has. */
    private static boolean changed(Context<Realm> context, Realm realm, RealmStatus next) {
        return StatusUpdates.changed(
                context.getClient().getKubernetesSerialization(), realm.getStatus(), next);
    }

    /**
     * Until the certificate's renewal (or expiry), at most an hour; soon again while a user's
     * Secret is unusable.
     */
    static Duration recheckAfter(WssCertificate certificate, Instant now) {
        if (!certificate.ready()) {
            return UNUSABLE_SECRET_RECHECK;
        }
        Duration untilDue =
                certificate.recheckAt().map(at -> Duration.between(now, at)).orElse(MAX_RECHECK);
        if (untilDue.compareTo(Duration.ofSeconds(1)) < 0) {
            return Duration.ofSeconds(1);
        }
        return untilDue.compareTo(MAX_RECHECK) > 0 ? MAX_RECHECK : untilDue;
    }
}
