package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyAuth;
import io.realmgate.operator.api.ProxyTls;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.SecretKeyRef;
import io.realmgate.operator.tls.CertificateIssuer;
import io.realmgate.operator.tls.IssuedCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyInputsTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    /** Objects as the informer caches would hold them. */
    private static final class Cluster implements ProxyInputs.Lookup {
        final Map<String, Realm> realms = new HashMap<>();
        final Map<String, Secret> secrets = new HashMap<>();
        Secret issued;
        String secretAccessDenied;

        @Override
        public Optional<Realm> realm(String name) {
            return Optional.ofNullable(realms.get(name));
        }

        @Override
        public Optional<Secret> secret(String name) {
            return Optional.ofNullable(secrets.get(name));
        }

        @Override
        public Optional<Secret> issuedTlsSecret() {
            return Optional.ofNullable(issued);
        }

        @Override
        public Optional<String> secretAccessDenied() {
            return Optional.ofNullable(secretAccessDenied);
        }
    }

    /**
     * The issuer's contract as the proxy side relies on it: the existing certificate back when its
     * names are the wanted ones, a new one otherwise. (OperatorCa itself is exercised against the
     * API server.)
     */
    private static final class KeepingIssuer implements CertificateIssuer {
        final List<Optional<IssuedCertificate>> asked = new ArrayList<>();

        @Override
        public IssuedCertificate certificateFor(
                List<String> dnsNames, Optional<IssuedCertificate> existing, Instant now) {
            asked.add(existing);
            if (existing.isPresent() && existing.get().dnsNames().equals(dnsNames)) {
                return existing.get();
            }
            return TestCertificates.selfSigned(dnsNames, now.plusSeconds(86_400 * 90));
        }

        @Override
        public String caBundle() {
            return "";
        }

        @Override
        public Instant nextRenewal(IssuedCertificate certificate) {
            return certificate.notAfter().minusSeconds(86_400 * 30);
        }
    }

    private static ProxyInputs gather(ForwardProxy p, Cluster cluster) {
        return ProxyInputs.gather(p, SETTINGS, new KeepingIssuer(), NOW, cluster);
    }

    private static Secret secret(String name, Map<String, String> plain) {
        Map<String, String> data = new HashMap<>();
        plain.forEach(
                (k, v) ->
                        data.put(
                                k,
                                Base64.getEncoder()
                                        .encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withData(data)
                .build();
    }

    private static ForwardProxy withAuth(ForwardProxy p, String secret, String key) {
        p.getSpec().auth = new ProxyAuth();
        p.getSpec().auth.basicSecretRef = new SecretKeyRef();
        p.getSpec().auth.basicSecretRef.name = secret;
        p.getSpec().auth.basicSecretRef.key = key;
        return p;
    }

    private static ForwardProxy withTls(ForwardProxy p, String secretName) {
        p.getSpec().tls = new ProxyTls();
        p.getSpec().tls.enabled = true;
        p.getSpec().tls.secretName = secretName;
        return p;
    }

    @Test
    void realmsAreLookedUpByNameAndAMissingOneIsAProblem() {
        Cluster cluster = new Cluster();
        cluster.realms.put("prices", realm("prices", "apps", 9000, 9443));
        ProxyInputs inputs =
                gather(
                        proxy("egress", "apps", realmTarget("prices"), realmTarget("quotes")),
                        cluster);

        assertThat(inputs.model().rules())
                .containsExactly(
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.cluster.local:9443");
        assertThat(inputs.problems()).extracting(Problem::reason).containsExactly("RealmNotFound");
        assertThat(inputs.certificateCondition()).isEmpty();
    }

    @Test
    void usersSecretMustHaveTheKeyAndNothingOfItReachesThePodTemplate() {
        Cluster cluster = new Cluster();
        ForwardProxy p = withAuth(proxy("egress", "apps"), "users", "htpasswd");

        assertThat(gather(p, cluster).problems())
                .containsExactly(
                        new Problem(
                                "AuthSecretNotFound",
                                "Secret 'users' (spec.auth.basicSecretRef) not found"));
        cluster.secrets.put("users", secret("users", Map.of("other", "x")));
        assertThat(gather(p, cluster).problems())
                .containsExactly(
                        new Problem(
                                "AuthSecretNotFound",
                                "Secret 'users' has no key 'htpasswd' (spec.auth.basicSecretRef.key)"));

        cluster.secrets.put("users", secret("users", Map.of("htpasswd", "alice:$2y$05$hash")));
        ProxyInputs one = gather(p, cluster);
        assertThat(one.problems()).isEmpty();
        assertThat(one.model().deployment().toString()).doesNotContain("$2y$05$hash");

        // The proxy reloads the users file from its Secret volume: a new password rolls no pod.
        cluster.secrets.put("users", secret("users", Map.of("htpasswd", "alice:$2y$05$other")));
        assertThat(gather(p, cluster).model().deployment()).isEqualTo(one.model().deployment());
    }

    @Test
    void issuedCertificateIsForTheServiceNamesAndTheExistingOneIsOfferedBack() {
        Cluster cluster = new Cluster();
        ForwardProxy p = withTls(proxy("egress", "apps"), null);
        KeepingIssuer issuer = new KeepingIssuer();

        ProxyInputs first = ProxyInputs.gather(p, SETTINGS, issuer, NOW, cluster);
        assertThat(issuer.asked).containsExactly(Optional.empty());
        IssuedCertificate issued = first.model().certificate().orElseThrow();
        assertThat(issued.dnsNames())
                .containsExactly(
                        "egress-proxy",
                        "egress-proxy.apps",
                        "egress-proxy.apps.svc",
                        "egress-proxy.apps.svc.cluster.local");
        assertThat(first.certificateCondition())
                .hasValueSatisfying(
                        c -> {
                            assertThat(c.status()).isTrue();
                            assertThat(c.reason()).isEqualTo("Issued");
                            assertThat(c.message())
                                    .contains("egress-proxy.apps.svc.cluster.local")
                                    .contains(issued.notAfter().toString());
                        });

        // The Secret written from it is read back on the next reconcile and kept: the same Secret,
        // the same pods.
        cluster.issued = first.model().tlsSecret();
        ProxyInputs second = ProxyInputs.gather(p, SETTINGS, issuer, NOW, cluster);
        assertThat(issuer.asked.get(1)).contains(issued);
        assertThat(second.model().tlsSecret()).isEqualTo(first.model().tlsSecret());
        assertThat(second.model().deployment()).isEqualTo(first.model().deployment());
    }

    @Test
    void everyServiceNameTheOperatorWritesUsesItsClusterDomain() {
        Cluster cluster = new Cluster();
        cluster.realms.put("prices", realm("prices", "apps", 9000, 9443));
        ForwardProxy p = withTls(proxy("egress", "apps", realmTarget("prices")), null);
        ProxyInputs inputs =
                ProxyInputs.gather(
                        p,
                        SETTINGS.withClusterDomain("corp.example"),
                        new KeepingIssuer(),
                        NOW,
                        cluster);

        assertThat(inputs.model().certificate().orElseThrow().dnsNames())
                .contains("egress-proxy.apps.svc.corp.example")
                .noneMatch(name -> name.endsWith("cluster.local"));
        assertThat(inputs.model().rules())
                .contains("prices-realm.apps.svc.corp.example:9443")
                .noneMatch(rule -> rule.contains("cluster.local"));
        assertThat(inputs.model().renderedConfig()).doesNotContain("cluster.local");
    }

    @Test
    void ownTlsSecretMustExistHoldACertificateAndNotBeExpired() {
        Cluster cluster = new Cluster();
        ForwardProxy p = withTls(proxy("egress", "apps"), "my-cert");

        ProxyInputs missing = gather(p, cluster);
        assertThat(missing.problems())
                .containsExactly(
                        new Problem(
                                "TlsSecretNotFound",
                                "Secret 'my-cert' (spec.tls.secretName) not found"));
        assertThat(missing.certificateCondition())
                .hasValueSatisfying(
                        c -> {
                            assertThat(c.status()).isFalse();
                            assertThat(c.reason()).isEqualTo("TlsSecretNotFound");
                        });

        cluster.secrets.put(
                "my-cert",
                secret("my-cert", Map.of("tls.crt", "not a certificate", "tls.key", "x")));
        assertThat(gather(p, cluster).problems())
                .extracting(Problem::reason)
                .containsExactly("TlsSecretInvalid");

        IssuedCertificate expired =
                TestCertificates.selfSigned(List.of("egress.example"), NOW.minusSeconds(60));
        cluster.secrets.put(
                "my-cert",
                secret(
                        "my-cert",
                        Map.of(
                                "tls.crt",
                                expired.certificatePem(),
                                "tls.key",
                                expired.privateKeyPem())));
        assertThat(gather(p, cluster).problems())
                .extracting(Problem::reason)
                .containsExactly("CertificateExpired");

        IssuedCertificate good =
                TestCertificates.selfSigned(List.of("egress.example"), NOW.plusSeconds(3600));
        cluster.secrets.put(
                "my-cert",
                secret(
                        "my-cert",
                        Map.of("tls.crt", good.certificatePem(), "tls.key", good.privateKeyPem())));
        ProxyInputs fine = gather(p, cluster);
        assertThat(fine.problems()).isEmpty();
        assertThat(fine.model().issuesCertificate()).isFalse();
        assertThat(fine.model().certificate())
                .map(IssuedCertificate::certificatePem)
                .contains(good.certificatePem());
        assertThat(fine.certificateCondition())
                .hasValueSatisfying(
                        c -> {
                            assertThat(c.status()).isTrue();
                            assertThat(c.reason()).isEqualTo("Provided");
                        });
    }

    @Test
    void problemsAreOrderedSpecThenSecretsThenTargets() {
        Cluster cluster = new Cluster();
        ForwardProxy p = withAuth(proxy("egress", "apps", realmTarget("gone")), "users", "users");
        p.getSpec().port = 9090;
        assertThat(gather(p, cluster).problems())
                .extracting(Problem::reason)
                .containsExactly("PortConflict", "AuthSecretNotFound", "RealmNotFound");
    }

    @Test
    void withoutTheNamespacesGrantNoSecretIsReadOrIssued() {
        Cluster cluster = new Cluster();
        cluster.secretAccessDenied =
                "the operator may not use Secrets in namespace apps; grant it: kubectl ...";
        cluster.secrets.put("users", secret("users", Map.of("htpasswd", "alice:$2y$05$hash")));
        KeepingIssuer issuer = new KeepingIssuer();

        ProxyInputs tls =
                ProxyInputs.gather(
                        withTls(proxy("egress", "apps"), null), SETTINGS, issuer, NOW, cluster);
        assertThat(issuer.asked).as("nothing issued").isEmpty();
        assertThat(tls.model().certificate()).isEmpty();
        assertThat(tls.problems())
                .containsExactly(new Problem("SecretAccessNotGranted", cluster.secretAccessDenied));
        assertThat(tls.certificateCondition())
                .hasValueSatisfying(
                        c -> {
                            assertThat(c.status()).isFalse();
                            assertThat(c.reason()).isEqualTo("SecretAccessNotGranted");
                            assertThat(c.message()).isEqualTo(cluster.secretAccessDenied);
                        });
        // The users Secret is not looked at (it would not be in the cache): one problem, the grant.
        ProxyInputs auth = gather(withAuth(proxy("egress", "apps"), "users", "htpasswd"), cluster);
        assertThat(auth.problems())
                .extracting(Problem::reason)
                .containsExactly("SecretAccessNotGranted");
        // A proxy that needs no Secret does not need the grant.
        assertThat(gather(proxy("egress", "apps"), cluster).problems()).isEmpty();
    }
}
