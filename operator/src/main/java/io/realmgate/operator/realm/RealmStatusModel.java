package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.Reasons;
import io.realmgate.realm.config.RealmConfig;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Realm's status from its model and its Deployment as the API server reports it. Pure: the
 * previous status, the facts and the time in, the next status out; conditions keep their
 * lastTransitionTime while they do not flip.
 */
final class RealmStatusModel {
    private RealmStatusModel() {}

    /** Whether the realm serves, and why (not). */
    record Readiness(boolean ready, String reason, String message) {}

    static RealmStatus next(RealmModel model, Deployment deployment, Instant now) {
        return next(model, deployment, null, RealmTlsRoute.State.notServed(), now);
    }

    /**
     * @param externalService the Service {@code <name>-realm-external} as the API server reports
     *     it, null when there is none
     * @param tlsRoute what became of the realm's TLSRoute (not served, when it wants none)
     */
    static RealmStatus next(
            RealmModel model,
            Deployment deployment,
            Service externalService,
            RealmTlsRoute.State tlsRoute,
            Instant now) {
        RealmStatus previous = model.realm().getStatus();
        long generation = generation(model);
        WssCertificate certificate = model.certificate();
        List<Condition> conditions = previous == null ? List.of() : previous.conditions;
        Readiness ready =
                certificate.ready()
                        ? readiness(model.replicas(), deployment, Names.realm(model.realm()))
                        : new Readiness(false, certificate.reason(), certificate.message());
        if (!ready.ready()
                && Reasons.DEPLOYMENT_NOT_AVAILABLE.equals(ready.reason())
                && model.sharedEngine()
                && model.engine().redis != null) {
            // The operator sees the Deployment's counts, not why a pod is not ready; a redis
            // realm's
            // pod is not ready while it cannot reach Redis, which its /readyz names.
            ready =
                    new Readiness(
                            false,
                            ready.reason(),
                            ready.message()
                                    + "; a redis realm's pod is ready only while it reaches Redis at "
                                    + RealmConfig.RedisUrl.redacted(model.engine().redis.url)
                                    + " (the pod's /readyz on port "
                                    + RealmModel.ADMIN_PORT_NAME
                                    + " names the cause)");
        }
        if (model.specReplicas() > model.replicas()) {
            // Only a Realm stored before the API server refused this; say why it has fewer pods.
            ready =
                    new Readiness(
                            ready.ready(),
                            ready.reason(),
                            ready.message()
                                    + "; spec.replicas "
                                    + model.specReplicas()
                                    + " runs as "
                                    + model.replicas()
                                    + ": a memory realm is one process (set spec.replicas to 0 or 1)");
        }
        conditions =
                Conditions.with(
                        conditions,
                        Conditions.READY,
                        ready.ready(),
                        ready.reason(),
                        ready.message(),
                        generation,
                        now);
        conditions =
                Conditions.with(
                        conditions,
                        Conditions.CERTIFICATE_READY,
                        certificate.ready(),
                        certificate.reason(),
                        certificate.message(),
                        generation,
                        now);
        conditions = model.limitSettings().condition(conditions, generation, now);
        conditions = model.retention().condition(conditions, generation, now);
        conditions = model.capacity().condition(conditions, generation, now);
        Optional<RealmExposure.Outcome> exposure =
                RealmExposure.of(model.realm())
                        .map(e -> RealmExposure.outcome(model, externalService, tlsRoute));
        conditions = RealmExposure.condition(conditions, exposure, generation, now);
        RealmStatus next = new RealmStatus();
        next.externalEndpoints =
                exposure.map(RealmExposure.Outcome::endpoints)
                        .filter(e -> !e.isEmpty())
                        .orElse(null);
        next.observedGeneration = generation;
        next.conditions = conditions;
        next.endpoints = model.endpoints();
        next.engine = model.engine().statusName();
        next.caBundleConfigMap = model.hasCaBundle() ? Names.realmCaBundle(model.realm()) : null;
        next.replicas =
                deployment == null
                                || deployment.getStatus() == null
                                || deployment.getStatus().getReplicas() == null
                        ? 0
                        : deployment.getStatus().getReplicas();
        next.selector =
                Names.selectorText(Names.realmSelector(model.realm().getMetadata().getName()));
        return next;
    }

    /**
     * The status after a reconcile that failed: Ready=False with the error, everything else as it
     * was (what was known before is not forgotten because one attempt failed).
     */
    static RealmStatus failed(RealmStatus previous, long generation, String message, Instant now) {
        RealmStatus next = new RealmStatus();
        if (previous != null) {
            next.observedGeneration = previous.observedGeneration;
            next.conditions = previous.conditions;
            next.endpoints = previous.endpoints;
            next.externalEndpoints = previous.externalEndpoints;
            next.engine = previous.engine;
            next.caBundleConfigMap = previous.caBundleConfigMap;
            next.replicas = previous.replicas;
            next.selector = previous.selector;
        }
        next.conditions =
                Conditions.with(
                        next.conditions,
                        Conditions.READY,
                        false,
                        Reasons.RECONCILE_FAILED,
                        message,
                        generation,
                        now);
        return next;
    }

    /**
     * Ready when every wanted replica runs the current pod template and is available: the
     * Deployment controller has seen the current generation, and updated and available replicas
     * reach spec.replicas. No replicas wanted: ready at once (nothing to wait for).
     */
    static Readiness readiness(int replicas, Deployment deployment, String deploymentName) {
        if (replicas == 0) {
            return new Readiness(true, Reasons.SCALED_TO_ZERO, "scaled to zero replicas");
        }
        if (deployment == null) {
            return new Readiness(
                    false,
                    Reasons.DEPLOYMENT_NOT_AVAILABLE,
                    "Deployment " + deploymentName + " does not exist yet");
        }
        DeploymentStatus status = deployment.getStatus();
        long generation =
                deployment.getMetadata().getGeneration() == null
                        ? 0
                        : deployment.getMetadata().getGeneration();
        long observed =
                status == null || status.getObservedGeneration() == null
                        ? 0
                        : status.getObservedGeneration();
        int updated =
                status == null || status.getUpdatedReplicas() == null
                        ? 0
                        : status.getUpdatedReplicas();
        int available =
                status == null || status.getAvailableReplicas() == null
                        ? 0
                        : status.getAvailableReplicas();
        if (observed < generation) {
            return new Readiness(
                    false,
                    Reasons.DEPLOYMENT_NOT_AVAILABLE,
                    "Deployment "
                            + deploymentName
                            + ": rollout of generation "
                            + generation
                            + " not started yet");
        }
        if (updated < replicas) {
            return new Readiness(
                    false,
                    Reasons.DEPLOYMENT_NOT_AVAILABLE,
                    "Deployment "
                            + deploymentName
                            + ": "
                            + updated
                            + "/"
                            + replicas
                            + " replicas updated");
        }
        if (available < replicas) {
            return new Readiness(
                    false,
                    Reasons.DEPLOYMENT_NOT_AVAILABLE,
                    "Deployment "
                            + deploymentName
                            + ": "
                            + available
                            + "/"
                            + replicas
                            + " replicas available");
        }
        return new Readiness(
                true,
                Reasons.DEPLOYMENT_AVAILABLE,
                available + "/" + replicas + " replicas available");
    }

    private static long generation(RealmModel model) {
        Long generation = model.realm().getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }
}
