package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.flags;
import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.realm.config.RealmConfigDocument;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RealmLimitSettingsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T18:00:00Z");
    private static final SortedSet<String> NO_PROXIES = new TreeSet<>();
    private static final SortedSet<String> EDGE = new TreeSet<>(List.of("edge"));

    private static RealmSpec spec(RealmLimits limits, String... origins) {
        RealmSpec spec = new RealmSpec();
        spec.limits = limits;
        spec.allowedOrigins = origins.length == 0 ? null : List.of(origins);
        return spec;
    }

    /** What the settings write into a config file, as flags. */
    private static List<String> settings(RealmLimitSettings limits) {
        RealmConfigDocument doc = new RealmConfigDocument();
        limits.writeTo(doc);
        return RealmFixtures.flags(doc);
    }

    private static Condition condition(RealmLimitSettings flags) {
        return Conditions.find(flags.condition(List.of(), 3, NOW), RealmLimitSettings.CONDITION);
    }

    @Test
    void nothingSetRendersOnlyThePerClientCapsSizedForAProxyPodWithOrWithoutProxies() {
        RealmLimitSettings flags = new RealmLimitSettings(new RealmSpec(), NO_PROXIES);
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
        assertThat(settings(flags)).containsExactlyElementsOf(sized);
        assertThat(settings(new RealmLimitSettings(null, NO_PROXIES)))
                .containsExactlyElementsOf(sized);
        assertThat(settings(new RealmLimitSettings(spec(new RealmLimits()), NO_PROXIES)))
                .containsExactlyElementsOf(sized);
        assertThat(settings(new RealmLimitSettings(new RealmSpec(), EDGE)))
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

        assertThat(settings(new RealmLimitSettings(spec(limits), NO_PROXIES)))
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
    void allowedOriginsBecomeOneListKey() {
        RealmLimitSettings flags =
                new RealmLimitSettings(
                        spec(
                                null,
                                "https://app.example.com",
                                " http://localhost:8080 ",
                                "",
                                "http://10.0.0.5:3000"),
                        NO_PROXIES);
        assertThat(settings(flags))
                .startsWith(
                        "--allowed-origins",
                        "https://app.example.com,http://localhost:8080,http://10.0.0.5:3000");
    }

    @Test
    void referencingProxiesRaiseTheUnsetPerClientCapsToOneProxyPodAtMostTheTotal() {
        assertThat(RealmLimitSettings.PROXY_POD_CONNECTIONS)
                .as("the proxy's own limits.maxConnections default")
                .isEqualTo(20_000);
        RealmLimitSettings flags = new RealmLimitSettings(new RealmSpec(), EDGE);
        // One proxy pod carries 20000 connections; the realm's totals (10000, 5000, 5000) are less,
        // so the per-client
        // caps reach the totals: all of a proxy pod's clients together may use the whole realm.
        assertThat(settings(flags))
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
        RealmLimitSettings flags = new RealmLimitSettings(spec(limits), EDGE);
        assertThat(settings(flags))
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
        assertThat(settings(new RealmLimitSettings(spec(limits), EDGE)))
                .containsSequence("--max-polls", "100", "--max-polls-per-client", "500");
    }

    @Test
    void anExplicitPerClientCapIsRenderedAsWrittenAndAShortfallIsReportedNamingTheField() {
        RealmLimits limits = new RealmLimits();
        limits.maxConnectionsPerClient = 100;
        limits.maxStreamsPerClient = 5000;
        RealmLimitSettings flags =
                new RealmLimitSettings(spec(limits), new TreeSet<>(List.of("edge", "api")));
        assertThat(settings(flags))
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
        assertThat(condition(new RealmLimitSettings(spec(limits), NO_PROXIES)).getStatus())
                .isEqualTo("True");
    }

    @Test
    void theModelPutsTheSettingsIntoTheConfigFileAfterRetention() {
        Realm realm = prices();
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.headerTimeout = "5s";
        realm.getSpec().allowedOrigins = List.of("https://app.example.com");

        assertThat(flags(model(realm, "1", "edge")))
                .containsSequence("--allowed-origins", "https://app.example.com")
                .containsSequence(
                        "--max-subscriptions",
                        "1000",
                        "--max-connections",
                        "384",
                        "--max-connections-per-client",
                        "1000",
                        "--header-timeout",
                        "5s",
                        "--max-streams-per-client",
                        "5000",
                        "--max-polls-per-client",
                        "5000");
        assertThat(flags(model(prices(), "1")))
                .as("nothing set, no proxy: the realm's defaults, caps sized")
                .doesNotContain("--header-timeout", "--allowed-origins")
                .containsSequence(
                        "--max-connections", "384", "--max-connections-per-client", "1000");
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
