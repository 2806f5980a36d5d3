package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;

/**
 * A child of a ForwardProxy, owned by it (garbage collected with it) and applied server-side. The desired
 * object comes from the {@link ProxyModel} the reconciler built for this reconcile; the child is found by its
 * name, without building the desired object first.
 */
abstract class ProxyDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, ForwardProxy> {
    /** The dependents' informers cache only the operator's proxy children, not every object of the type. */
    static final String CHILD_SELECTOR = Names.LABEL_NAME + "=" + Names.PROXY_APP + ","
            + Names.LABEL_MANAGED_BY + "=" + Names.MANAGED_BY;

    ProxyDependent(Class<R> type) {
        super(type);
    }

    abstract String childName(ForwardProxy proxy);

    abstract R desired(ProxyModel model);

    @Override
    protected final R desired(ForwardProxy proxy, Context<ForwardProxy> context) {
        return desired(ForwardProxyReconciler.inputs(context).model());
    }

    @Override
    protected final ResourceID targetSecondaryResourceID(ForwardProxy proxy, Context<ForwardProxy> context) {
        return new ResourceID(childName(proxy), proxy.getMetadata().getNamespace());
    }
}
