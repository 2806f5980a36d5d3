package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.workload.ChildDependent;

/**
 * Secret {@code <name>-proxy-tls} ({@code kubernetes.io/tls}) with the certificate the operator
 * issued for the proxy's TLS listener. Only while TLS is on without a Secret of the user's own;
 * otherwise it is deleted. The certificate is the one {@link
 * io.realmgate.operator.tls.CertificateIssuer#certificateFor} returned for this reconcile, which is
 * the existing one while it is still good, so the Secret is not rewritten. Its informer is
 * ProxyReferences' (named {@link #NAME}), which watches only the namespaces that granted the
 * operator their Secrets.
 */
// Server-side apply like every other child (JOSDK 5 leaves ConfigMaps and Secrets to update by
// default).
@KubernetesDependent(useSSA = BooleanWithUndefined.TRUE)
public class ProxyTlsSecret extends ChildDependent<Secret, ForwardProxy, ProxyModel> {
    static final String NAME = "proxy-tls-secret";

    public ProxyTlsSecret() {
        super(Secret.class, ProxyModel.class);
    }

    @Override
    protected String childName(ForwardProxy proxy) {
        return Names.proxyTlsSecret(proxy);
    }

    @Override
    protected Secret desired(ProxyModel model) {
        return model.tlsSecret();
    }

    /**
     * Reconcile precondition: the operator issued the proxy's certificate (TLS on without a Secret
     * of the user's own, in a namespace that granted the operator its Secrets).
     */
    public static class Issued implements Condition<Secret, ForwardProxy> {
        @Override
        public boolean isMet(
                DependentResource<Secret, ForwardProxy> dependent,
                ForwardProxy proxy,
                Context<ForwardProxy> context) {
            return ProxyModel.issuesCertificate(proxy)
                    && ChildDependent.model(context, ProxyModel.class).certificate().isPresent();
        }
    }
}
