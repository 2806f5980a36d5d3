package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/** ConfigMap {@code <name>-realm-config}: the rendered realm.yaml (RealmModel#configMap). */
// Server-side apply like every other child; forced create: see RealmEventSources.
@KubernetesDependent(
        informer = @Informer(labelSelector = Names.REALM_CHILD_SELECTOR),
        useSSA = BooleanWithUndefined.TRUE,
        createResourceOnlyIfNotExistingWithSSA = false)
public class RealmConfigMap extends ChildDependent<ConfigMap, Realm, RealmModel> {
    static final String NAME = "config-map";

    public RealmConfigMap() {
        super(ConfigMap.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realmConfig(realm);
    }

    @Override
    protected ConfigMap desired(RealmModel model) {
        return model.configMap();
    }
}
