package io.realmgate.operator.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.realmgate.operator.api.CertManagerIssuerRef;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.RealmTls;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cert-manager Certificate a Realm with spec.tls.issuerRef asks for, and the Secret it mounts.
 */
class CertManagerCertificateTest {
    private static Realm realm(CertManagerIssuerRef issuer) {
        Realm realm = new Realm();
        realm.setMetadata(
                new ObjectMetaBuilder()
                        .withName("prices")
                        .withNamespace("apps")
                        .withUid("0f0e0d0c-0000-4000-8000-000000000001")
                        .build());
        realm.setSpec(new RealmSpec());
        realm.getSpec().tls = new RealmTls();
        realm.getSpec().tls.issuerRef = issuer;
        return realm;
    }

    @Test
    void theCertificateNamesTheRealmsNamesTheIssuerAndTheSecretTheRealmMounts() {
        CertManagerIssuerRef issuer = new CertManagerIssuerRef();
        issuer.name = "internal-ca";
        Realm realm = realm(issuer);
        assertThat(RealmModel.userSecretName(realm)).contains("prices-realm-cert-manager-tls");
        assertThat(RealmModel.tlsSecretName(realm)).isEqualTo("prices-realm-cert-manager-tls");

        GenericKubernetesResource certificate =
                CertManagerCertificate.desired(
                        realm, issuer, List.of("prices-realm.apps.svc", "prices.example"));
        assertThat(certificate.getApiVersion()).isEqualTo("cert-manager.io/v1");
        assertThat(certificate.getKind()).isEqualTo("Certificate");
        assertThat(certificate.getMetadata().getName()).isEqualTo("prices-realm");
        assertThat(certificate.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(certificate.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.getKind()).isEqualTo("Realm");
                            assertThat(o.getController()).isTrue();
                        });
        assertThat(certificate.getAdditionalProperties().get("spec"))
                .isEqualTo(
                        Map.of(
                                "secretName",
                                "prices-realm-cert-manager-tls",
                                "dnsNames",
                                List.of("prices-realm.apps.svc", "prices.example"),
                                "issuerRef",
                                Map.of(
                                        "name",
                                        "internal-ca",
                                        "kind",
                                        "Issuer",
                                        "group",
                                        "cert-manager.io")));
    }

    @Test
    void withoutAnIssuerTheOperatorIssues() {
        assertThat(RealmModel.userSecretName(realm(null))).isEmpty();
        assertThat(RealmModel.certManagerIssuer(realm(null))).isEmpty();
    }
}
