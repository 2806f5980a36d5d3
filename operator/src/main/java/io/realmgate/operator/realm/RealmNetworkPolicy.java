package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/**
 * NetworkPolicy {@code <name>-realm}: RealmModel#networkPolicy. Its informer is {@link
 * RealmEventSources#NETWORK_POLICIES}, shared with the reconciler, which indexes the policies by
 * the proxies they admit.
 */
// Forced create: see RealmEventSources.
@KubernetesDependent(createResourceOnlyIfNotExistingWithSSA = false)
public class RealmNetworkPolicy extends ChildDependent<NetworkPolicy, Realm, RealmModel> {
    static final String NAME = "network-policy";

    public RealmNetworkPolicy() {
        super(NetworkPolicy.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realm(realm);
    }

    @Override
    protected NetworkPolicy desired(RealmModel model) {
        return model.networkPolicy();
    }
}
