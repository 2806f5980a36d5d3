package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.hostTarget;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.proxy.TargetResolution.Kind;
import io.realmgate.operator.proxy.TargetResolution.ResolvedTarget;
import io.realmgate.operator.realm.RealmModel;
import io.realmgate.operator.realm.WssCertificate;
import io.realmgate.proxy.access.TargetRule;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetResolutionTest {
    private static final Map<String, Realm> PRICES =
            Map.of("prices", realm("prices", "apps", 9000, 9443));

    private static TargetResolution resolve(Map<String, Realm> realms, TargetSpec... entries) {
        return TargetResolution.resolve(Arrays.asList(entries), "apps", realms, "cluster.local");
    }

    @Test
    void realmEntryBecomesAHostRulePerNameOfTheRealmsServiceAndPort() {
        TargetResolution r = resolve(PRICES, realmTarget("prices", 9000, 9443));

        assertThat(r.rules())
                .containsExactly(
                        "prices-realm.apps:9000",
                        "prices-realm.apps.svc:9000",
                        "prices-realm.apps.svc.cluster.local:9000",
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.cluster.local:9443");
        assertThat(r.problems()).isEmpty();
        assertThat(r.targets())
                .containsExactly(
                        new ResolvedTarget(Kind.REALM, "prices", List.of(9000, 9443), r.rules()));
        assertThat(r.rules())
                .allSatisfy(
                        rule ->
                                assertThat(TargetRule.parse(rule).kind())
                                        .isEqualTo(TargetRule.Kind.HOST));
    }

    @Test
    void realmEntryWithoutPortsAllowsTheWssPortOrTheWsPortWhenWssIsOff() {
        assertThat(resolve(PRICES, realmTarget("prices")).rules())
                .containsExactly(
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.cluster.local:9443");
        Map<String, Realm> plain = Map.of("ticks", realm("ticks", "apps", 9100, null));
        assertThat(resolve(plain, realmTarget("ticks")).rules())
                .containsExactly(
                        "ticks-realm.apps:9100",
                        "ticks-realm.apps.svc:9100",
                        "ticks-realm.apps.svc.cluster.local:9100");
    }

    @Test
    void clusterDomainIsTheOperatorsSetting() {
        TargetResolution r =
                TargetResolution.resolve(
                        List.of(realmTarget("prices")), "apps", PRICES, "corp.example");
        assertThat(r.rules())
                .containsExactly(
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.corp.example:9443");
    }

    /**
     * What the realm tells clients (its status endpoints) is admitted, and every name admitted is
     * one the realm's issued certificate carries, so a wss client through the proxy validates
     * whichever name it uses.
     */
    @Test
    void everyAdmittedNameIsInTheRealmsEndpointsOrCertificate() {
        OperatorSettings corp = SETTINGS.withClusterDomain("corp.example");
        Realm prices = PRICES.get("prices");
        TargetResolution r =
                TargetResolution.resolve(
                        List.of(realmTarget("prices", 9000, 9443)),
                        "apps",
                        PRICES,
                        corp.clusterDomain());
        List<String> hosts =
                r.rules().stream()
                        .map(rule -> TargetRule.parse(rule).host().orElseThrow())
                        .distinct()
                        .toList();

        assertThat(hosts)
                .containsExactly(
                        "prices-realm.apps",
                        "prices-realm.apps.svc",
                        "prices-realm.apps.svc.corp.example");
        assertThat(RealmModel.dnsNames(prices, corp)).containsAll(hosts);
        RealmStatus.Endpoints endpoints =
                new RealmModel(
                                prices,
                                corp,
                                WssCertificate.unusable(
                                        "prices-realm-tls",
                                        Optional.empty(),
                                        "SecretNotFound",
                                        "none yet"),
                                List.of())
                        .endpoints();
        for (String url : List.of(endpoints.webSocket, endpoints.secureWebSocket)) {
            URI uri = URI.create(url);
            assertThat(r.rules()).as(url).contains(uri.getHost() + ":" + uri.getPort());
        }
    }

    @Test
    void missingRealmIsAProblemNamingItAndAllowsNothing() {
        TargetResolution r =
                resolve(
                        Map.of(),
                        realmTarget("prices", 9443),
                        hostTarget("api.partner.example", 443));

        assertThat(r.problems())
                .containsExactly(
                        new Problem(
                                "RealmNotFound",
                                "allowConnect[0]: Realm 'prices' not found in namespace apps"));
        assertThat(r.rules()).containsExactly("api.partner.example:443");
    }

    @Test
    void portTheRealmDoesNotServeIsAProblemAndTheOtherPortsStay() {
        TargetResolution r = resolve(PRICES, realmTarget("prices", 9443, 9001));

        assertThat(r.rules())
                .containsExactly(
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.cluster.local:9443");
        assertThat(r.problems())
                .containsExactly(
                        new Problem(
                                "RealmPortNotFound",
                                "allowConnect[0]: Realm 'prices' does not serve port 9001 (it serves ws 9000, wss 9443)"));
    }

    @Test
    void disabledListenersPortIsNotServed() {
        Map<String, Realm> wssOnly = Map.of("prices", realm("prices", "apps", null, 9443));
        TargetResolution r = resolve(wssOnly, realmTarget("prices", 9000));
        assertThat(r.rules()).isEmpty();
        assertThat(r.problems()).extracting(Problem::reason).containsExactly("RealmPortNotFound");
    }

    @Test
    void hostsAddressesAndBlocksBecomeRulesTheProxyParsesAsSuch() {
        TargetResolution r =
                resolve(
                        Map.of(),
                        hostTarget("api.partner.example", 443, 8443),
                        hostTarget("10.1.2.3", 9000),
                        hostTarget("10.0.0.0/8", 8080),
                        hostTarget("fd00::1", 9443),
                        hostTarget("fd00::/8", 443));

        assertThat(r.problems()).isEmpty();
        assertThat(r.rules())
                .containsExactly(
                        "api.partner.example:443",
                        "api.partner.example:8443",
                        "10.1.2.3:9000",
                        "10.0.0.0/8:8080",
                        "[fd00::1]:9443",
                        "[fd00::/8]:443");
        assertThat(r.targets())
                .extracting(ResolvedTarget::kind)
                .containsExactly(
                        Kind.HOST_NAME, Kind.ADDRESS, Kind.ADDRESS, Kind.ADDRESS, Kind.ADDRESS);
        // Address targets carry their block as a CIDR, the form a NetworkPolicy ipBlock takes.
        assertThat(r.targets())
                .extracting(ResolvedTarget::name)
                .containsExactly(
                        "api.partner.example",
                        "10.1.2.3/32",
                        "10.0.0.0/8",
                        "fd00::1/128",
                        "fd00::/8");
        assertThat(r.rules())
                .allSatisfy(
                        rule -> {
                            TargetRule parsed = TargetRule.parse(rule);
                            assertThat(parsed.kind()).isNotEqualTo(TargetRule.Kind.PORT_ONLY);
                        });
        assertThat(TargetRule.parse("[fd00::/8]:443").kind()).isEqualTo(TargetRule.Kind.ADDRESS);
        assertThat(TargetRule.parse("api.partner.example:443").kind())
                .isEqualTo(TargetRule.Kind.HOST);
    }

    @Test
    void whatTheProxysParserRefusesIsAProblemNotARule() {
        TargetResolution r =
                resolve(Map.of(), hostTarget("10.0.0.0/33", 443), hostTarget("ok.example", 443));

        assertThat(r.rules()).containsExactly("ok.example:443");
        assertThat(r.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.reason()).isEqualTo("InvalidTarget");
                            assertThat(p.message())
                                    .startsWith("allowConnect[0]: ")
                                    .contains("10.0.0.0/33");
                        });
    }

    @Test
    void repeatedRulesAppearOnceInTheirFirstPlace() {
        TargetResolution r =
                resolve(
                        PRICES,
                        realmTarget("prices", 9443, 9443),
                        hostTarget("a.example", 443),
                        realmTarget("prices", 9000, 9443));
        assertThat(r.rules())
                .containsExactly(
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.cluster.local:9443",
                        "a.example:443",
                        "prices-realm.apps:9000",
                        "prices-realm.apps.svc:9000",
                        "prices-realm.apps.svc.cluster.local:9000");
    }

    @Test
    void noEntriesAllowNothing() {
        assertThat(TargetResolution.resolve(null, "apps", Map.of(), "cluster.local").rules())
                .isEmpty();
    }
}
