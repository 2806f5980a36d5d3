package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD health checks of docs/gitops.md, run by Debian's Lua interpreter against sample Realm
 * and ForwardProxy objects, one per case the doc lists. KubectlWaitTest runs them on objects the
 * operator wrote.
 */
@Timeout(120)
class ArgoCdHealthTest {

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of(
                        "Realm",
                        "new, no status yet",
                        """
            {"metadata": {"name": "prices", "generation": 1}, "spec": {}}
            """,
                        "Progressing",
                        "Waiting for the operator to report status"),
                Arguments.of(
                        "Realm",
                        "ready",
                        """
            {"metadata": {"name": "prices", "generation": 2},
             "status": {"observedGeneration": 2, "conditions": [
               {"type": "CertificateReady", "status": "True", "reason": "Issued", "message": "issued by the operator CA"},
               {"type": "Ready", "status": "True", "reason": "DeploymentAvailable", "message": "1/1 replicas available",
                "observedGeneration": 2, "lastTransitionTime": "2026-11-24T10:00:00Z"}],
              "endpoints": {"webSocket": "ws://prices-realm.apps.svc:9000"}}}
            """,
                        "Healthy",
                        "DeploymentAvailable: 1/1 replicas available"),
                Arguments.of(
                        "Realm",
                        "a new generation the operator has not seen",
                        """
            {"metadata": {"name": "prices", "generation": 3},
             "status": {"observedGeneration": 2, "conditions": [
               {"type": "Ready", "status": "True", "reason": "DeploymentAvailable", "message": "1/1 replicas available"}]}}
            """,
                        "Progressing",
                        "Waiting for the operator to observe generation 3"),
                Arguments.of(
                        "Realm",
                        "a Ready condition of an older generation",
                        """
            {"metadata": {"name": "prices", "generation": 3},
             "status": {"observedGeneration": 3, "conditions": [
               {"type": "Ready", "status": "True", "reason": "DeploymentAvailable", "observedGeneration": 2}]}}
            """,
                        "Progressing",
                        "Waiting for the Ready condition of generation 3"),
                Arguments.of(
                        "Realm",
                        "pods rolling out",
                        """
            {"metadata": {"name": "prices", "generation": 1},
             "status": {"observedGeneration": 1, "conditions": [
               {"type": "Ready", "status": "False", "reason": "DeploymentNotAvailable",
                "message": "Deployment prices-realm: 0/1 replicas available", "observedGeneration": 1}]}}
            """,
                        "Progressing",
                        "DeploymentNotAvailable: Deployment prices-realm: 0/1 replicas available"),
                Arguments.of(
                        "Realm",
                        "the user's TLS Secret is missing",
                        """
            {"metadata": {"name": "prices", "generation": 1},
             "status": {"observedGeneration": 1, "conditions": [
               {"type": "CertificateReady", "status": "False", "reason": "SecretNotFound", "message": "no Secret my-tls"},
               {"type": "Ready", "status": "False", "reason": "SecretNotFound", "message": "no Secret my-tls",
                "observedGeneration": 1}]}}
            """,
                        "Degraded",
                        "SecretNotFound: no Secret my-tls"),
                Arguments.of(
                        "Realm",
                        "Ready is Unknown",
                        """
            {"metadata": {"name": "prices", "generation": 1},
             "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "Unknown"}]}}
            """,
                        "Progressing",
                        "Ready is Unknown"),
                Arguments.of(
                        "ForwardProxy",
                        "ready",
                        """
            {"metadata": {"name": "egress", "generation": 1},
             "status": {"observedGeneration": 1, "endpoint": "http://egress-proxy.apps.svc:3128",
              "targets": ["prices-realm.apps.svc.cluster.local:9443"], "conditions": [
               {"type": "Ready", "status": "True", "reason": "DeploymentAvailable", "message": "2/2 replicas available",
                "observedGeneration": 1}]}}
            """,
                        "Healthy",
                        "DeploymentAvailable: 2/2 replicas available"),
                Arguments.of(
                        "ForwardProxy",
                        "pods starting",
                        """
            {"metadata": {"name": "egress", "generation": 1},
             "status": {"observedGeneration": 1, "conditions": [
               {"type": "Ready", "status": "False", "reason": "DeploymentNotAvailable", "message": "0/2 replicas available"}]}}
            """,
                        "Progressing",
                        "DeploymentNotAvailable: 0/2 replicas available"),
                Arguments.of(
                        "ForwardProxy",
                        "the realm it names does not exist",
                        """
            {"metadata": {"name": "egress", "generation": 4},
             "status": {"observedGeneration": 4, "conditions": [
               {"type": "Ready", "status": "False", "reason": "RealmNotFound",
                "message": "realm \\"prices\\" not found in namespace apps", "observedGeneration": 4}]}}
            """,
                        "Degraded",
                        "RealmNotFound: realm \"prices\" not found in namespace apps"),
                Arguments.of(
                        "ForwardProxy",
                        "a status without a Ready condition",
                        """
            {"metadata": {"name": "egress", "generation": 1},
             "status": {"observedGeneration": 1, "conditions": []}}
            """,
                        "Progressing",
                        "Waiting for the Ready condition"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {3}")
    @MethodSource("samples")
    void healthOfSample(String kind, String situation, String json, String status, String message) {
        ArgoCdHealth.Health health = ArgoCdHealth.evaluate(kind, json);
        assertThat(health.status()).as("health of %s (%s)", kind, situation).isEqualTo(status);
        assertThat(health.message()).isEqualTo(message);
    }

    @Test
    void theDocHasACheckForEachKind() {
        assertThat(ArgoCdHealth.scriptsFromDoc())
                .containsOnlyKeys(ArgoCdHealth.REALM_KEY, ArgoCdHealth.FORWARD_PROXY_KEY);
    }

    @Test
    void nonAsciiMessagesPassThroughTheLuaTable() {
        ArgoCdHealth.Health health =
                ArgoCdHealth.evaluate(
                        "Realm",
                        """
        {"metadata": {"generation": 1}, "status": {"observedGeneration": 1, "conditions": [
          {"type": "Ready", "status": "False", "reason": "TlsSecretInvalid", "message": "clé \\u00ab tls.key \\u00bb\\nabsente"}]}}
        """);
        assertThat(health)
                .isEqualTo(
                        new ArgoCdHealth.Health(
                                "Degraded", "TlsSecretInvalid: clé « tls.key »\nabsente"));
    }
}
