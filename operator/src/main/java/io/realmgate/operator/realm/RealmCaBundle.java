package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;

/**
 * The ConfigMap with the CA bundle clients trust for the realm's wss listener: RealmModel#caBundle. Present while a
 * bundle is known ({@link BundleKnown}): always for certificates the operator issues; for a user's Secret only when
 * it carries ca.crt (a certificate from a public CA needs no bundle; one from a private CA the user distributes).
 */
// JOSDK leaves ConfigMaps to update-based matching by default; the operator applies every child server-side.
// Labels and the forced create: see RealmEventSources.CHILD_LABELS.
@KubernetesDependent(informer = @Informer(labelSelector = RealmEventSources.CHILD_LABELS),
        useSSA = BooleanWithUndefined.TRUE, createResourceOnlyIfNotExistingWithSSA = false)
public class RealmCaBundle extends CRUDKubernetesDependentResource<ConfigMap, Realm> {
    public RealmCaBundle() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(Realm realm, Context<Realm> context) {
        return RealmReconciler.model(context).caBundle();
    }

    @Override
    protected ResourceID targetSecondaryResourceID(Realm realm, Context<Realm> context) {
        return new ResourceID(Names.realmCaBundle(realm), realm.getMetadata().getNamespace());
    }

    public static class BundleKnown implements Condition<ConfigMap, Realm> {
        @Override
        public boolean isMet(DependentResource<ConfigMap, Realm> dependent, Realm realm, Context<Realm> context) {
            return RealmReconciler.model(context).hasCaBundle();
        }
    }
}
