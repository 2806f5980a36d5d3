package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.workload.ChildDependent;

/**
 * PodDisruptionBudget {@code <name>-proxy}: a node drain takes at most one proxy pod at a time.
 * Only while the proxy has more than one replica; at one (or none) it is deleted, since a budget
 * over a single pod would either block every drain or protect nothing.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.PROXY_CHILD_SELECTOR))
public class ProxyDisruptionBudget
        extends ChildDependent<PodDisruptionBudget, ForwardProxy, ProxyModel> {
    static final String NAME = "proxy-disruption-budget";

    public ProxyDisruptionBudget() {
        super(PodDisruptionBudget.class, ProxyModel.class);
    }

    @Override
    protected String childName(ForwardProxy proxy) {
        return Names.proxy(proxy);
    }

    @Override
    protected PodDisruptionBudget desired(ProxyModel model) {
        return model.disruptionBudget();
    }

    /**
     * Reconcile precondition: more than one replica. When it is not met, the workflow deletes the
     * budget.
     */
    public static class SeveralReplicas implements Condition<PodDisruptionBudget, ForwardProxy> {
        @Override
        public boolean isMet(
                DependentResource<PodDisruptionBudget, ForwardProxy> dependent,
                ForwardProxy proxy,
                Context<ForwardProxy> context) {
            return ChildDependent.model(context, ProxyModel.class).hasDisruptionBudget();
        }
    }
}
