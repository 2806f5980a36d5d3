package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/**
 * The ConfigMap with the CA bundle clients trust for the realm's wss listener: RealmModel#caBundle.
 * Present while a bundle is known ({@link BundleKnown}): always for certificates the operator
 * issues; for a user's Secret only when it carries ca.crt (a certificate from a public CA needs no
 * bundle; one from a private CA the user distributes).
 */
// JOSDK leaves ConfigMaps to update-based matching by default; the operator applies every child
// server-side.
// Forced create: see RealmEventSources.
@KubernetesDependent(
        informer = @Informer(labelSelector = Names.REALM_CHILD_SELECTOR),
        useSSA = BooleanWithUndefined.TRUE,
        createResourceOnlyIfNotExistingWithSSA = false)
public class RealmCaBundle extends ChildDependent<ConfigMap, Realm, RealmModel> {
    static final String NAME = "ca-bundle";

    public RealmCaBundle() {
        super(ConfigMap.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realmCaBundle(realm);
    }

    @Override
    protected ConfigMap desired(RealmModel model) {
        return model.caBundle();
    }

    /** Reconcile precondition: there is a CA bundle to publish. */
    public static class BundleKnown implements Condition<ConfigMap, Realm> {
        @Override
        public boolean isMet(
                DependentResource<ConfigMap, Realm> dependent,
                Realm realm,
                Context<Realm> context) {
            return ChildDependent.model(context, RealmModel.class).hasCaBundle();
        }
    }
}
