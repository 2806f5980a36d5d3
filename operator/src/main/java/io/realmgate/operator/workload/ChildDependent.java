package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * One child of a custom resource as a JOSDK dependent: it applies (server-side) what the kind's
 * pure model computes, and nothing else. The reconciler builds the model once per reconcile, before
 * the workflow, and puts it into the context ({@link #putModel}); every dependent reads that one
 * model. The child is found by its name, without building the desired object first.
 *
 * @param <R> the child's type
 * @param <P> the custom resource
 * @param <M> the model the reconciler built
 */
public abstract class ChildDependent<R extends HasMetadata, P extends HasMetadata, M>
        extends CRUDKubernetesDependentResource<R, P> {
    private final Class<M> modelType;

    protected ChildDependent(Class<R> childType, Class<M> modelType) {
        super(childType);
        this.modelType = modelType;
    }

    /** The child's name, from the custom resource alone. */
    protected abstract String childName(P primary);

    /** The child as the model computes it. */
    protected abstract R desired(M model);

    @Override
    protected final R desired(P primary, Context<P> context) {
        return desired(model(context, modelType));
    }

    @Override
    protected final ResourceID targetSecondaryResourceID(P primary, Context<P> context) {
        return new ResourceID(childName(primary), primary.getMetadata().getNamespace());
    }

    /**
     * Hands the model of this reconcile to the dependents (and to the reconciler's own
     * reconcile()).
     */
    public static <M> void putModel(Context<?> context, Class<M> type, M model) {
        context.managedWorkflowAndDependentResourceContext().put(type, model);
    }

    /** The model of this reconcile. */
    public static <M> M model(Context<?> context, Class<M> type) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(type, type);
    }
}
