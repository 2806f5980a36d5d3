package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.hostTarget;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.realmgate.common.LogFormat;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Clients;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyAuth;
import io.realmgate.operator.api.ProxyTls;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.SecretKeyRef;
import io.realmgate.operator.api.Transparent;
import io.realmgate.operator.tls.IssuedCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProxyModelTest {
    private static final Map<String, Realm> PRICES =
            Map.of("prices", realm("prices", "apps", 9000, 9443));
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Map<String, String> SELECTOR =
            Map.of(
                    "app.kubernetes.io/name",
                    "realmgate-proxy",
                    "app.kubernetes.io/instance",
                    "egress");

    private static ForwardProxy reference() {
        return proxy("egress", "apps", realmTarget("prices", 9000, 9443));
    }

    private static ProxyModel model(ForwardProxy proxy) {
        return new ProxyModel(proxy, SETTINGS, PRICES, Optional.empty());
    }

    private static ForwardProxy withTls(ForwardProxy p, String secretName) {
        p.getSpec().tls = new ProxyTls();
        p.getSpec().tls.enabled = true;
        p.getSpec().tls.secretName = secretName;
        return p;
    }

    private static ForwardProxy withAuth(ForwardProxy p) {
        p.getSpec().auth = new ProxyAuth();
        p.getSpec().auth.basicSecretRef = new SecretKeyRef();
        p.getSpec().auth.basicSecretRef.name = "proxy-users";
        return p;
    }

    @Test
    void configMapCarriesTheRenderedConfig() {
        ProxyModel m = model(reference());
        ConfigMap cm = m.configMap();
        assertThat(cm.getMetadata().getName()).isEqualTo("egress-proxy-config");
        assertThat(cm.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(cm.getMetadata().getLabels())
                .containsAllEntriesOf(SELECTOR)
                .containsEntry("app.kubernetes.io/managed-by", "realmgate-operator")
                .containsEntry("app.kubernetes.io/component", "proxy");
        assertThat(cm.getData())
                .containsOnlyKeys("proxy.yaml")
                .containsEntry("proxy.yaml", m.renderedConfig());
    }

    @Test
    void deploymentRunsTheProxyImageOnItsConfigAsANonRootReadOnlyContainer() {
        Deployment d = model(reference()).deployment();
        assertThat(d.getMetadata().getName()).isEqualTo("egress-proxy");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(SELECTOR);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(SELECTOR);
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsOnlyKeys(Names.RESTART_HASH_ANNOTATION);

        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");

        Container c = pod.getContainers().get(0);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(c.getImage()).isEqualTo(SETTINGS.proxyImage());
        assertThat(c.getArgs()).containsExactly("--config", "/etc/realmgate/config/proxy.yaml");
        assertThat(c.getPorts())
                .extracting(p -> p.getName() + "=" + p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("proxy=3128/TCP", "admin=9090/TCP");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getStartupProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(9090));
        assertThat(
                        c.getStartupProbe().getPeriodSeconds()
                                * c.getStartupProbe().getFailureThreshold())
                .as("time the JVM gets to start")
                .isEqualTo(60);
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(9090));
        assertThat(c.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(9090));
        assertThat(c.getReadinessProbe().getFailureThreshold()).isEqualTo(3);
        assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        // preStop sleep 5 s + drain 30 s + closing 10 s + margin.
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(50L);
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getResources().getRequests())
                .containsEntry("cpu", new Quantity("100m"))
                .containsEntry("memory", new Quantity("128Mi"));
        assertThat(c.getResources().getLimits()).containsOnlyKeys("memory");
        assertThat(c.getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly(
                        "JAVA_TOOL_OPTIONS=-Xmx102m -XX:MaxDirectMemorySize=64m"
                                + " -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1",
                        "REALMGATE_PROXY_WARM_UP=4000");

        assertThat(c.getVolumeMounts())
                .extracting(
                        VolumeMount::getName, VolumeMount::getMountPath, VolumeMount::getReadOnly)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "config", "/etc/realmgate/config", true),
                        org.assertj.core.groups.Tuple.tuple("tmp", "/tmp", null));
        assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactly("config", "tmp");
        assertThat(pod.getVolumes().get(0).getConfigMap().getName())
                .isEqualTo("egress-proxy-config");
        assertThat(pod.getVolumes().get(1).getEmptyDir()).isNotNull();
    }

    @Test
    void imageIsPulledIfNotPresentWithTheOperatorsPullSecrets() {
        PodSpec plain = model(reference()).deployment().getSpec().getTemplate().getSpec();
        assertThat(plain.getContainers().get(0).getImage())
                .isEqualTo("localhost/realmgate/proxy:0.1.0");
        assertThat(plain.getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(plain.getImagePullSecrets()).isEmpty();

        PodSpec pulled =
                new ProxyModel(
                                reference(),
                                SETTINGS.withImagePullSecrets(List.of("regcred")),
                                PRICES,
                                Optional.empty())
                        .deployment()
                        .getSpec()
                        .getTemplate()
                        .getSpec();
        assertThat(pulled.getImagePullSecrets())
                .extracting(LocalObjectReference::getName)
                .containsExactly("regcred");
    }

    @Test
    void jsonLogsAreTheContainersLogFormatAndTextAddsNothing() {
        assertThat(
                        model(reference())
                                .deployment()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("REALMGATE_LOG_FORMAT");

        List<EnvVar> json =
                new ProxyModel(
                                reference(),
                                SETTINGS.withLogFormat(LogFormat.JSON),
                                PRICES,
                                Optional.empty())
                        .deployment()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv();
        assertThat(json)
                .filteredOn(env -> env.getName().equals("REALMGATE_LOG_FORMAT"))
                .extracting(EnvVar::getValue)
                .containsExactly("json");
    }

    private static List<Sysctl> sysctls(ForwardProxy p) {
        return model(p).deployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getSysctls();
    }

    @Test
    void aPortBelow1024IsMadeBindableForTheNonRootProxyBySysctl() {
        assertThat(sysctls(reference()))
                .extracting(Sysctl::getName)
                .doesNotContain("net.ipv4.ip_unprivileged_port_start");

        ForwardProxy https = withTls(reference(), null);
        https.getSpec().port = 443;
        assertThat(sysctls(https))
                .extracting(Sysctl::getName, Sysctl::getValue)
                .contains(tuple("net.ipv4.ip_unprivileged_port_start", "443"));

        ForwardProxy transparent = reference();
        transparent.getSpec().transparent = new Transparent();
        transparent.getSpec().transparent.port = 443;
        assertThat(sysctls(transparent))
                .extracting(Sysctl::getName, Sysctl::getValue)
                .contains(tuple("net.ipv4.ip_unprivileged_port_start", "443"));
    }

    /**
     * Issue 18: the upstream connections' TIME_WAIT filled half the default range (32768-60999) and
     * the tunnel rate fell; the pod gets 1024-65535 with its own listeners reserved.
     */
    @Test
    void theProxyDialsFromTheWholeUnprivilegedRangeExceptItsOwnListeningPorts() {
        assertThat(sysctls(reference()))
                .extracting(Sysctl::getName, Sysctl::getValue)
                .containsExactly(
                        tuple("net.ipv4.ip_local_port_range", "1024 65535"),
                        tuple("net.ipv4.ip_local_reserved_ports", "3128,9090"));

        ForwardProxy transparent = reference();
        transparent.getSpec().transparent = new Transparent();
        transparent.getSpec().transparent.port = 8443;
        assertThat(sysctls(transparent))
                .extracting(Sysctl::getName, Sysctl::getValue)
                .contains(tuple("net.ipv4.ip_local_reserved_ports", "3128,8443,9090"));

        // Linux refuses a range whose low end is below ip_unprivileged_port_start (EINVAL), in
        // whichever order the runtime writes the two: with a listener below 1024 both hold.
        ForwardProxy low = withTls(reference(), null);
        low.getSpec().port = 443;
        Map<String, String> byName =
                sysctls(low).stream().collect(Collectors.toMap(Sysctl::getName, Sysctl::getValue));
        assertThat(byName)
                .containsEntry("net.ipv4.ip_unprivileged_port_start", "443")
                .containsEntry("net.ipv4.ip_local_port_range", "1024 65535")
                .as("a listener below the range needs no reservation")
                .containsEntry("net.ipv4.ip_local_reserved_ports", "9090");
        int rangeLow = Integer.parseInt(byName.get("net.ipv4.ip_local_port_range").split(" ")[0]);
        assertThat(rangeLow)
                .isGreaterThanOrEqualTo(
                        Integer.parseInt(byName.get("net.ipv4.ip_unprivileged_port_start")));
    }

    @Test
    void resourcesFromTheSpecReplaceTheDefaults() {
        ForwardProxy p = reference();
        p.getSpec().resources =
                new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("1"))
                        .build();
        p.getSpec().replicas = 3;
        Deployment d = model(p).deployment();
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(
                        d.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getResources()
                                .getRequests())
                .containsOnly(Map.entry("cpu", new Quantity("1")));
        assertThat(
                        d.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getEnv()
                                .get(0)
                                .getValue())
                .as("no memory limit")
                .isEqualTo(
                        "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError"
                                + " -XX:TieredStopAtLevel=1");
    }

    @Test
    void tlsAndAuthAreMountedWhereTheConfigSaysTheyAre() {
        ForwardProxy p = withAuth(withTls(reference(), null));
        p.getSpec().auth.basicSecretRef.key = "htpasswd";
        PodSpec pod = model(p).deployment().getSpec().getTemplate().getSpec();

        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .extracting(VolumeMount::getName, VolumeMount::getMountPath)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("config", "/etc/realmgate/config"),
                        org.assertj.core.groups.Tuple.tuple("tls", "/etc/realmgate/tls"),
                        org.assertj.core.groups.Tuple.tuple("auth", "/etc/realmgate/auth"),
                        org.assertj.core.groups.Tuple.tuple("tmp", "/tmp"));
        Volume tls = pod.getVolumes().get(1);
        assertThat(tls.getSecret().getSecretName()).isEqualTo("egress-proxy-tls");
        assertThat(tls.getSecret().getDefaultMode()).isEqualTo(0440);
        Volume auth = pod.getVolumes().get(2);
        assertThat(auth.getSecret().getSecretName()).isEqualTo("proxy-users");
        assertThat(auth.getSecret().getItems())
                .extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("htpasswd", "htpasswd"));
        assertThat(model(p).configDocument().auth.usersFile)
                .isEqualTo("/etc/realmgate/auth/htpasswd");

        PodSpec own =
                model(withTls(reference(), "my-cert"))
                        .deployment()
                        .getSpec()
                        .getTemplate()
                        .getSpec();
        assertThat(own.getVolumes().get(1).getSecret().getSecretName()).isEqualTo("my-cert");
    }

    @Test
    void serviceExposesTheProxyPortAndTheTransparentPortByName() {
        ForwardProxy p = reference();
        p.getSpec().transparent = new Transparent();
        p.getSpec().transparent.port = 8443;
        Service s = model(p).service();
        assertThat(s.getMetadata().getName()).isEqualTo("egress-proxy");
        assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(s.getSpec().getSelector()).isEqualTo(SELECTOR);
        assertThat(s.getSpec().getPorts()).extracting(ServicePort::getProtocol).containsOnly("TCP");
        assertThat(s.getSpec().getPorts())
                .extracting(ServicePort::getAppProtocol)
                .containsOnlyNulls();
        assertThat(s.getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, ServicePort::getTargetPort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("proxy", 3128, new IntOrString(3128)),
                        org.assertj.core.groups.Tuple.tuple(
                                "transparent", 8443, new IntOrString(8443)));
        assertThat(
                        model(p).deployment()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getPorts())
                .extracting(cp -> cp.getName() + "=" + cp.getContainerPort())
                .containsExactly("proxy=3128", "transparent=8443", "admin=9090");
    }

    @Test
    void tlsSecretHoldsTheCertificateForTheServicesNames() {
        ForwardProxy p = withTls(reference(), null);
        List<String> names = ProxyModel.certificateDnsNames(p, "cluster.local");
        assertThat(names)
                .containsExactly(
                        "egress-proxy",
                        "egress-proxy.apps",
                        "egress-proxy.apps.svc",
                        "egress-proxy.apps.svc.cluster.local");
        IssuedCertificate cert =
                TestCertificates.selfSigned(names, Instant.parse("2030-01-01T00:00:00Z"));
        Secret s = new ProxyModel(p, SETTINGS, PRICES, Optional.of(cert)).tlsSecret();

        assertThat(s.getMetadata().getName()).isEqualTo("egress-proxy-tls");
        assertThat(s.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(s.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(decode(s.getData().get("tls.crt"))).isEqualTo(cert.certificatePem());
        assertThat(decode(s.getData().get("tls.key"))).isEqualTo(cert.privateKeyPem());
        assertThat(io.realmgate.operator.tls.TlsSecrets.read(s)).contains(cert);

        assertThatThrownBy(() -> model(p).tlsSecret()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void networkPolicyAdmitsTheNamespacesPodsAndReachesOnlyDnsAndTheTargets() {
        ForwardProxy p =
                proxy(
                        "egress",
                        "apps",
                        realmTarget("prices", 9000, 9443),
                        hostTarget("api.partner.example", 443),
                        hostTarget("10.0.0.0/8", 8080),
                        hostTarget("fd00::1", 9443));
        p.getSpec().transparent = new Transparent();
        p.getSpec().transparent.port = 8443;
        NetworkPolicy np = model(p).networkPolicy();

        assertThat(np.getMetadata().getName()).isEqualTo("egress-proxy");
        assertThat(np.getSpec().getPodSelector().getMatchLabels()).isEqualTo(SELECTOR);
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(np.getSpec().getIngress()).hasSize(2);
        assertThat(np.getSpec().getIngress().get(0))
                .satisfies(
                        in -> {
                            assertThat(in.getFrom())
                                    .containsExactly(peer(null, new LabelSelector()));
                            assertThat(in.getPorts())
                                    .extracting(this::port)
                                    .containsExactly("TCP/3128", "TCP/8443");
                        });
        assertThat(np.getSpec().getIngress().get(1))
                .as("metrics scrapers")
                .satisfies(
                        in -> {
                            assertThat(in.getFrom())
                                    .containsExactly(
                                            peer(
                                                    new LabelSelector(null, Map.of()),
                                                    new LabelSelector(
                                                            null,
                                                            Map.of(
                                                                    "app.kubernetes.io/name",
                                                                    "prometheus"))));
                            assertThat(in.getPorts())
                                    .extracting(this::port)
                                    .containsExactly("TCP/9090");
                        });

        List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
        assertThat(egress).hasSize(6);
        assertThat(egress.get(0).getTo()).containsExactly(peer(new LabelSelector(), null));
        assertThat(egress.get(0).getPorts())
                .extracting(this::port)
                .containsExactly("UDP/53", "TCP/53", "UDP/5353", "TCP/5353");
        assertThat(egress.get(1).getTo())
                .extracting(t -> t.getIpBlock().getCidr())
                .as("NodeLocal DNSCache")
                .containsExactly("169.254.20.10/32");
        assertThat(egress.get(1).getPorts())
                .extracting(this::port)
                .containsExactly("UDP/53", "TCP/53");
        assertThat(egress.get(2).getTo())
                .containsExactly(
                        peer(
                                new LabelSelector(
                                        null, Map.of("kubernetes.io/metadata.name", "apps")),
                                new LabelSelector(null, Names.realmSelector("prices"))));
        assertThat(egress.get(2).getPorts())
                .extracting(this::port)
                .containsExactly("TCP/9000", "TCP/9443");
        assertThat(egress.get(3).getTo())
                .extracting(t -> t.getIpBlock().getCidr())
                .containsExactly("0.0.0.0/0", "::/0");
        assertThat(egress.get(3).getPorts()).extracting(this::port).containsExactly("TCP/443");
        assertThat(egress.get(4).getTo())
                .extracting(t -> t.getIpBlock().getCidr())
                .containsExactly("10.0.0.0/8");
        assertThat(egress.get(5).getTo())
                .extracting(t -> t.getIpBlock().getCidr())
                .containsExactly("fd00::1/128");
        assertThat(egress.get(5).getPorts()).extracting(this::port).containsExactly("TCP/9443");
    }

    @Test
    void metricsScrapersFollowTheOperatorsSelectorsOrAreLeftOut() {
        var monitoring =
                SETTINGS.withMetricsScrapers(
                        Optional.of(
                                io.realmgate.operator.MetricsScrapers.of(
                                        Map.of("kubernetes.io/metadata.name", "monitoring"),
                                        Map.of())));
        var ingress =
                new ProxyModel(reference(), monitoring, PRICES, Optional.empty())
                        .networkPolicy()
                        .getSpec()
                        .getIngress();
        assertThat(ingress.get(1).getFrom())
                .containsExactly(
                        peer(
                                new LabelSelector(
                                        null, Map.of("kubernetes.io/metadata.name", "monitoring")),
                                new LabelSelector(null, Map.of())));
        assertThat(ingress.get(1).getPorts()).extracting(this::port).containsExactly("TCP/9090");

        var none = SETTINGS.withMetricsScrapers(Optional.empty());
        assertThat(
                        new ProxyModel(reference(), none, PRICES, Optional.empty())
                                .networkPolicy()
                                .getSpec()
                                .getIngress())
                .singleElement()
                .satisfies(
                        in ->
                                assertThat(in.getPorts())
                                        .extracting(this::port)
                                        .doesNotContain("TCP/9090"));
    }

    @Test
    void networkPolicyIngressFollowsTheDeclaredClients() {
        ForwardProxy p = reference();
        p.getSpec().clients = new Clients();
        p.getSpec().clients.namespaceSelector = new LabelSelector(null, Map.of("team", "trading"));
        p.getSpec().clients.podSelector = new LabelSelector(null, Map.of("role", "client"));
        p.getSpec().clients.ipBlocks = List.of("192.0.2.0/24");
        assertThat(model(p).networkPolicy().getSpec().getIngress().get(0).getFrom())
                .containsExactly(
                        peer(
                                new LabelSelector(null, Map.of("team", "trading")),
                                new LabelSelector(null, Map.of("role", "client"))),
                        new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
                                .withNewIpBlock()
                                .withCidr("192.0.2.0/24")
                                .endIpBlock()
                                .build());

        p.getSpec().clients.podSelector = null;
        assertThat(model(p).networkPolicy().getSpec().getIngress().get(0).getFrom().get(0))
                .isEqualTo(peer(new LabelSelector(null, Map.of("team", "trading")), null));

        p.getSpec().clients.namespaceSelector = null;
        assertThat(model(p).networkPolicy().getSpec().getIngress().get(0).getFrom())
                .extracting(NetworkPolicyPeer::getIpBlock)
                .doesNotContainNull();
    }

    @Test
    void networkPolicyHasNoTargetEgressForAMissingRealm() {
        ForwardProxy p = reference();
        NetworkPolicy np = new ProxyModel(p, SETTINGS, Map.of(), Optional.empty()).networkPolicy();
        assertThat(np.getSpec().getEgress())
                .hasSize(2); // DNS only (cluster DNS, NodeLocal DNSCache)
    }

    @Test
    void endpointIsTheServiceUrl() {
        assertThat(model(reference()).endpoint()).isEqualTo("http://egress-proxy.apps.svc:3128");
        assertThat(model(withTls(reference(), null)).endpoint())
                .isEqualTo("https://egress-proxy.apps.svc:3128");
    }

    /**
     * The pod template carries only what the proxy reads at start. A target added or removed (a
     * Realm created, deleted or changed), a renewed certificate, a changed users Secret: the
     * running proxy reloads them from its volumes, so none of them changes the pod template and no
     * pod rolls (every tunnel would be cut).
     */
    @Test
    void podTemplateChangesOnlyForWhatTheProxyReadsAtStart() {
        ForwardProxy p = withAuth(withTls(reference(), null));
        IssuedCertificate a =
                TestCertificates.selfSigned(List.of("a"), Instant.parse("2030-01-01T00:00:00Z"));
        IssuedCertificate b =
                TestCertificates.selfSigned(List.of("a"), Instant.parse("2031-01-01T00:00:00Z"));
        ProxyModel base = new ProxyModel(p, SETTINGS, PRICES, Optional.of(a));
        var template = base.deployment().getSpec().getTemplate();
        assertThat(template.getMetadata().getAnnotations())
                .containsOnlyKeys("realmgate.io/restart-hash");
        assertThat(base.restartHash()).matches("[0-9a-f]{64}");

        assertThat(
                        new ProxyModel(p, SETTINGS, PRICES, Optional.of(b))
                                .deployment()
                                .getSpec()
                                .getTemplate())
                .as("renewed certificate")
                .isEqualTo(template);
        assertThat(
                        new ProxyModel(p, SETTINGS, Map.of(), Optional.of(a))
                                .deployment()
                                .getSpec()
                                .getTemplate())
                .as("the realm deleted")
                .isEqualTo(template);
        assertThat(
                        new ProxyModel(
                                        p,
                                        SETTINGS,
                                        Map.of("prices", realm("prices", "apps", 9000, 9444)),
                                        Optional.of(a))
                                .deployment()
                                .getSpec()
                                .getTemplate())
                .as("the realm's port changed")
                .isEqualTo(template);
        ForwardProxy moreTargets =
                withAuth(
                        withTls(
                                proxy(
                                        "egress",
                                        "apps",
                                        realmTarget("prices", 9000, 9443),
                                        hostTarget("api.partner.example", 443)),
                                null));
        moreTargets.getSpec().clients = new Clients();
        moreTargets.getSpec().clients.ipBlocks = List.of("192.0.2.0/24");
        moreTargets.getSpec().via = false;
        ProxyModel edited = new ProxyModel(moreTargets, SETTINGS, PRICES, Optional.of(a));
        assertThat(edited.renderedConfig())
                .as("the config file changes")
                .isNotEqualTo(base.renderedConfig());
        assertThat(edited.deployment().getSpec().getTemplate())
                .as("targets, clients, Via")
                .isEqualTo(template);
        p.getSpec().replicas = 5;
        assertThat(
                        new ProxyModel(p, SETTINGS, PRICES, Optional.of(a))
                                .deployment()
                                .getSpec()
                                .getTemplate())
                .as("scaling")
                .isEqualTo(template);

        // What needs a restart: the listeners.
        ForwardProxy otherPort = withAuth(withTls(reference(), null));
        otherPort.getSpec().port = 3129;
        assertThat(new ProxyModel(otherPort, SETTINGS, PRICES, Optional.of(a)).restartHash())
                .isNotEqualTo(base.restartHash());
        ForwardProxy transparent = withAuth(withTls(reference(), null));
        transparent.getSpec().transparent = new Transparent();
        transparent.getSpec().transparent.port = 8443;
        String withTransparent =
                new ProxyModel(transparent, SETTINGS, PRICES, Optional.of(a)).restartHash();
        assertThat(withTransparent).isNotEqualTo(base.restartHash());
        transparent.getSpec().transparent.targetPort = 443;
        assertThat(new ProxyModel(transparent, SETTINGS, PRICES, Optional.of(a)).restartHash())
                .as("the transparent listener's target port is read at start")
                .isNotEqualTo(withTransparent);
        assertThat(new ProxyModel(reference(), SETTINGS, PRICES, Optional.empty()).restartHash())
                .as("TLS off")
                .isNotEqualTo(base.restartHash());
    }

    @Test
    void sameInputsGiveTheSameObjectsByteForByte() {
        ForwardProxy p =
                withAuth(
                        withTls(
                                proxy(
                                        "egress",
                                        "apps",
                                        realmTarget("prices", 9443, 9000),
                                        hostTarget("a.example", 443)),
                                null));
        IssuedCertificate cert =
                TestCertificates.selfSigned(List.of("a"), Instant.parse("2030-01-01T00:00:00Z"));
        ProxyModel one = new ProxyModel(p, SETTINGS, PRICES, Optional.of(cert));
        ProxyModel two =
                new ProxyModel(
                        p,
                        SETTINGS,
                        Map.of("prices", realm("prices", "apps", 9000, 9443)),
                        Optional.of(cert));
        for (var pair :
                List.of(
                        List.of(one.configMap(), two.configMap()),
                        List.of(one.deployment(), two.deployment()),
                        List.of(one.service(), two.service()),
                        List.of(one.tlsSecret(), two.tlsSecret()),
                        List.of(one.networkPolicy(), two.networkPolicy()))) {
            assertThat(pair.get(0)).isEqualTo(pair.get(1));
            assertThat(JSON.asJson(pair.get(0))).isEqualTo(JSON.asJson(pair.get(1)));
        }
    }

    @Test
    void severalReplicasHaveABudgetOfOnePodAwayAtATimeOverTheProxyPods() {
        ForwardProxy p = reference();
        assertThat(p.getSpec().replicas).as("the CRD's default").isEqualTo(2);
        ProxyModel two = model(p);
        assertThat(two.hasDisruptionBudget()).isTrue();
        PodDisruptionBudget budget = two.disruptionBudget();
        assertThat(budget.getMetadata().getName()).isEqualTo("egress-proxy");
        assertThat(budget.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(budget.getMetadata().getLabels()).containsAllEntriesOf(SELECTOR);
        assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(budget.getSpec().getMinAvailable()).isNull();
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(SELECTOR);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .as("the budget covers exactly the Deployment's pods")
                .isEqualTo(two.deployment().getSpec().getSelector().getMatchLabels());

        p.getSpec().replicas = 1;
        assertThat(model(p).hasDisruptionBudget()).isFalse();
        p.getSpec().replicas = 0;
        assertThat(model(p).hasDisruptionBudget()).isFalse();
        p.getSpec().replicas = null;
        assertThat(model(p).replicas()).isEqualTo(2);
        assertThat(model(p).hasDisruptionBudget()).isTrue();
    }

    @Test
    void podsSpreadOverNodesAsAPreferenceAndScalingLeavesThePodTemplateAlone() {
        ForwardProxy p = reference();
        Deployment two = model(p).deployment();
        assertThat(two.getSpec().getReplicas()).isEqualTo(2);
        assertThat(two.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                            assertThat(c.getMaxSkew()).isEqualTo(1);
                            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
                            assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(SELECTOR);
                        });

        for (int replicas : new int[] {0, 1, 5}) {
            p.getSpec().replicas = replicas;
            Deployment scaled = model(p).deployment();
            assertThat(scaled.getSpec().getReplicas()).isEqualTo(replicas);
            assertThat(JSON.asJson(scaled.getSpec().getTemplate()))
                    .as("pod template at %d replicas", replicas)
                    .isEqualTo(JSON.asJson(two.getSpec().getTemplate()));
        }
    }

    @Test
    void everyChildIsControlledByTheForwardProxy() {
        ForwardProxy p = withTls(reference(), null);
        IssuedCertificate cert =
                TestCertificates.selfSigned(List.of("a"), Instant.parse("2030-01-01T00:00:00Z"));
        ProxyModel m = new ProxyModel(p, SETTINGS, PRICES, Optional.of(cert));
        for (var child :
                List.of(
                        m.configMap(),
                        m.deployment(),
                        m.service(),
                        m.tlsSecret(),
                        m.networkPolicy(),
                        m.disruptionBudget())) {
            assertThat(child.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(
                            o -> {
                                assertThat(o.getApiVersion()).isEqualTo("realmgate.io/v1alpha1");
                                assertThat(o.getKind()).isEqualTo("ForwardProxy");
                                assertThat(o.getName()).isEqualTo("egress");
                                assertThat(o.getUid()).isEqualTo(p.getMetadata().getUid());
                                assertThat(o.getController()).isTrue();
                                assertThat(o.getBlockOwnerDeletion()).isTrue();
                            });
        }
    }

    @Test
    void childMetadataCanTakeWhatTheFrameworkAdds() {
        // JOSDK adds its owner reference (kept: same uid) and its own annotation to desired objects
        // in place.
        Deployment d = model(reference()).deployment();
        d.getMetadata().getAnnotations().put("javaoperatorsdk.io/previous", "1");
        d.addOwnerReference(reference());
        assertThat(d.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getController()).isTrue());
    }

    @Test
    void adminPortClashIsAProblem() {
        ForwardProxy p = reference();
        p.getSpec().port = 9090;
        assertThat(model(p).problems()).extracting(Problem::reason).containsExactly("PortConflict");
        assertThat(model(reference()).problems()).isEmpty();
    }

    private static NetworkPolicyPeer peer(LabelSelector namespaces, LabelSelector pods) {
        return new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
                .withNamespaceSelector(namespaces)
                .withPodSelector(pods)
                .build();
    }

    private String port(NetworkPolicyPort port) {
        return port.getProtocol() + "/" + port.getPort().getIntVal();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
