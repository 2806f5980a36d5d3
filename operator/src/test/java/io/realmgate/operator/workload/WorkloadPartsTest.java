package io.realmgate.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared building blocks on their own; the realm and proxy model tests check them in the
 * children.
 */
class WorkloadPartsTest {

    @Test
    void childMetadataNamesItsControllerOnlyWhenTheOwnerHasAUid() {
        Realm stored = realm("4c5d2f0e-0000-4000-8000-000000000001");
        ObjectMeta child = ChildMetadata.of(stored, "prices-realm", Map.of("b", "2", "a", "1"));
        assertThat(child.getName()).isEqualTo("prices-realm");
        assertThat(child.getNamespace()).isEqualTo("apps");
        assertThat(child.getLabels()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(child.getOwnerReferences())
                .singleElement()
                .satisfies(
                        owner -> {
                            assertThat(owner.getUid())
                                    .isEqualTo("4c5d2f0e-0000-4000-8000-000000000001");
                            assertThat(owner.getController()).isTrue();
                            assertThat(owner.getBlockOwnerDeletion()).isTrue();
                        });

        assertThat(ChildMetadata.of(realm(null), "prices-realm", Map.of()).getOwnerReferences())
                .as("an owner never stored has no uid to reference")
                .isEmpty();
    }

    @Test
    void issuedTlsSecretIsReadBackAsTheSameCertificate() {
        IssuedCertificate issued =
                new IssuedCertificate(
                        pem("CERTIFICATE", "leaf"),
                        pem("PRIVATE KEY", "key"),
                        pem("CERTIFICATE", "ca"),
                        List.of("prices-realm"),
                        Instant.parse("2031-01-01T00:00:00Z"));
        Secret secret =
                IssuedTlsSecret.of(
                        new ObjectMetaBuilder().withName("prices-realm-tls").build(), issued);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
        assertThat(secret.getData().get("tls.key"))
                .isEqualTo(TlsSecrets.base64(issued.privateKeyPem()));
        assertThat(
                        new String(
                                Base64.getDecoder().decode(secret.getData().get("ca.crt")),
                                StandardCharsets.US_ASCII))
                .isEqualTo(issued.caBundlePem());
    }

    @Test
    void securityContextsMeetTheRestrictedStandard() {
        var pod = PodSecurity.pod(List.of(9000));
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(List.of(pod.getRunAsUser(), pod.getRunAsGroup(), pod.getFsGroup()))
                .containsOnly(10001L);
        assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getSysctls()).isEmpty();
        assertThat(PodSecurity.pod(List.of(443)).getSysctls())
                .as("a low port needs the sysctl")
                .isNotEmpty();

        var container = PodSecurity.container();
        assertThat(container.getRunAsNonRoot()).isTrue();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
    }

    private static Realm realm(String uid) {
        Realm realm = new Realm();
        realm.setMetadata(
                new ObjectMetaBuilder()
                        .withName("prices")
                        .withNamespace("apps")
                        .withUid(uid)
                        .build());
        return realm;
    }

    private static String pem(String type, String body) {
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
