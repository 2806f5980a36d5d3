package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyStartup;
import io.realmgate.operator.api.Realm;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** spec.startup as the proxy container's environment (issue 18: pods start warm by default). */
class ProxyStartupModelTest {
    private static final Map<String, Realm> PRICES =
            Map.of("prices", realm("prices", "apps", 9000, 9443));

    /** The JVM options of the default 256Mi memory limit, without anything of spec.startup. */
    private static final String MEMORY_OPTIONS =
            "JAVA_TOOL_OPTIONS=-Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError";

    private static ForwardProxy egress() {
        return proxy("egress", "apps", realmTarget("prices", 9000, 9443));
    }

    private static ForwardProxy with(Integer warmUpTunnels, ProxyStartup.Compiler compiler) {
        ForwardProxy p = egress();
        p.getSpec().startup = new ProxyStartup();
        p.getSpec().startup.warmUpTunnels = warmUpTunnels;
        p.getSpec().startup.compiler = compiler;
        return p;
    }

    private static PodTemplateSpec template(ForwardProxy p) {
        return new ProxyModel(p, SETTINGS, PRICES, Optional.empty())
                .deployment()
                .getSpec()
                .getTemplate();
    }

    private static List<String> env(ForwardProxy p) {
        return template(p).getSpec().getContainers().get(0).getEnv().stream()
                .map(e -> e.getName() + "=" + e.getValue())
                .toList();
    }

    @Test
    void byDefaultThePodsRunC1OnlyAndWarmUpWith4000Tunnels() {
        List<String> expected =
                List.of(
                        MEMORY_OPTIONS + " -XX:TieredStopAtLevel=1",
                        "REALMGATE_PROXY_WARM_UP=4000");
        assertThat(env(egress())).as("the field's defaults").isEqualTo(expected);

        ForwardProxy storedBefore = egress();
        storedBefore.getSpec().startup = null;
        assertThat(env(storedBefore)).as("spec.startup absent").isEqualTo(expected);

        assertThat(env(with(null, null))).as("both fields absent").isEqualTo(expected);
    }

    @Test
    void explicitValuesAreRendered() {
        assertThat(env(with(500, ProxyStartup.Compiler.C1)))
                .containsExactly(
                        MEMORY_OPTIONS + " -XX:TieredStopAtLevel=1", "REALMGATE_PROXY_WARM_UP=500");
        assertThat(env(with(100_000, ProxyStartup.Compiler.C1)))
                .contains("REALMGATE_PROXY_WARM_UP=100000");
    }

    @Test
    void tieredKeepsTheJvmsCompilersAndStillWarmsUp() {
        assertThat(env(with(4000, ProxyStartup.Compiler.TIERED)))
                .containsExactly(MEMORY_OPTIONS, "REALMGATE_PROXY_WARM_UP=4000");
    }

    @Test
    void zeroTunnelsIsNoWarmUpVariable() {
        assertThat(env(with(0, ProxyStartup.Compiler.C1)))
                .containsExactly(MEMORY_OPTIONS + " -XX:TieredStopAtLevel=1");
    }

    @Test
    void tieredWithoutWarmUpRendersThePodsOfBeforeTheField() {
        assertThat(env(with(0, ProxyStartup.Compiler.TIERED))).containsExactly(MEMORY_OPTIONS);
    }

    @Test
    void aChangeOfStartupChangesThePodTemplateSoThePodsRoll() {
        PodTemplateSpec warm = template(egress());
        assertThat(template(with(0, ProxyStartup.Compiler.C1))).isNotEqualTo(warm);
        assertThat(template(with(4000, ProxyStartup.Compiler.TIERED))).isNotEqualTo(warm);
        assertThat(template(with(4000, ProxyStartup.Compiler.C1)))
                .as("the defaults written out are the defaults")
                .isEqualTo(warm);
    }

    @Test
    void theCompilerIsSpelledAsTheCrdSaysIt() {
        KubernetesSerialization json = new KubernetesSerialization();
        ProxyStartup tiered =
                json.unmarshal(
                        "{\"compiler\": \"Tiered\", \"warmUpTunnels\": 0}", ProxyStartup.class);
        assertThat(tiered.compiler()).isEqualTo(ProxyStartup.Compiler.TIERED);
        assertThat(tiered.warmUpTunnels()).isZero();
        assertThat(json.asJson(new ProxyStartup()))
                .contains("\"compiler\":\"C1\"")
                .contains("\"warmUpTunnels\":4000");
    }
}
