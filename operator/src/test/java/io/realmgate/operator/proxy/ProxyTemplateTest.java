package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.SysctlBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.PodTemplate;
import io.realmgate.operator.api.ProxyLimits;
import io.realmgate.operator.api.ProxyTimeouts;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.TemplateFixtures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A ForwardProxy's spec.template on its pods, and what its limits and timeouts do to them. */
class ProxyTemplateTest {
    private static final Map<String, Realm> PRICES =
            Map.of("prices", realm("prices", "apps", 9000, 9443));

    private static ForwardProxy reference() {
        return proxy("egress", "apps", realmTarget("prices", 9000, 9443));
    }

    private static Deployment deployment(ForwardProxy p) {
        return new ProxyModel(
                        p,
                        SETTINGS.withImagePullSecrets(List.of("regcred", "dup")),
                        PRICES,
                        Optional.empty())
                .deployment();
    }

    @Test
    void everyTemplateFieldReachesThePodAndTheOperatorsLabelsAndHashStay() {
        ForwardProxy plain = reference();
        ForwardProxy templated = reference();
        templated.getSpec().template = TemplateFixtures.everything();
        PodTemplateSpec before = deployment(plain).getSpec().getTemplate();
        Deployment d = deployment(templated);
        PodTemplateSpec pod = d.getSpec().getTemplate();
        PodSpec spec = pod.getSpec();

        assertThat(spec.getNodeSelector())
                .containsExactly(Map.entry("node-role.example.com/edge", "true"));
        assertThat(spec.getTolerations()).containsExactly(TemplateFixtures.EDGE_TOLERATION);
        assertThat(spec.getAffinity()).isEqualTo(TemplateFixtures.ZONE_AFFINITY);
        assertThat(spec.getTopologySpreadConstraints())
                .as("the user's spread replaces the operator's over nodes")
                .containsExactly(TemplateFixtures.ZONE_SPREAD);
        assertThat(spec.getPriorityClassName()).isEqualTo("edge-critical");
        assertThat(spec.getContainers())
                .singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo(TemplateFixtures.IMAGE));
        assertThat(spec.getImagePullSecrets())
                .extracting(LocalObjectReference::getName)
                .containsExactly("regcred", "dup", "team-registry");

        assertThat(pod.getMetadata().getLabels())
                .containsEntry("team", "payments")
                .containsAllEntriesOf(Names.proxyLabels("egress"))
                .containsEntry("app.kubernetes.io/instance", "egress");
        assertThat(d.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Names.proxySelector("egress"));
        assertThat(pod.getMetadata().getAnnotations())
                .containsEntry("sidecar.istio.io/inject", "false")
                .containsEntry(
                        Names.RESTART_HASH_ANNOTATION,
                        before.getMetadata().getAnnotations().get(Names.RESTART_HASH_ANNOTATION));

        List<Sysctl> operators = before.getSpec().getSecurityContext().getSysctls();
        assertThat(spec.getSecurityContext().getSysctls())
                .as("the user's sysctl after the operator's")
                .containsExactlyElementsOf(
                        Stream.concat(operators.stream(), Stream.of(TemplateFixtures.KEEPALIVE))
                                .toList());

        // Everything the operator sets besides is as without a template.
        assertThat(spec.getSecurityContext())
                .usingRecursiveComparison()
                .ignoringFields("sysctls")
                .isEqualTo(before.getSpec().getSecurityContext());
        assertThat(spec.getVolumes()).isEqualTo(before.getSpec().getVolumes());
        assertThat(spec.getContainers().get(0).getArgs())
                .isEqualTo(before.getSpec().getContainers().get(0).getArgs());
    }

    @Test
    void withoutATemplateThePodHasTheOperatorsSpreadAndNoPlacementOfItsOwn() {
        PodSpec spec = deployment(reference()).getSpec().getTemplate().getSpec();
        assertThat(spec.getNodeSelector()).isNullOrEmpty();
        assertThat(spec.getTolerations()).isNullOrEmpty();
        assertThat(spec.getAffinity()).isNull();
        assertThat(spec.getPriorityClassName()).isNull();
        assertThat(spec.getTopologySpreadConstraints())
                .singleElement()
                .satisfies(c -> assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        assertThat(spec.getContainers().get(0).getImage()).isEqualTo(SETTINGS.proxyImage());

        ForwardProxy empty = reference();
        empty.getSpec().template = new PodTemplate();
        assertThat(deployment(empty)).as("an empty template").isEqualTo(deployment(reference()));

        ForwardProxy noSpread = reference();
        noSpread.getSpec().template = new PodTemplate();
        noSpread.getSpec().template.topologySpreadConstraints = List.of();
        assertThat(
                        deployment(noSpread)
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getTopologySpreadConstraints())
                .as("an empty list removes the operator's spread")
                .isEmpty();
    }

    @Test
    void aUsersSysctlOfTheSameNameReplacesTheOperatorsValueInItsPlace() {
        ForwardProxy narrowed = reference();
        narrowed.getSpec().template = new PodTemplate();
        narrowed.getSpec().template.sysctls =
                List.of(
                        new SysctlBuilder()
                                .withName("net.ipv4.ip_local_port_range")
                                .withValue("32768 60999")
                                .build());
        assertThat(deployment(narrowed).getSpec().getTemplate().getSpec().getSecurityContext())
                .satisfies(
                        c ->
                                assertThat(c.getSysctls())
                                        .extracting(Sysctl::getName, Sysctl::getValue)
                                        .containsExactly(
                                                tuple(
                                                        "net.ipv4.ip_local_port_range",
                                                        "32768 60999"),
                                                tuple(
                                                        "net.ipv4.ip_local_reserved_ports",
                                                        "3128,9090")))
                .satisfies(c -> assertThat(c.getRunAsNonRoot()).isTrue());
    }

    /**
     * The running proxy reloads its limits and timeouts from the ConfigMap, so they roll no pod;
     * only the drain moves the termination grace period, and with it the pod template.
     */
    @Test
    void limitsAndTimeoutsRollNoPodButTheDrainSetsTheGracePeriod() {
        ForwardProxy base = reference();
        ForwardProxy tuned = reference();
        tuned.getSpec().limits = new ProxyLimits();
        tuned.getSpec().limits.maxConnections = 1000;
        tuned.getSpec().limits.maxHeaderBytes = 4096;
        tuned.getSpec().timeouts = new ProxyTimeouts();
        tuned.getSpec().timeouts.idle = "1h";
        tuned.getSpec().timeouts.connect = "2s";
        ProxyModel a = new ProxyModel(base, SETTINGS, PRICES, Optional.empty());
        ProxyModel b = new ProxyModel(tuned, SETTINGS, PRICES, Optional.empty());
        assertThat(b.renderedConfig()).isNotEqualTo(a.renderedConfig());
        assertThat(b.deployment().getSpec().getTemplate())
                .isEqualTo(a.deployment().getSpec().getTemplate());

        assertThat(
                        a.deployment()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getTerminationGracePeriodSeconds())
                .as("preStop 5 s + drain 30 s + close 10 s + margin 5 s")
                .isEqualTo(50L);
        tuned.getSpec().timeouts.drain = "5m";
        assertThat(
                        deployment(tuned)
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getTerminationGracePeriodSeconds())
                .isEqualTo(5 + 300 + 10 + 5L);
        tuned.getSpec().timeouts.drain = "1500ms";
        assertThat(
                        deployment(tuned)
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getTerminationGracePeriodSeconds())
                .as("a part of a second counts as one")
                .isEqualTo(5 + 2 + 10 + 5L);
    }
}
