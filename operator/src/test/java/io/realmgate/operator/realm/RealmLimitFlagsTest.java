package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.status.Conditions;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RealmLimitFlagsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T18:00:00Z");
    private static final SortedSet<String> NO_PROXIES = new TreeSet<>();
    private static final SortedSet<String> EDGE = new TreeSet<>(List.of("edge"));

    private static RealmSpec spec(RealmLimits limits, String... origins) {
        RealmSpec spec = new RealmSpec();
        spec.limits = limits;
        spec.allowedOrigins = origins.length == 0 ? null : List.of(origins);
        return spec;
    }

    private static Condition condition(RealmLimitFlags flags) {
        return Conditions.find(flags.condition(List.of(), 3, NOW), RealmLimitFlags.CONDITION);
    }

    @Test
    void nothingSetRendersOnlyThePerClientCapsSizedForAProxyPodWithOrWithoutProxies() {
        RealmLimitFlags flags = new RealmLimitFlags(new RealmSpec(), NO_PROXIES);
        // One proxy pod carries 20000 connections; the realm's totals (10000, 5000, 5000) are less,
        // so the per-client
        // caps reach the totals: all of a proxy pod's clients together may use the whole realm. The
        // same flags with
        // and without proxies: the first proxy to reference the realm must roll no pod.
        List<String> sized =
                List.of(
                        "--max-connections-per-client", "10000",
                        "--max-streams-per-client", "5000",
                        "--max-polls-per-client", "5000");
        assertThat(flags.args()).containsExactlyElementsOf(sized);
        assertThat(new RealmLimitFlags(null, NO_PROXIES).args()).containsExactlyElementsOf(sized);
        assertThat(new RealmLimitFlags(spec(new RealmLimits()), NO_PROXIES).args())
                .containsExactlyElementsOf(sized);
        assertThat(new RealmLimitFlags(new RealmSpec(), EDGE).args())
                .containsExactlyElementsOf(sized);
        Condition c = condition(flags);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("NoForwardProxies");
        assertThat(c.getObservedGeneration()).isEqualTo(3);
    }

    @Test
    void everySetFieldBecomesItsFlagInAFixedOrder() {
        RealmLimits limits = new RealmLimits();
        limits.maxPollsPerClient = 40;
        limits.maxPolls = 400;
        limits.maxStreamsPerClient = 30;
        limits.maxStreams = 300;
        limits.replayRate = 2500;
        limits.headerTimeout = "750ms";
        limits.maxConnectionsPerClient = 20;
        limits.maxConnections = 200;

        assertThat(new RealmLimitFlags(spec(limits), NO_PROXIES).args())
                .containsExactly(
                        "--max-connections", "200",
                        "--max-connections-per-client", "20",
                        "--header-timeout", "750ms",
                        "--replay-rate", "2500",
                        "--max-streams", "300",
                        "--max-streams-per-client", "30",
                        "--max-polls", "400",
                        "--max-polls-per-client", "40");
    }

    @Test
    void allowedOriginsBecomeOneCommaSeparatedFlag() {
        RealmLimitFlags flags =
                new RealmLimitFlags(
                        spec(
                                null,
                                "https://app.example.com",
                                " http://localhost:8080 ",
                                "",
                                "http://10.0.0.5:3000"),
                        NO_PROXIES);
        assertThat(flags.args())
                .endsWith(
                        "--allowed-origins",
                        "https://app.example.com,http://localhost:8080,http://10.0.0.5:3000");
    }

    @Test
    void referencingProxiesRaiseTheUnsetPerClientCapsToOneProxyPodAtMostTheTotal() {
        assertThat(RealmLimitFlags.PROXY_POD_CONNECTIONS)
                .as("the proxy's own limits.maxConnections default")
                .isEqualTo(20_000);
        RealmLimitFlags flags = new RealmLimitFlags(new RealmSpec(), EDGE);
        // One proxy pod carries 20000 connections; the realm's totals (10000, 5000, 5000) are less,
        // so the per-client
        // caps reach the totals: all of a proxy pod's clients together may use the whole realm.
        assertThat(flags.args())
                .containsExactly(
                        "--max-connections-per-client", "10000",
                        "--max-streams-per-client", "5000",
                        "--max-polls-per-client", "5000");
        assertThat(flags.shortfalls()).isEmpty();
        Condition c = condition(flags);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("SizedForProxies");
        assertThat(c.getMessage()).contains("edge");
    }

    @Test
    void withRaisedTotalsOneProxyPodsCapacityIsTheCap() {
        RealmLimits limits = new RealmLimits();
        limits.maxConnections = 50_000;
        limits.maxStreams = 1000;
        RealmLimitFlags flags = new RealmLimitFlags(spec(limits), EDGE);
        assertThat(flags.args())
                .containsExactly(
                        "--max-connections", "50000",
                        "--max-connections-per-client", "20000",
                        "--max-streams", "1000",
                        "--max-streams-per-client", "1000",
                        "--max-polls-per-client", "5000");
    }

    @Test
    void aTotalBelowTheStandaloneDefaultKeepsTheDefaultPerClientCap() {
        RealmLimits limits = new RealmLimits();
        limits.maxPolls = 100;
        assertThat(new RealmLimitFlags(spec(limits), EDGE).args())
                .containsSequence("--max-polls", "100", "--max-polls-per-client", "500");
    }

    @Test
    void anExplicitPerClientCapIsRenderedAsWrittenAndAShortfallIsReportedNamingTheField() {
        RealmLimits limits = new RealmLimits();
        limits.maxConnectionsPerClient = 100;
        limits.maxStreamsPerClient = 5000;
        RealmLimitFlags flags =
                new RealmLimitFlags(spec(limits), new TreeSet<>(List.of("edge", "api")));
        assertThat(flags.args())
                .containsExactly(
                        "--max-connections-per-client", "100",
                        "--max-streams-per-client", "5000",
                        "--max-polls-per-client", "5000");
        assertThat(flags.shortfalls())
                .containsExactly(
                        "spec.limits.maxConnectionsPerClient (100) is below 10000,"
                                + " what one proxy pod can carry (at most the realm's total)");
        Condition c = condition(flags);
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("BelowProxyCapacity");
        assertThat(c.getMessage())
                .startsWith("spec.limits.maxConnectionsPerClient (100) is below 10000")
                .contains("ForwardProxy api, edge");

        // Without proxies the same value is no shortfall: each client has its own address.
        assertThat(condition(new RealmLimitFlags(spec(limits), NO_PROXIES)).getStatus())
                .isEqualTo("True");
    }

    @Test
    void theModelPutsTheFlagsIntoTheDeploymentAfterRetention() {
        Realm realm = prices();
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.headerTimeout = "5s";
        realm.getSpec().allowedOrigins = List.of("https://app.example.com");

        Deployment deployment = model(realm, "1", "edge").deployment();
        List<String> args =
                deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        assertThat(args)
                .containsSequence(
                        "--max-subscriptions",
                        "1000",
                        "--max-connections-per-client",
                        "10000",
                        "--header-timeout",
                        "5s",
                        "--max-streams-per-client",
                        "5000",
                        "--max-polls-per-client",
                        "5000",
                        "--allowed-origins",
                        "https://app.example.com");
        assertThat(model(prices(), "1").args())
                .as("nothing set, no proxy: the realm's defaults, caps sized")
                .doesNotContain("--header-timeout", "--allowed-origins", "--max-connections")
                .containsSequence("--max-connections-per-client", "10000");
    }

    @Test
    void changingALimitChangesThePodTemplateSoThePodsRoll() {
        Realm before = prices();
        Realm after = prices();
        after.getSpec().limits = new RealmLimits();
        after.getSpec().limits.replayRate = 20_000;
        assertThat(model(after, "1").deployment().getSpec().getTemplate())
                .isNotEqualTo(model(before, "1").deployment().getSpec().getTemplate());
        assertThat(model(after, "1").deployment())
                .as("equal inputs, equal Deployment")
                .isEqualTo(model(after, "1").deployment());
    }
}
