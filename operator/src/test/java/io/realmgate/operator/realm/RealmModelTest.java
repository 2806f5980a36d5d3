package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.SETTINGS;
import static io.realmgate.operator.realm.RealmFixtures.flags;
import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.pem;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.realmgate.common.LogFormat;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmEngine;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.api.RealmTls;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RealmModelTest {

    @Test
    void dnsNamesAreTheServiceNamesAndTheExtraNamesSortedWithoutDuplicates() {
        Realm realm = prices();
        realm.getSpec().tls = new RealmTls();
        realm.getSpec().tls.dnsNames =
                List.of("realm.example.com", "prices-realm.apps", "a.example.com", "");

        assertThat(RealmModel.dnsNames(realm, SETTINGS))
                .containsExactly(
                        "a.example.com",
                        "prices-realm",
                        "prices-realm.apps",
                        "prices-realm.apps.svc",
                        "prices-realm.apps.svc.cluster.local",
                        "realm.example.com");
    }

    @Test
    void dnsNamesFollowTheClusterDomain() {
        assertThat(RealmModel.dnsNames(prices(), SETTINGS.withClusterDomain("corp.example")))
                .containsExactly(
                        "prices-realm",
                        "prices-realm.apps",
                        "prices-realm.apps.svc",
                        "prices-realm.apps.svc.corp.example");
    }

    @Test
    void deploymentRunsTheRealmImageWithBothListenersAndTheMountedCertificate() {
        Deployment deployment = model(prices(), "1").deployment();

        assertThat(deployment.getMetadata().getName()).isEqualTo("prices-realm");
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(deployment.getMetadata().getLabels())
                .containsAllEntriesOf(
                        Map.of(
                                "app.kubernetes.io/name", "realmgate-realm",
                                "app.kubernetes.io/instance", "prices",
                                "app.kubernetes.io/component", "realm",
                                "app.kubernetes.io/managed-by", "realmgate-operator"));
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .isEqualTo(
                        Map.of(
                                "app.kubernetes.io/name",
                                "realmgate-realm",
                                "app.kubernetes.io/instance",
                                "prices"));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

        Container realm = container(deployment);
        assertThat(realm.getName()).isEqualTo("realm");
        assertThat(realm.getImage()).isEqualTo(SETTINGS.realmImage());
        assertThat(realm.getArgs()).containsExactly("--config", "/etc/realmgate/config/realm.yaml");
        assertThat(flags(model(prices(), "1")))
                .containsSequence(
                        "--bind",
                        "::",
                        "--ws-port",
                        "9000",
                        "--wss-port",
                        "9443",
                        "--tls-cert",
                        "/etc/realmgate/tls/tls.crt",
                        "--tls-key",
                        "/etc/realmgate/tls/tls.key",
                        "--admin",
                        "[::]:8080");
        assertThat(realm.getPorts())
                .extracting(p -> p.getName() + "=" + p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("ws=9000/TCP", "wss=9443/TCP", "admin=8080/TCP");
        assertThat(realm.getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath() + ":" + m.getReadOnly())
                .containsExactly(
                        "config:/etc/realmgate/config:true",
                        "tls:/etc/realmgate/tls:true",
                        "tmp:/tmp:null");
        assertThat(volume(deployment, "config").getConfigMap().getName())
                .isEqualTo("prices-realm-config");

        Volume tls = volume(deployment, "tls");
        assertThat(tls.getSecret().getSecretName()).isEqualTo("prices-realm-tls");
        assertThat(tls.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(volume(deployment, "tmp").getEmptyDir()).isNotNull();
    }

    @Test
    void podIsNonRootReadOnlyWithoutCapabilitiesOrServiceAccountToken() {
        Deployment deployment = model(prices(), "1").deployment();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();

        Container realm = container(deployment);
        assertThat(realm.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(realm.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(realm.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(realm.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(realm.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    }

    @Test
    void probesGoToTheAdminListenerWhateverClientListenersAreOn() {
        Container both = container(model(prices(), "1").deployment());
        assertThat(flags(model(prices(), "1"))).containsSequence("--admin", "[::]:8080");
        assertThat(both.getPorts())
                .extracting(p -> p.getName() + "=" + p.getContainerPort())
                .containsExactly("ws=9000", "wss=9443", "admin=8080");
        assertProbe(both.getStartupProbe(), "/healthz", 2, 30);
        assertProbe(both.getLivenessProbe(), "/healthz", 10, 3);
        assertProbe(both.getReadinessProbe(), "/readyz", 5, 3);

        Realm wssOnly = prices();
        wssOnly.getSpec().webSocket.enabled = false;
        Container tlsOnly = container(model(wssOnly, "1").deployment());
        assertProbe(tlsOnly.getReadinessProbe(), "/readyz", 5, 3);
        assertThat(tlsOnly.getArgs())
                .containsExactly("--config", "/etc/realmgate/config/realm.yaml");
        assertThat(tlsOnly.getPorts()).extracting(p -> p.getName()).containsExactly("wss", "admin");
    }

    @Test
    void adminPortMovesAsideForAClientListenerOnIt() {
        Realm realm = prices();
        realm.getSpec().webSocket.port = 8080;
        realm.getSpec().secureWebSocket.port = 8081;
        RealmModel model = model(realm, "1");
        assertThat(model.adminPort()).isEqualTo(8082);
        assertThat(flags(model)).containsSequence("--admin", "[::]:8082");

        realm.getSpec().webSocket.enabled = false;
        assertThat(model(realm, "1").adminPort())
                .as("a listener that is off takes no port")
                .isEqualTo(8080);
    }

    @Test
    void jvmOptionsAndRetentionAreSizedForTheMemoryLimit() {
        Container defaults = container(model(prices(), "1").deployment());
        assertThat(defaults.getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly(
                        "JAVA_TOOL_OPTIONS=-Xmx204m -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError"
                                + " -XX:MetaspaceSize=64m");
        assertThat(flags(model(prices(), "1")))
                .containsSequence(
                        "--retain-events",
                        "1000",
                        "--retain-bytes",
                        "256KiB",
                        "--queue-events",
                        "2000",
                        "--queue-bytes",
                        "512KiB",
                        "--max-message",
                        "64KiB",
                        "--max-channels",
                        "65",
                        "--max-subscriptions",
                        "1000");
        RealmModel model = model(prices(), "1");
        assertThat(model.retention().channelBytesAtMost())
                .as(
                        "a full realm's retention and queued tails fit in half the heap of the 512Mi pod")
                .isLessThanOrEqualTo(model.jvmMemory().heapBytes().orElseThrow() / 2);

        Realm big = prices();
        big.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .addToLimits("memory", new Quantity("2Gi"))
                        .build();
        Container bigger = container(model(big, "1").deployment());
        assertThat(bigger.getEnv().get(0).getValue())
                .startsWith("-Xmx819m -XX:MaxDirectMemorySize=512m");
        assertThat(flags(model(big, "1"))).containsSequence("--max-channels", "262");

        Realm unlimited = prices();
        unlimited.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .addToRequests("memory", new Quantity("2Gi"))
                        .build();
        Container noLimit = container(model(unlimited, "1").deployment());
        assertThat(noLimit.getEnv().get(0).getValue())
                .isEqualTo(
                        "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError -XX:MetaspaceSize=64m");
        assertThat(flags(model(unlimited, "1")))
                .as("sized for the request")
                .containsSequence("--max-channels", "262");

        unlimited.getSpec().resources =
                new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("1")).build();
        assertThat(flags(model(unlimited, "1")))
                .as("neither limit nor request: sized for the default 512Mi")
                .containsSequence("--max-channels", "65");
    }

    @Test
    void aPortBelow1024IsMadeBindableForTheNonRootRealmBySysctl() {
        assertThat(
                        model(prices(), "1")
                                .deployment()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getSecurityContext()
                                .getSysctls())
                .as("only ports from 1024 up: nothing to change")
                .isEmpty();

        Realm low = prices();
        low.getSpec().secureWebSocket.port = 443;
        low.getSpec().webSocket.port = 80;
        PodSpec pod = model(low, "1").deployment().getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getSysctls())
                .extracting(Sysctl::getName, Sysctl::getValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "net.ipv4.ip_unprivileged_port_start", "80"));
        assertThat(pod.getContainers().get(0).getSecurityContext().getCapabilities().getAdd())
                .as("no capability instead")
                .isNullOrEmpty();

        low.getSpec().webSocket.enabled = false;
        assertThat(
                        model(low, "1")
                                .deployment()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getSecurityContext()
                                .getSysctls())
                .extracting(Sysctl::getValue)
                .as("a listener that is off binds nothing")
                .containsExactly("443");
    }

    @Test
    void aMemoryRealmRollsByRecreateSoTwoHubsNeverRunAtOnce() {
        Realm realm = prices();
        assertThat(model(realm, "1").engine().type()).isEqualTo(RealmEngine.Type.MEMORY);
        DeploymentStrategy strategy = model(realm, "1").deployment().getSpec().getStrategy();
        assertThat(strategy.getType()).isEqualTo("Recreate");
        assertThat(strategy.getRollingUpdate())
                .as("the API server refuses rollingUpdate with Recreate")
                .isNull();

        realm.getSpec().engine = null;
        assertThat(model(realm, "1").deployment().getSpec().getStrategy().getType())
                .as("an absent engine is memory")
                .isEqualTo("Recreate");
    }

    @Test
    void aMemoryRealmRunsAtMostOnePodWhateverAStoredSpecSays() {
        Realm realm = prices();
        for (int replicas : new int[] {0, 1}) {
            realm.getSpec().replicas = replicas;
            assertThat(model(realm, "1").deployment().getSpec().getReplicas()).isEqualTo(replicas);
        }
        // Stored before the API server refused it (ratcheting keeps it until the spec changes).
        realm.getSpec().replicas = 3;
        assertThat(model(realm, "1").replicas()).isEqualTo(1);
        assertThat(model(realm, "1").deployment().getSpec().getReplicas()).isEqualTo(1);
        realm.getSpec().replicas = null;
        assertThat(model(realm, "1").deployment().getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void podStopsAfterAPreStopSleepWithinAGracePeriodThatCoversTheShutdown() {
        PodSpec pod = model(prices(), "1").deployment().getSpec().getTemplate().getSpec();
        Container realm = pod.getContainers().get(0);
        assertThat(realm.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        assertThat(realm.getLifecycle().getPreStop().getExec())
                .as("the image has no shell")
                .isNull();
        assertThat(pod.getTerminationGracePeriodSeconds())
                .isEqualTo(20L)
                .isGreaterThanOrEqualTo(5L + RealmModel.SHUTDOWN_SECONDS);
    }

    @Test
    void imageIsPulledIfNotPresentWithTheOperatorsPullSecrets() {
        Deployment plain = model(prices(), "1").deployment();
        assertThat(container(plain).getImage()).isEqualTo("localhost/realmgate/realm:0.1.0");
        assertThat(container(plain).getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(plain.getSpec().getTemplate().getSpec().getImagePullSecrets()).isEmpty();

        Deployment pulled =
                new RealmModel(
                                prices(),
                                SETTINGS.withImagePullSecrets(List.of("regcred", "mirror")),
                                RealmFixtures.issuedCertificate(prices(), "1"),
                                Set.of())
                        .deployment();
        assertThat(pulled.getSpec().getTemplate().getSpec().getImagePullSecrets())
                .extracting(LocalObjectReference::getName)
                .containsExactly("regcred", "mirror");
    }

    @Test
    void jsonLogsAreTheContainersLogFormatAndTextAddsNothing() {
        assertThat(container(model(prices(), "1").deployment()).getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("REALMGATE_LOG_FORMAT");

        Deployment json =
                new RealmModel(
                                prices(),
                                SETTINGS.withLogFormat(LogFormat.JSON),
                                RealmFixtures.issuedCertificate(prices(), "1"),
                                Set.of())
                        .deployment();
        assertThat(container(json).getEnv())
                .filteredOn(env -> env.getName().equals("REALMGATE_LOG_FORMAT"))
                .extracting(EnvVar::getValue)
                .containsExactly("json");
    }

    @Test
    void argsFollowThePortsAndTurnAListenerOff() {
        Realm realm = prices();
        realm.getSpec().webSocket.port = 8080;
        realm.getSpec().secureWebSocket.enabled = false;

        assertThat(flags(model(realm, "1")))
                .containsSequence("--ws-port", "8080", "--wss-port", "off");
    }

    @Test
    void resourcesComeFromTheSpecOrModestDefaults() {
        assertThat(container(model(prices(), "1").deployment()).getResources().getRequests())
                .containsEntry("cpu", new Quantity("100m"))
                .containsEntry("memory", new Quantity("256Mi"));
        assertThat(container(model(prices(), "1").deployment()).getResources().getLimits())
                .containsEntry("memory", new Quantity("512Mi"));

        Realm realm = prices();
        realm.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("1"))
                        .addToLimits("memory", new Quantity("2Gi"))
                        .build();
        Container container = container(model(realm, "1").deployment());
        assertThat(container.getResources().getRequests())
                .isEqualTo(Map.of("cpu", new Quantity("1")));
        assertThat(container.getResources().getLimits())
                .isEqualTo(Map.of("memory", new Quantity("2Gi")));
        assertThat(container.getResources()).isNotSameAs(realm.getSpec().resources);
    }

    /**
     * A renewed certificate reaches the running realm through its Secret volume (--cert-poll): it
     * must not change the pod template, or every renewal would restart the realm, dropping its
     * WebSockets and retained events.
     */
    @Test
    void podTemplateHoldsWhatTheRealmReadsAtStartAndNoCertificate() {
        var template = model(prices(), "1").deployment().getSpec().getTemplate();
        assertThat(template.getMetadata().getAnnotations())
                .containsOnlyKeys("realmgate.io/restart-hash");
        assertThat(model(prices(), "2").deployment().getSpec().getTemplate())
                .as("renewed certificate")
                .isEqualTo(template);
        // Which and how many ForwardProxies reference the realm changes its NetworkPolicy, not its
        // pods: the
        // per-client caps are sized for a proxy pod from the start (RealmLimitSettings).
        assertThat(model(prices(), "1", "egress").deployment().getSpec().getTemplate())
                .as("first proxy")
                .isEqualTo(template);
        assertThat(model(prices(), "1", "egress", "edge").deployment().getSpec().getTemplate())
                .as("more proxies")
                .isEqualTo(template);

        Realm otherPort = prices();
        otherPort.getSpec().secureWebSocket.port = 9444;
        assertThat(model(otherPort, "1").deployment().getSpec().getTemplate())
                .as("other wss port: new args")
                .isNotEqualTo(template);
    }

    @Test
    void serviceHasANamedPortPerEnabledListener() {
        Service service = model(prices(), "1").service();

        assertThat(service.getMetadata().getName()).isEqualTo("prices-realm");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(
                        Map.of(
                                "app.kubernetes.io/name",
                                "realmgate-realm",
                                "app.kubernetes.io/instance",
                                "prices"));
        assertThat(service.getSpec().getPorts())
                .extracting(RealmModelTest::describe)
                .containsExactly(
                        "ws 9000->ws TCP kubernetes.io/ws", "wss 9443->wss TCP kubernetes.io/wss");

        Realm plainOnly = prices();
        plainOnly.getSpec().secureWebSocket.enabled = false;
        assertThat(model(plainOnly, "1").service().getSpec().getPorts())
                .extracting(ServicePort::getName)
                .containsExactly("ws");
    }

    @Test
    void tlsSecretHoldsTheIssuedCertificateKeyAndCa() {
        Secret secret = model(prices(), "1").tlsSecret();

        assertThat(secret.getMetadata().getName()).isEqualTo("prices-realm-tls");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(decode(secret, "tls.crt")).isEqualTo(pem("CERTIFICATE", "leaf 1"));
        assertThat(decode(secret, "tls.key")).isEqualTo(pem("PRIVATE KEY", "key 1"));
        assertThat(decode(secret, "ca.crt")).isEqualTo(pem("CERTIFICATE", "ca"));
        assertThat(secret.getStringData()).isNullOrEmpty();
    }

    @Test
    void caBundleConfigMapPublishesTheBundleClientsTrust() {
        RealmModel model = model(prices(), "1");
        ConfigMap bundle = model.caBundle();

        assertThat(model.hasCaBundle()).isTrue();
        assertThat(bundle.getMetadata().getName()).isEqualTo("prices-realm-ca");
        assertThat(bundle.getData()).isEqualTo(Map.of("ca.crt", pem("CERTIFICATE", "ca bundle")));
    }

    @Test
    void aUsersSecretIsMountedAndTheOperatorWritesNoSecret() {
        Realm realm = prices();
        realm.getSpec().tls = new RealmTls();
        realm.getSpec().tls.secretName = "my-cert";
        WssCertificate own =
                WssCertificate.userSecret("my-cert", Optional.empty(), RealmFixtures.NOT_AFTER);
        RealmModel model = new RealmModel(realm, SETTINGS, own, Set.of());

        assertThat(RealmModel.userSecretName(realm)).contains("my-cert");
        assertThat(RealmModel.tlsSecretName(realm)).isEqualTo("my-cert");
        assertThat(volume(model.deployment(), "tls").getSecret().getSecretName())
                .isEqualTo("my-cert");
        assertThat(model.hasCaBundle())
                .as("no ca.crt in the user's Secret: no ConfigMap")
                .isFalse();
        assertThatThrownBy(model::tlsSecret).hasMessageContaining("uses its own Secret");
        assertThatThrownBy(model::caBundle).hasMessageContaining("has no ca.crt");

        WssCertificate withCa =
                WssCertificate.userSecret("my-cert", Optional.of("CA"), RealmFixtures.NOT_AFTER);
        assertThat(new RealmModel(realm, SETTINGS, withCa, Set.of()).caBundle().getData())
                .isEqualTo(Map.of("ca.crt", "CA"));
        WssCertificate unusable =
                WssCertificate.unusable("my-cert", Optional.empty(), "SecretInvalid", "garbage");
        assertThat(new RealmModel(realm, SETTINGS, unusable, Set.of()).deployment())
                .as("the realm reloads whatever the user's Secret holds; fixing it rolls no pod")
                .isEqualTo(model.deployment());
    }

    @Test
    void endpointsNameTheServiceAndThePortsOfEnabledListeners() {
        RealmStatus.Endpoints endpoints = model(prices(), "1").endpoints();
        assertThat(endpoints.webSocket).isEqualTo("ws://prices-realm.apps.svc:9000/realm");
        assertThat(endpoints.secureWebSocket).isEqualTo("wss://prices-realm.apps.svc:9443/realm");

        Realm wssOnly = prices();
        wssOnly.getSpec().webSocket.enabled = false;
        assertThat(model(wssOnly, "1").endpoints().webSocket).isNull();
    }

    @Test
    void equalInputsGiveEqualChildren() {
        RealmModel first = model(prices(), "1", "egress", "backup");
        RealmModel second = model(prices(), "1", "backup", "egress", "egress");

        assertThat(second.deployment()).isEqualTo(first.deployment());
        assertThat(second.service()).isEqualTo(first.service());
        assertThat(second.tlsSecret()).isEqualTo(first.tlsSecret());
        assertThat(second.caBundle()).isEqualTo(first.caBundle());
        assertThat(second.networkPolicy()).isEqualTo(first.networkPolicy());
    }

    @Test
    void everyChildIsControlledByTheRealm() {
        RealmModel model = model(prices(), "1", "egress");
        Stream.<HasMetadata>of(
                        model.deployment(),
                        model.service(),
                        model.tlsSecret(),
                        model.caBundle(),
                        model.networkPolicy())
                .forEach(
                        child -> {
                            assertThat(child.getMetadata().getNamespace()).isEqualTo("apps");
                            assertThat(child.getMetadata().getOwnerReferences())
                                    .singleElement()
                                    .satisfies(
                                            owner -> {
                                                assertThat(owner.getApiVersion())
                                                        .isEqualTo("realmgate.io/v1alpha1");
                                                assertThat(owner.getKind()).isEqualTo("Realm");
                                                assertThat(owner.getName()).isEqualTo("prices");
                                                assertThat(owner.getUid())
                                                        .isEqualTo(
                                                                "4c5d2f0e-0000-4000-8000-000000000001");
                                                assertThat(owner.getController()).isTrue();
                                                assertThat(owner.getBlockOwnerDeletion()).isTrue();
                                            });
                            // What JOSDK does before applying: it must keep the controller
                            // reference, not add a second one.
                            child.addOwnerReference(model.realm());
                            assertThat(child.getMetadata().getOwnerReferences()).hasSize(1);
                        });
    }

    @Test
    void childrenCarryMutableAnnotationsForTheFrameworksBookkeeping() {
        // JOSDK adds its own annotations to the desired object before comparing and applying it.
        RealmModel model = model(prices(), "1", "egress");
        Stream.<HasMetadata>of(
                        model.deployment(),
                        model.service(),
                        model.tlsSecret(),
                        model.caBundle(),
                        model.networkPolicy())
                .forEach(
                        child -> {
                            child.getMetadata().getAnnotations().put("probe", "x");
                            assertThat(child.getMetadata().getAnnotations())
                                    .containsEntry("probe", "x");
                        });
    }

    private static void assertProbe(
            Probe probe, String path, int periodSeconds, int failureThreshold) {
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("admin"));
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(probe.getPeriodSeconds()).isEqualTo(periodSeconds);
        assertThat(probe.getFailureThreshold()).isEqualTo(failureThreshold);
    }

    private static String describe(ServicePort port) {
        return port.getName()
                + " "
                + port.getPort()
                + "->"
                + port.getTargetPort().getStrVal()
                + " "
                + port.getProtocol()
                + " "
                + port.getAppProtocol();
    }

    static Container container(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    static Volume volume(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> name.equals(v.getName()))
                .findFirst()
                .orElseThrow();
    }

    private static String decode(Secret secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
