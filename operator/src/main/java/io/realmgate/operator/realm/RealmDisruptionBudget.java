package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/**
 * PodDisruptionBudget {@code <name>-realm}: a node drain takes at most one pod of a redis realm at
 * a time. Only while the realm runs several pods on the redis engine ({@link SeveralSharedPods});
 * otherwise it is deleted.
 */
// Forced create: see RealmEventSources.
@KubernetesDependent(
        informer = @Informer(labelSelector = Names.REALM_CHILD_SELECTOR),
        createResourceOnlyIfNotExistingWithSSA = false)
public class RealmDisruptionBudget extends ChildDependent<PodDisruptionBudget, Realm, RealmModel> {
    static final String NAME = "disruption-budget";

    public RealmDisruptionBudget() {
        super(PodDisruptionBudget.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realm(realm);
    }

    @Override
    protected PodDisruptionBudget desired(RealmModel model) {
        return model.disruptionBudget();
    }

    /**
     * Reconcile precondition: the redis engine and more than one replica. When it is not met, the
     * workflow deletes the budget.
     */
    public static class SeveralSharedPods implements Condition<PodDisruptionBudget, Realm> {
        @Override
        public boolean isMet(
                DependentResource<PodDisruptionBudget, Realm> dependent,
                Realm realm,
                Context<Realm> context) {
            return ChildDependent.model(context, RealmModel.class).hasDisruptionBudget();
        }
    }
}
