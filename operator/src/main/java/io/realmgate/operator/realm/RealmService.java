package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/**
 * Service {@code <name>-realm} with a port per enabled listener: RealmModel#service. Its informer
 * is RealmEventSources' (named {@code services}), shared with {@link RealmExternalService}.
 */
// Forced create: see RealmEventSources.
@KubernetesDependent(createResourceOnlyIfNotExistingWithSSA = false)
public class RealmService extends ChildDependent<Service, Realm, RealmModel> {
    static final String NAME = "service";

    public RealmService() {
        super(Service.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realm(realm);
    }

    @Override
    protected Service desired(RealmModel model) {
        return model.service();
    }
}
