package io.realmgate.operator.proxy;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.tls.CertificateIssuer;

/** Placeholder until the ForwardProxy reconciliation lands: registered, does nothing. */
public class ForwardProxyReconciler implements Reconciler<ForwardProxy> {
    public ForwardProxyReconciler(OperatorSettings settings, CertificateIssuer issuer) {
    }

    @Override
    public UpdateControl<ForwardProxy> reconcile(ForwardProxy resource, Context<ForwardProxy> context) {
        return UpdateControl.noUpdate();
    }
}
