package io.realmgate.operator.realm;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.CertificateIssuer;

/** Placeholder until the Realm reconciliation lands: registered, does nothing. */
public class RealmReconciler implements Reconciler<Realm> {
    public RealmReconciler(OperatorSettings settings, CertificateIssuer issuer) {
    }

    @Override
    public UpdateControl<Realm> reconcile(Realm resource, Context<Realm> context) {
        return UpdateControl.noUpdate();
    }
}
