package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;

/**
 * The realm's NetworkPolicy: RealmModel#networkPolicy. Its informer is {@link RealmEventSources#NETWORK_POLICIES},
 * shared with the reconciler, which indexes the policies by the proxies they admit.
 */
// Labels and the forced create: see RealmEventSources.CHILD_LABELS.
@KubernetesDependent(createResourceOnlyIfNotExistingWithSSA = false)
public class RealmNetworkPolicy extends CRUDKubernetesDependentResource<NetworkPolicy, Realm> {
    public RealmNetworkPolicy() {
        super(NetworkPolicy.class);
    }

    @Override
    protected NetworkPolicy desired(Realm realm, Context<Realm> context) {
        return RealmReconciler.model(context).networkPolicy();
    }

    @Override
    protected ResourceID targetSecondaryResourceID(Realm realm, Context<Realm> context) {
        return new ResourceID(Names.realm(realm), realm.getMetadata().getNamespace());
    }
}
