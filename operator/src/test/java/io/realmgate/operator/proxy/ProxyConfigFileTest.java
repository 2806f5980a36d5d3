package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.hostTarget;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.realmgate.operator.api.Clients;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyAuth;
import io.realmgate.operator.api.ProxyLimits;
import io.realmgate.operator.api.ProxyTimeouts;
import io.realmgate.operator.api.ProxyTls;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.SecretKeyRef;
import io.realmgate.operator.api.Transparent;
import io.realmgate.proxy.access.Cidr;
import io.realmgate.proxy.access.TargetRule;
import io.realmgate.proxy.config.ConfigException;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ListenAddress;
import io.realmgate.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered proxy.yaml, read back by the proxy's own parser and validator: what the proxy would
 * run with.
 */
class ProxyConfigFileTest {
    private static final Map<String, Realm> PRICES =
            Map.of("prices", realm("prices", "apps", 9000, 9443));

    private static ProxyConfig load(String yaml) throws ConfigException {
        return ConfigFiles.parse(yaml, "proxy.yaml").toConfig();
    }

    private static String render(ForwardProxy proxy) {
        return new ProxyModel(proxy, SETTINGS, PRICES, Optional.empty()).renderedConfig();
    }

    @Test
    void referenceScenarioRendersAsThisFile() {
        String yaml = render(proxy("egress", "apps", realmTarget("prices", 9000, 9443)));
        assertThat(yaml)
                .isEqualTo(
                        """
                listen: "[::]:3128"
                name: egress
                via: true
                allowConnect:
                - prices-realm.apps:9000
                - prices-realm.apps.svc:9000
                - prices-realm.apps.svc.cluster.local:9000
                - prices-realm.apps:9443
                - prices-realm.apps.svc:9443
                - prices-realm.apps.svc.cluster.local:9443
                allowClients:
                - 10.0.0.0/8
                - 172.16.0.0/12
                - 192.168.0.0/16
                - 100.64.0.0/10
                - fc00::/7
                limits:
                  maxConnections: 3268
                  maxConnectionsPerClient: 3268
                admin: "[::]:9090"
                """);
    }

    @Test
    void renderedConfigLoadsInTheProxyAsIntended() throws ConfigException {
        ProxyConfig config =
                load(
                        render(
                                proxy(
                                        "egress",
                                        "apps",
                                        realmTarget("prices", 9000, 9443),
                                        hostTarget("fd00::/8", 443),
                                        hostTarget("10.1.2.3", 8443))));

        assertThat(config.listen()).isEqualTo(new ListenAddress("::", 3128));
        assertThat(config.name()).isEqualTo("egress");
        assertThat(config.via()).isTrue();
        assertThat(config.allowConnect())
                .containsExactly(
                        TargetRule.parse("prices-realm.apps:9000"),
                        TargetRule.parse("prices-realm.apps.svc:9000"),
                        TargetRule.parse("prices-realm.apps.svc.cluster.local:9000"),
                        TargetRule.parse("prices-realm.apps:9443"),
                        TargetRule.parse("prices-realm.apps.svc:9443"),
                        TargetRule.parse("prices-realm.apps.svc.cluster.local:9443"),
                        TargetRule.parse("[fd00::/8]:443"),
                        TargetRule.parse("10.1.2.3:8443"));
        assertThat(config.allowClients())
                .containsExactlyElementsOf(
                        SETTINGS.podNetworks().stream().map(Cidr::parse).toList());
        assertThat(config.admin()).contains(new ListenAddress("::", 9090));
        assertThat(config.tls()).isEmpty();
        assertThat(config.usersFile()).isEmpty();
        assertThat(config.transparent()).isEmpty();
        assertThat(config.timeouts()).isEqualTo(ProxyConfig.Timeouts.DEFAULTS);
        // The connection caps sized for the default 256Mi (ProxyCapacityTest); the rest the
        // proxy's defaults.
        assertThat(config.limits())
                .isEqualTo(
                        new ProxyConfig.Limits(
                                ProxyConfig.Limits.DEFAULTS.maxHeaderBytes(),
                                ProxyConfig.Limits.DEFAULTS.maxRequestLine(),
                                3268,
                                3268));
    }

    @Test
    void limitsAndTimeoutsFromTheSpecLoadInTheProxyAsWritten() throws ConfigException {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        p.getSpec().limits = new ProxyLimits();
        p.getSpec().limits.maxConnections = 1500;
        p.getSpec().limits.maxConnectionsPerClient = 200;
        p.getSpec().limits.maxHeaderBytes = 8192;
        p.getSpec().limits.maxRequestLine = 4096;
        p.getSpec().timeouts = new ProxyTimeouts();
        p.getSpec().timeouts.connect = "3s";
        p.getSpec().timeouts.header = "2500ms";
        p.getSpec().timeouts.idle = "2h";
        p.getSpec().timeouts.drain = "90s";
        String yaml = render(p);
        assertThat(yaml)
                .contains(
                        """
                timeouts:
                  connect: 3s
                  header: 2500ms
                  idle: 2h
                  drain: 90s
                limits:
                  maxHeaderBytes: 8192
                  maxRequestLine: 4096
                  maxConnections: 1500
                  maxConnectionsPerClient: 200
                """);
        ProxyConfig config = load(yaml);
        assertThat(config.limits()).isEqualTo(new ProxyConfig.Limits(8192, 4096, 1500, 200));
        assertThat(config.timeouts())
                .isEqualTo(
                        new ProxyConfig.Timeouts(
                                Duration.ofSeconds(3),
                                Duration.ofMillis(2500),
                                Duration.ofHours(2),
                                Duration.ofSeconds(90)));
    }

    @Test
    void unsetLimitsAreTheProxysDefaultsAndTheCapsAreSizedForTheMemoryLimit()
            throws ConfigException {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        p.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .withLimits(Map.of("memory", new Quantity("1Gi")))
                        .build();
        p.getSpec().limits = new ProxyLimits();
        p.getSpec().limits.maxHeaderBytes = 1024 * 1024;
        p.getSpec().timeouts = new ProxyTimeouts();
        p.getSpec().timeouts.idle = "30m";
        ProxyConfig config = load(render(p));
        // 1Gi: heap 409Mi + direct 256Mi, half of it over 10 KiB + 1 MiB per connection.
        assertThat(config.limits())
                .isEqualTo(
                        new ProxyConfig.Limits(
                                1024 * 1024,
                                ProxyConfig.Limits.DEFAULTS.maxRequestLine(),
                                329,
                                329));
        assertThat(config.timeouts())
                .isEqualTo(
                        new ProxyConfig.Timeouts(
                                ProxyConfig.Timeouts.DEFAULTS.connect(),
                                ProxyConfig.Timeouts.DEFAULTS.header(),
                                Duration.ofMinutes(30),
                                ProxyConfig.Timeouts.DEFAULTS.drain()));
    }

    /**
     * TLS and auth name files the pod mounts; the proxy checks they are readable. The test lays out
     * the same files under a temporary root, as the kubelet would under /, and points the rendered
     * paths there.
     */
    @Test
    void tlsAuthAndTransparentLoadWithTheMountedFiles(@TempDir Path root) throws Exception {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        p.getSpec().tls = new ProxyTls();
        p.getSpec().tls.enabled = true;
        p.getSpec().auth = new ProxyAuth();
        p.getSpec().auth.basicSecretRef = new SecretKeyRef();
        p.getSpec().auth.basicSecretRef.name = "proxy-users";
        p.getSpec().auth.basicSecretRef.key = "htpasswd";
        p.getSpec().transparent = new Transparent();
        p.getSpec().transparent.port = 8443;
        p.getSpec().via = false;
        String yaml = render(p);
        assertThat(yaml)
                .contains(
                        """
                tls:
                  certificate: /etc/realmgate/tls/tls.crt
                  privateKey: /etc/realmgate/tls/tls.key
                auth:
                  usersFile: /etc/realmgate/auth/htpasswd
                admin: "[::]:9090"
                transparent:
                  listen: "[::]:8443"
                  targetPort: 8443
                """);

        for (String file :
                List.of(
                        "etc/realmgate/tls/tls.crt",
                        "etc/realmgate/tls/tls.key",
                        "etc/realmgate/auth/htpasswd")) {
            Files.createDirectories(root.resolve(file).getParent());
            Files.writeString(root.resolve(file), "x");
        }
        ProxyConfig config = load(yaml.replace("/etc/realmgate/", root + "/etc/realmgate/"));

        assertThat(config.via()).isFalse();
        assertThat(config.tls())
                .contains(
                        new ProxyConfig.TlsFiles(
                                root.resolve("etc/realmgate/tls/tls.crt"),
                                root.resolve("etc/realmgate/tls/tls.key")));
        assertThat(config.usersFile()).contains(root.resolve("etc/realmgate/auth/htpasswd"));
        assertThat(config.transparent())
                .contains(new ProxyConfig.Transparent(new ListenAddress("::", 8443), 8443));
        assertThat(config.allowConnect())
                .containsExactly(
                        TargetRule.parse("prices-realm.apps:9443"),
                        TargetRule.parse("prices-realm.apps.svc:9443"),
                        TargetRule.parse("prices-realm.apps.svc.cluster.local:9443"));
    }

    @Test
    void transparentTargetPortIsRenderedWhenGiven() throws ConfigException {
        ForwardProxy p = proxy("egress", "apps");
        p.getSpec().transparent = new Transparent();
        p.getSpec().transparent.port = 8443;
        p.getSpec().transparent.targetPort = 9443;
        assertThat(load(render(p)).transparent())
                .contains(new ProxyConfig.Transparent(new ListenAddress("::", 8443), 9443));
    }

    @Test
    void clientsAreTheDeclaredBlocksPlusThePodNetworksWhenPodsAreAdmitted() throws ConfigException {
        ForwardProxy blocksOnly = proxy("egress", "apps");
        blocksOnly.getSpec().clients = new Clients();
        blocksOnly.getSpec().clients.ipBlocks = List.of("192.0.2.0/24");
        assertThat(load(render(blocksOnly)).allowClients())
                .containsExactly(Cidr.parse("192.0.2.0/24"));

        ForwardProxy blocksAndPods = proxy("egress", "apps");
        blocksAndPods.getSpec().clients = new Clients();
        blocksAndPods.getSpec().clients.ipBlocks = List.of("192.0.2.0/24");
        blocksAndPods.getSpec().clients.namespaceSelector =
                new LabelSelector(null, Map.of("team", "a"));
        assertThat(load(render(blocksAndPods)).allowClients())
                .first()
                .isEqualTo(Cidr.parse("192.0.2.0/24"));
        assertThat(load(render(blocksAndPods)).allowClients())
                .hasSize(1 + SETTINGS.podNetworks().size());
    }

    @Test
    void noTargetsRendersAnEmptyRuleListThatRefusesEverything() throws ConfigException {
        String yaml = render(proxy("egress", "apps"));
        assertThat(yaml).contains("allowConnect: []");
        assertThat(load(yaml).allowConnect()).isEmpty();
    }

    @Test
    void longNamesAreCutToWhatViaAllows() throws ConfigException {
        String name = "a".repeat(70) + ".b";
        assertThat(load(render(proxy(name, "apps"))).name()).isEqualTo("a".repeat(64));
    }

    @Test
    void renderingIsDeterministic() throws IOException {
        ForwardProxy p =
                proxy(
                        "egress",
                        "apps",
                        realmTarget("prices", 9443, 9000),
                        hostTarget("a.example", 443));
        assertThat(render(p)).isEqualTo(render(p));
    }
}
