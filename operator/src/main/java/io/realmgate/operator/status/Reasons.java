package io.realmgate.operator.status;

/**
 * The reasons of the Ready condition that both kinds share; a reason names one state, whichever
 * kind reports it (docs/operator.md lists them, and the Argo CD health checks of docs/gitops.md
 * read them). Reasons that only one kind knows (a missing realm, a user's Secret that cannot be
 * used) stay with that kind's model.
 */
public final class Reasons {
    /**
     * Ready=True: every wanted replica runs the current pod template and is available (both kinds).
     */
    public static final String DEPLOYMENT_AVAILABLE = "DeploymentAvailable";

    /**
     * Ready=False while the pods start or roll: the Deployment does not exist yet, its controller
     * has not seen the current template, or not every wanted replica is updated and available.
     * Normal, so no Warning Event; Argo CD shows Progressing.
     */
    public static final String DEPLOYMENT_NOT_AVAILABLE = "DeploymentNotAvailable";

    /** Ready=True with spec.replicas 0: nothing to wait for. */
    public static final String SCALED_TO_ZERO = "ScaledToZero";

    /** Ready=False after a reconcile threw (the CA unreachable, a write refused); JOSDK retries. */
    public static final String RECONCILE_FAILED = "ReconcileFailed";

    /**
     * A Realm's Exposed=False while its external Service has no node port yet: progress, no Warning
     * Event.
     */
    public static final String SERVICE_PENDING = "ServicePending";

    /**
     * A Realm's Exposed=False while its load balancer has reported no address: progress (a cloud
     * takes minutes), no Warning Event.
     */
    public static final String LOAD_BALANCER_PENDING = "LoadBalancerPending";

    private Reasons() {}

    /**
     * Whether a False condition with this reason is a failure someone should hear of, rather than
     * progress.
     */
    public static boolean isFailure(String reason) {
        return !DEPLOYMENT_NOT_AVAILABLE.equals(reason)
                && !SERVICE_PENDING.equals(reason)
                && !LOAD_BALANCER_PENDING.equals(reason);
    }
}
