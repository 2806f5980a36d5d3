package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/** Deployment {@code <name>-realm}, the realm pods: RealmModel#deployment. */
// Forced create: see RealmEventSources.
@KubernetesDependent(
        informer = @Informer(labelSelector = Names.REALM_CHILD_SELECTOR),
        createResourceOnlyIfNotExistingWithSSA = false)
public class RealmDeployment extends ChildDependent<Deployment, Realm, RealmModel> {
    static final String NAME = "deployment";

    public RealmDeployment() {
        super(Deployment.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realm(realm);
    }

    @Override
    protected Deployment desired(RealmModel model) {
        return model.deployment();
    }
}
