package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
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

    /**
     * Turns a RollingUpdate into Recreate in one write, its parameters removed with it (a merge
     * patch's null deletes).
     */
    static final String TO_RECREATE =
            "{\"spec\":{\"strategy\":{\"type\":\"Recreate\",\"rollingUpdate\":null}}}";

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

    /**
     * A Deployment written before the memory engine had Recreate carries the RollingUpdate
     * parameters the API server defaulted. No field manager owns them, so a server-side apply of
     * Recreate leaves them in place and the API server refuses the result; they are removed first,
     * once, by a merge patch.
     */
    @Override
    public Deployment update(
            Deployment actual, Deployment desired, Realm realm, Context<Realm> context) {
        if (leavesRollingUpdateParameters(actual, desired)) {
            context.getClient()
                    .apps()
                    .deployments()
                    .inNamespace(actual.getMetadata().getNamespace())
                    .withName(actual.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), TO_RECREATE);
        }
        return super.update(actual, desired, realm, context);
    }

    static boolean leavesRollingUpdateParameters(Deployment actual, Deployment desired) {
        DeploymentStrategy wanted = desired.getSpec().getStrategy();
        DeploymentStrategy current =
                actual.getSpec() == null ? null : actual.getSpec().getStrategy();
        return wanted != null
                && "Recreate".equals(wanted.getType())
                && current != null
                && current.getRollingUpdate() != null;
    }
}
