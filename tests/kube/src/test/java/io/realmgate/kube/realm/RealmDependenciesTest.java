package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.generation;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.tls.Certificates;
import io.realmgate.operator.tls.CertifiedKey;
import io.realmgate.operator.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a Realm depends on besides its own children: the ForwardProxies that name it (their pods are
 * admitted by the realm's NetworkPolicy, and stop being admitted when they stop naming it) and the
 * user's own TLS Secret (watched: its absence is reported, its arrival and every change roll the
 * pods).
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealmDependenciesTest {
    private static final String NS = "realm-dependencies";

    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    private static String realm(String name) {
        return """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: %s}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
        """
                .formatted(name);
    }

    private static String proxy(String name, String realm) {
        return """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: %s}
        spec:
          allowConnect:
            - realm: %s
              ports: [9443]
            - host: api.partner.example
              ports: [443]
        """
                .formatted(name, realm);
    }

    /**
     * The names of the ForwardProxies whose pods the realm's NetworkPolicy admits; empty when it
     * admits none.
     */
    private static List<String> admittedProxies(String realm) {
        NetworkPolicy policy = cluster.networkPolicy(realm);
        if (policy == null) {
            return null;
        }
        // The rules are the clients', then the proxies' (when any proxy names the realm), then the
        // metrics scrapers'.
        List<NetworkPolicyIngressRule> rules =
                policy.getSpec().getIngress().stream()
                        .filter(
                                rule ->
                                        rule.getFrom().get(0).getNamespaceSelector() == null
                                                && rule.getFrom().get(0).getPodSelector() != null
                                                && rule.getFrom()
                                                                .get(0)
                                                                .getPodSelector()
                                                                .getMatchLabels()
                                                        != null
                                                && "realmgate-proxy"
                                                        .equals(
                                                                rule.getFrom()
                                                                        .get(0)
                                                                        .getPodSelector()
                                                                        .getMatchLabels()
                                                                        .get(
                                                                                "app.kubernetes.io/name")))
                        .toList();
        if (rules.isEmpty()) {
            return List.of();
        }
        assertThat(rules).hasSize(1);
        NetworkPolicyIngressRule proxies = rules.get(0);
        assertThat(RealmReconcileTest.ports(proxies)).containsExactly("TCP/9000", "TCP/9443");
        LabelSelector pods = proxies.getFrom().get(0).getPodSelector();
        assertThat(pods.getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "realmgate-proxy"));
        assertThat(pods.getMatchExpressions())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getKey()).isEqualTo("app.kubernetes.io/instance");
                            assertThat(e.getOperator()).isEqualTo("In");
                        });
        return pods.getMatchExpressions().get(0).getValues();
    }

    private static void awaitAdmitted(String realm, String... proxies) {
        await("NetworkPolicy of " + realm + " admits " + List.of(proxies))
                .atMost(RealmCluster.WAIT)
                .until(() -> admittedProxies(realm), List.of(proxies)::equals);
    }

    @Test
    void proxiesThatNameTheRealmAreAdmittedUntilTheyStop() {
        cluster.apply(realm("feed"));
        cluster.awaitSettled("feed");
        assertThat(admittedProxies("feed")).isEmpty();

        cluster.applyProxy(proxy("egress", "feed"));
        awaitAdmitted("feed", "egress");

        cluster.applyProxy(proxy("backup", "feed"));
        awaitAdmitted("feed", "backup", "egress");

        // egress now names another realm: feed learns it from its own policy (the proxy no longer
        // names it).
        cluster.applyProxy(proxy("egress", "elsewhere"));
        awaitAdmitted("feed", "backup");

        cluster.client().resources(ForwardProxy.class).inNamespace(NS).withName("backup").delete();
        awaitAdmitted("feed");
    }

    /**
     * spec.limits and spec.allowedOrigins reach the realm's args as written; the per-client caps
     * left unset are sized for one proxy pod from the start; once a ForwardProxy names the realm,
     * one set lower is kept and reported (condition and a Warning Event); proxies coming and going
     * change no arg (no pod rolls for them).
     */
    @Test
    void limitsReachTheArgsAndACapBelowAProxyPodIsReported() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: sized}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
          limits: {maxConnectionsPerClient: 300, headerTimeout: 3s}
          allowedOrigins: [https://app.example.com]
        """);
        cluster.awaitRealm(
                "sized",
                "no proxy",
                r -> is(r, "ClientLimitsFitProxies", "True", "NoForwardProxies"));
        var before = cluster.deployment("sized").getSpec().getTemplate();
        assertThat(cluster.settings("sized"))
                .containsSequence("--allowed-origins", "https://app.example.com")
                .containsSequence(
                        "--max-connections-per-client",
                        "300",
                        "--header-timeout",
                        "3s",
                        "--max-streams-per-client",
                        "5000",
                        "--max-polls-per-client",
                        "5000");

        cluster.applyProxy(proxy("front", "sized"));
        Realm below =
                cluster.awaitRealm(
                        "sized",
                        "below one proxy pod",
                        r -> is(r, "ClientLimitsFitProxies", "False", "BelowProxyCapacity"));
        assertThat(condition(below, "ClientLimitsFitProxies").getMessage())
                .startsWith("spec.limits.maxConnectionsPerClient (300) is below 384")
                .contains("ForwardProxy front");
        Event warning =
                await("a Warning Event")
                        .atMost(RealmCluster.WAIT)
                        .until(() -> events("sized", "BelowProxyCapacity"), e -> !e.isEmpty())
                        .get(0);
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getMessage()).startsWith("spec.limits.maxConnectionsPerClient (300)");

        cluster.client().resources(ForwardProxy.class).inNamespace(NS).withName("front").delete();
        cluster.awaitRealm(
                "sized",
                "no proxy again",
                r -> is(r, "ClientLimitsFitProxies", "True", "NoForwardProxies"));
        assertThat(cluster.deployment("sized").getSpec().getTemplate())
                .as("proxies came and went: the same pod template, no roll")
                .isEqualTo(before);
    }

    @Test
    void aProxyThatNamesARealmBeforeItExistsIsAdmittedFromTheStart() {
        cluster.applyProxy(proxy("early", "late"));
        cluster.apply(realm("late"));
        awaitAdmitted("late", "early");
    }

    @Test
    void aUsersOwnSecretIsReportedWhileMissingAndRollsThePodsWhenItArrivesOrChanges() {
        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: own}
        spec:
          tls: {secretName: own-cert}
        """);
        Realm missing =
                cluster.awaitRealm(
                        "own",
                        "CertificateReady=False SecretNotFound",
                        r -> is(r, "CertificateReady", "False", "SecretNotFound"));
        assertThat(condition(missing, "CertificateReady").getMessage())
                .isEqualTo("Secret own-cert not found in namespace " + NS);
        assertThat(condition(missing, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(missing, "Ready").getReason()).isEqualTo("SecretNotFound");
        assertThat(missing.getStatus().caBundleConfigMap).as("no bundle known").isNull();
        Event warning =
                await("a Warning Event")
                        .atMost(RealmCluster.WAIT)
                        .until(() -> events("own", "SecretNotFound"), events -> events.size() == 1)
                        .get(0);
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getMessage()).isEqualTo("Secret own-cert not found in namespace " + NS);
        assertThat(warning.getInvolvedObject().getKind()).isEqualTo("Realm");
        assertThat(warning.getInvolvedObject().getUid()).isEqualTo(missing.getMetadata().getUid());
        await("Deployment")
                .atMost(RealmCluster.WAIT)
                .until(() -> cluster.deployment("own") != null);
        assertThat(RealmCluster.tlsVolumeSecret(cluster.deployment("own"))).isEqualTo("own-cert");
        assertThat(cluster.tlsSecret("own")).as("the operator issues nothing").isNull();
        assertThat(cluster.caBundle("own")).isNull();
        long generationWhileMissing = generation(cluster.deployment("own"));

        CertifiedKey ca = Certificates.createCa(Instant.now(), Duration.ofDays(30));
        cluster.client().resource(userSecret("own-cert", ca, "realm.example.com")).create();

        Realm provided =
                cluster.awaitRealm(
                        "own",
                        "CertificateReady=True SecretProvided",
                        r -> is(r, "CertificateReady", "True", "SecretProvided"));
        assertThat(condition(provided, "CertificateReady").getMessage())
                .startsWith("Secret own-cert provides the certificate");
        assertThat(condition(provided, "Ready").getReason())
                .as("the pods still do not run here")
                .isEqualTo("DeploymentNotAvailable");
        assertThat(provided.getStatus().caBundleConfigMap).isEqualTo("own-realm-ca");
        await("CA ConfigMap from the Secret's ca.crt")
                .atMost(RealmCluster.WAIT)
                .until(
                        () -> cluster.caBundle("own"),
                        bundle ->
                                bundle != null
                                        && Pem.certificate(ca.certificate())
                                                .equals(bundle.getData().get("ca.crt")));
        // The pods mount the Secret by name: the kubelet starts them once it exists, and the realm
        // reloads its
        // content when it changes; neither changes the pod template.
        cluster.assertNoRoll("own", generationWhileMissing, "the Secret appearing rolls no pod");

        cluster.client().resource(userSecret("own-cert", ca, "realm2.example.com")).update();
        String providedMessage = condition(provided, "CertificateReady").getMessage();
        await("the changed certificate is reported (its expiry)")
                .atMost(RealmCluster.WAIT)
                .until(
                        () -> condition(cluster.realm("own"), "CertificateReady").getMessage(),
                        message ->
                                message.startsWith("Secret own-cert provides")
                                        && !message.equals(providedMessage));
        cluster.assertNoRoll("own", generationWhileMissing, "a changed certificate rolls no pod");
        assertThat(events("own", "SecretNotFound"))
                .as("one Event for the failure, not one per retry")
                .hasSize(1);
    }

    @Test
    void namingAnOwnSecretRemovesTheIssuedOne() {
        cluster.apply(realm("switch"));
        cluster.awaitSettled("switch");
        assertThat(cluster.tlsSecret("switch")).isNotNull();
        CertifiedKey ca = Certificates.createCa(Instant.now(), Duration.ofDays(30));
        cluster.client().resource(userSecret("switch-cert", ca, "switch.example.com")).create();

        cluster.apply(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: switch}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
          tls: {secretName: switch-cert}
        """);

        await("issued Secret removed, own Secret mounted")
                .atMost(RealmCluster.WAIT)
                .untilAsserted(
                        () -> {
                            assertThat(cluster.tlsSecret("switch")).isNull();
                            assertThat(RealmCluster.tlsVolumeSecret(cluster.deployment("switch")))
                                    .isEqualTo("switch-cert");
                        });
        Realm realm =
                cluster.awaitRealm(
                        "switch",
                        "SecretProvided",
                        r -> is(r, "CertificateReady", "True", "SecretProvided"));
        assertThat(realm.getStatus().caBundleConfigMap).isEqualTo("switch-realm-ca");
    }

    private static List<Event> events(String realm, String reason) {
        return cluster.client().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(
                        e ->
                                realm.equals(e.getInvolvedObject().getName())
                                        && reason.equals(e.getReason()))
                .toList();
    }

    private static Secret userSecret(String name, CertifiedKey ca, String dnsName) {
        CertifiedKey leaf =
                Certificates.issueServer(ca, List.of(dnsName), Instant.now(), Duration.ofDays(7));
        Map<String, String> data = new TreeMap<>();
        data.put("tls.crt", base64(Pem.certificate(leaf.certificate())));
        data.put("tls.key", base64(Pem.privateKey(leaf.privateKey())));
        data.put("ca.crt", base64(Pem.certificate(ca.certificate())));
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(data)
                .build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
