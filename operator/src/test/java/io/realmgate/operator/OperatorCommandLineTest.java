package io.realmgate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.common.LogFormat;
import io.realmgate.operator.access.SecretGrant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorCommandLineTest {

    private static OperatorOptions parse(Map<String, String> env, String... args) throws Exception {
        return OperatorCommandLine.parse(List.of(args), env);
    }

    @Test
    void defaults() throws Exception {
        OperatorOptions options = parse(Map.of());
        assertThat(options.namespaces()).as("all namespaces").isEmpty();
        assertThat(options.settings()).isEqualTo(OperatorSettings.defaults());
        assertThat(options.adminHost()).isEqualTo("0.0.0.0");
        assertThat(options.adminPort()).isEqualTo(8080);
        assertThat(options.leaderElection()).isTrue();
        assertThat(options.leaderElectionNamespace()).isEqualTo("realmgate-system");
        OperatorSettings s = options.settings();
        assertThat(s.realmImage()).isEqualTo("localhost/realmgate/realm:0.1.0");
        assertThat(s.proxyImage()).isEqualTo("localhost/realmgate/proxy:0.1.0");
        assertThat(s.imagePullSecrets()).isEmpty();
        assertThat(s.metricsScrapers())
                .contains(
                        MetricsScrapers.of(
                                Map.of(), Map.of("app.kubernetes.io/name", "prometheus")));
        assertThat(s.secretGrant()).as("the Secrets of every watched namespace").isEmpty();
    }

    @Test
    void secretsClusterRoleNamesTheGrantOfTheOperatorsServiceAccount() throws Exception {
        OperatorOptions options =
                OperatorCommandLine.parse(
                        List.of(
                                "--secrets-cluster-role=realmgate-secrets",
                                "--service-account",
                                "realmgate-operator"),
                        Map.of("POD_NAMESPACE", "realmgate-system"),
                        () -> Optional.of("not-this-one"));
        assertThat(options.settings().secretGrant())
                .contains(
                        new SecretGrant(
                                "realmgate-secrets", "realmgate-system", "realmgate-operator"));
        assertThat(options.namespaces()).isEmpty();
        // The ServiceAccount defaults to the pod's own, in the operator namespace.
        assertThat(
                        OperatorCommandLine.parse(
                                        List.of(
                                                "--secrets-cluster-role",
                                                "rg-secrets",
                                                "--operator-namespace",
                                                "ops"),
                                        Map.of(),
                                        () -> Optional.of("rg-operator"))
                                .settings()
                                .secretGrant())
                .contains(new SecretGrant("rg-secrets", "ops", "rg-operator"));
    }

    @Test
    void secretsClusterRoleNeedsAServiceAccountAndAllNamespaces() {
        assertThatThrownBy(() -> parse(Map.of(), "--secrets-cluster-role", "rg-secrets"))
                .isInstanceOf(OperatorCommandLine.BadFlag.class)
                .hasMessage(
                        "--service-account: needed with "
                                + "--secrets-cluster-role outside a pod (there is no service account token to take it from)");
        assertThatThrownBy(
                        () ->
                                parse(
                                        Map.of(),
                                        "--secrets-cluster-role",
                                        "rg-secrets",
                                        "--service-account",
                                        "sa",
                                        "--namespaces",
                                        "apps"))
                .isInstanceOf(OperatorCommandLine.BadFlag.class)
                .hasMessage(
                        "--secrets-cluster-role: only when "
                                + "watching all namespaces (with --namespaces, the Roles of the listed namespaces grant their "
                                + "Secrets)");
        assertThatThrownBy(() -> parse(Map.of(), "--service-account", "sa"))
                .isInstanceOf(OperatorCommandLine.BadFlag.class)
                .hasMessage("--service-account is only used with --secrets-cluster-role");
    }

    @Test
    void imagePullSecretsAreAListOfSecretNames() throws Exception {
        assertThat(
                        parse(Map.of(), "--image-pull-secrets", "regcred, mirror.creds,regcred")
                                .settings()
                                .imagePullSecrets())
                .containsExactly("regcred", "mirror.creds");
        assertThat(parse(Map.of(), "--image-pull-secrets=").settings().imagePullSecrets())
                .isEmpty();
    }

    @Test
    void logFormatIsTheFlagElseTheOperatorsOwnElseText() throws Exception {
        assertThat(parse(Map.of()).settings().logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(parse(Map.of("REALMGATE_LOG_FORMAT", "json")).settings().logFormat())
                .isEqualTo(LogFormat.JSON);
        assertThat(parse(Map.of(), "--log-format=json").settings().logFormat())
                .isEqualTo(LogFormat.JSON);
        assertThat(
                        parse(Map.of("REALMGATE_LOG_FORMAT", "json"), "--log-format", "text")
                                .settings()
                                .logFormat())
                .isEqualTo(LogFormat.TEXT);
    }

    @Test
    void metricsScrapersAreLabelSelectorsOrNone() throws Exception {
        assertThat(
                        parse(
                                        Map.of(),
                                        "--metrics-namespace-selector",
                                        "kubernetes.io/metadata.name=monitoring")
                                .settings()
                                .metricsScrapers())
                .contains(
                        MetricsScrapers.of(
                                Map.of("kubernetes.io/metadata.name", "monitoring"),
                                Map.of("app.kubernetes.io/name", "prometheus")));
        assertThat(
                        parse(
                                        Map.of(),
                                        "--metrics-pod-selector",
                                        "app=vmagent,team=obs",
                                        "--metrics-namespace-selector",
                                        "")
                                .settings()
                                .metricsScrapers())
                .contains(MetricsScrapers.of(Map.of(), Map.of("app", "vmagent", "team", "obs")));
        assertThat(parse(Map.of(), "--metrics-pod-selector=").settings().metricsScrapers())
                .as("empty: every pod of the selected namespaces")
                .contains(MetricsScrapers.of(Map.of(), Map.of()));
        assertThat(parse(Map.of(), "--metrics-pod-selector", "none").settings().metricsScrapers())
                .isEmpty();
    }

    @Test
    void theOperatorNamespaceDefaultsToThePodsOwn() throws Exception {
        OperatorOptions options = parse(Map.of("POD_NAMESPACE", "ops"));
        assertThat(options.settings().operatorNamespace()).isEqualTo("ops");
        assertThat(options.leaderElectionNamespace()).isEqualTo("ops");
        assertThat(
                        parse(Map.of("POD_NAMESPACE", "ops"), "--operator-namespace", "other")
                                .settings()
                                .operatorNamespace())
                .isEqualTo("other");
    }

    @Test
    void everyFlag() throws Exception {
        OperatorOptions options =
                parse(
                        Map.of(),
                        "--namespaces",
                        "apps,trading",
                        "--realm-image=registry.local/realm:1",
                        "--proxy-image",
                        "registry.local/proxy@sha256:abc",
                        "--operator-namespace",
                        "rg",
                        "--cluster-domain",
                        "corp.internal",
                        "--certificate-validity",
                        "12h",
                        "--renew-before",
                        "PT4H",
                        "--ca-validity",
                        "365d",
                        "--ca-rotation-overlap",
                        "2h",
                        "--admin",
                        "[::1]:9090",
                        "--leader-election-namespace",
                        "leases",
                        "--no-leader-election");
        assertThat(options.namespaces()).containsExactlyInAnyOrder("apps", "trading");
        OperatorSettings s = options.settings();
        assertThat(s.realmImage()).isEqualTo("registry.local/realm:1");
        assertThat(s.proxyImage()).isEqualTo("registry.local/proxy@sha256:abc");
        assertThat(s.operatorNamespace()).isEqualTo("rg");
        assertThat(s.clusterDomain()).isEqualTo("corp.internal");
        assertThat(s.certificateValidity()).isEqualTo(Duration.ofHours(12));
        assertThat(s.renewBefore()).isEqualTo(Duration.ofHours(4));
        assertThat(s.caValidity()).isEqualTo(Duration.ofDays(365));
        assertThat(s.caRotationOverlap()).isEqualTo(Duration.ofHours(2));
        assertThat(options.adminHost()).isEqualTo("::1");
        assertThat(options.adminPort()).isEqualTo(9090);
        assertThat(options.leaderElection()).isFalse();
        assertThat(options.leaderElectionNamespace()).isEqualTo("leases");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--bogus                                  | unknown flag '--bogus'",
                "stray                                    | unexpected argument 'stray'",
                "--admin                                  | --admin needs a value",
                "--admin --no-leader-election             | --admin needs a value",
                "--admin=localhost                        | --admin: \"localhost\" is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)",
                "--admin=localhost:70000                  | --admin: \"localhost:70000\" is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)",
                "--namespaces=apps,,trading               | --namespaces: \"\" is not a namespace name",
                "--namespaces=Apps                        | --namespaces: \"Apps\" is not a namespace name",
                "--operator-namespace=realmgate_system    | --operator-namespace: \"realmgate_system\" is not a namespace name",
                "--leader-election-namespace=-x           | --leader-election-namespace: \"-x\" is not a namespace name",
                "--ca-validity=ten-days                   | --ca-validity: \"ten-days\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "--certificate-validity=0d                | --certificate-validity: \"0d\" must be longer than zero",
                "--renew-before=90d                       | --renew-before (PT2160H) must be shorter than --certificate-validity (PT2160H)",
                "--ca-validity=30d --ca-rotation-overlap=2d --renew-before=28d | --renew-before (PT672H) plus --ca-rotation-overlap (PT48H) must be shorter than --ca-validity (PT720H)",
                "--ca-rotation-overlap=0s                 | --ca-rotation-overlap: \"0s\" must be longer than zero",
                "--realm-image=                           | --realm-image: \"\" is not an image reference",
                "--cluster-domain=Cluster.Local           | --cluster-domain: \"Cluster.Local\" is not a DNS domain such as cluster.local",
                "--no-leader-election=true                | --no-leader-election takes no value",
                "--image-pull-secrets=a,,b                | --image-pull-secrets: \"\" is not a Secret name",
                "--image-pull-secrets=Reg_Cred            | --image-pull-secrets: \"Reg_Cred\" is not a Secret name",
                "--log-format=yaml                        | --log-format: 'yaml' is not a log format (text or json)",
                "--metrics-pod-selector=app               | --metrics-pod-selector: \"app\" is not a label key=value",
                "--metrics-pod-selector=-app=x            | --metrics-pod-selector: \"-app\" is not a label key (such as app.kubernetes.io/name)",
                "--metrics-pod-selector=Bad_/app=x        | --metrics-pod-selector: \"Bad_/app\" is not a label key (such as app.kubernetes.io/name)",
                "--metrics-namespace-selector=team=a/b    | --metrics-namespace-selector: \"a/b\" is not a label value",
                "--metrics-namespace-selector=a=1,a=2     | --metrics-namespace-selector: label a is given twice",
                "--secrets-cluster-role=a/b               | --secrets-cluster-role: \"a/b\" is not a ClusterRole name",
                "--secrets-cluster-role=s --service-account=SA | --service-account: \"SA\" is not a ServiceAccount name",
            })
    void badFlagsAreNamed(String args, String message) {
        assertThatThrownBy(() -> parse(Map.of(), args.split(" ")))
                .isInstanceOf(OperatorCommandLine.BadFlag.class)
                .hasMessage(message);
    }

    @Test
    void aFlagGivenTwiceIsRefused() {
        assertThatThrownBy(() -> parse(Map.of(), "--namespaces", "a", "--namespaces", "b"))
                .isInstanceOf(OperatorCommandLine.BadFlag.class)
                .hasMessage("--namespaces is given twice");
    }

    @Test
    void renewBeforeMustBeShorterThanTheCaValidity() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        Map.of(),
                                        "--ca-validity",
                                        "1d",
                                        "--certificate-validity",
                                        "2d",
                                        "--renew-before",
                                        "1d"))
                .isInstanceOf(OperatorCommandLine.BadFlag.class)
                .hasMessage("--renew-before (PT24H) must be shorter than --ca-validity (PT24H)");
    }

    @Test
    void helpIsNoError() {
        assertThatThrownBy(() -> parse(Map.of(), "--help"))
                .isInstanceOf(OperatorCommandLine.HelpRequested.class);
        assertThat(OperatorCommandLine.USAGE)
                .contains("--namespaces")
                .contains("--no-leader-election")
                .contains("--admin HOST:PORT")
                .contains("--secrets-cluster-role NAME")
                .contains("--service-account NAME");
    }
}
