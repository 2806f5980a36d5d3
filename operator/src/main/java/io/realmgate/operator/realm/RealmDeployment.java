package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;

/** The realm pods: RealmModel#deployment. */
// Labels and the forced create: see RealmEventSources.CHILD_LABELS.
@KubernetesDependent(informer = @Informer(labelSelector = RealmEventSources.CHILD_LABELS),
        createResourceOnlyIfNotExistingWithSSA = false)
public class RealmDeployment extends CRUDKubernetesDependentResource<Deployment, Realm> {
    public RealmDeployment() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(Realm realm, Context<Realm> context) {
        return RealmReconciler.model(context).deployment();
    }

    @Override
    protected ResourceID targetSecondaryResourceID(Realm realm, Context<Realm> context) {
        return new ResourceID(Names.realm(realm), realm.getMetadata().getNamespace());
    }
}
