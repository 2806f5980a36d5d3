package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/**
 * Service {@code <name>-realm-external}: the wss port as a NodePort or LoadBalancer
 * (RealmModel#externalService). Only while spec.expose asks for one ({@link Exposed}); otherwise
 * the workflow deletes it. Its informer is RealmEventSources' (named {@code services}, shared with
 * {@link RealmService}), from which the reconciler reads the allocated node port and the load
 * balancer's address.
 */
// Forced create: see RealmEventSources.
@KubernetesDependent(createResourceOnlyIfNotExistingWithSSA = false)
public class RealmExternalService extends ChildDependent<Service, Realm, RealmModel> {
    static final String NAME = "external-service";

    public RealmExternalService() {
        super(Service.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realmExternalService(realm);
    }

    @Override
    protected Service desired(RealmModel model) {
        return model.externalService();
    }

    /** Reconcile precondition: spec.expose of type NodePort or LoadBalancer. */
    public static class Exposed implements Condition<Service, Realm> {
        @Override
        public boolean isMet(
                DependentResource<Service, Realm> dependent, Realm realm, Context<Realm> context) {
            return ChildDependent.model(context, RealmModel.class).hasExternalService();
        }
    }
}
