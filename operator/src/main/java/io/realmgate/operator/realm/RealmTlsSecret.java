package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildDependent;

/**
 * The TLS Secret with the certificate the operator's CA issued: RealmModel#tlsSecret. Only while
 * the Realm names no Secret of its own and the operator may write Secrets in its namespace ({@link
 * OperatorIssues}); when the Realm starts to name one, the workflow deletes this one. The
 * certificate in it is the one {@code CertificateIssuer.certificateFor} returned for the Secret's
 * current content, so a certificate that is still good is written back unchanged (no write at all).
 * Its informer is RealmEventSources' (named {@link #NAME}), which watches only the namespaces that
 * granted the operator their Secrets.
 */
// JOSDK leaves Secrets to update-based matching by default; the operator applies every child
// server-side.
// Forced create: see RealmEventSources.
@KubernetesDependent(
        useSSA = BooleanWithUndefined.TRUE,
        createResourceOnlyIfNotExistingWithSSA = false)
public class RealmTlsSecret extends ChildDependent<Secret, Realm, RealmModel> {
    /** The dependent's name, which is also the name of its informer. */
    public static final String NAME = "tls-secret";

    public RealmTlsSecret() {
        super(Secret.class, RealmModel.class);
    }

    @Override
    protected String childName(Realm realm) {
        return Names.realmTlsSecret(realm);
    }

    @Override
    protected Secret desired(RealmModel model) {
        return model.tlsSecret();
    }

    /**
     * The operator issued the certificate: spec.tls.secretName names no Secret of the user's own,
     * and the namespace has granted the operator its Secrets.
     */
    public static class OperatorIssues implements Condition<Secret, Realm> {
        @Override
        public boolean isMet(
                DependentResource<Secret, Realm> dependent, Realm realm, Context<Realm> context) {
            return ChildDependent.model(context, RealmModel.class)
                    .certificate()
                    .issued()
                    .isPresent();
        }
    }
}
