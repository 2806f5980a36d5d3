package io.realmgate.proxy.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetPolicyTest {

    static TargetPolicy policy(String... rules) {
        return new TargetPolicy(Arrays.stream(rules).map(TargetRule::parse).toList());
    }

    static InetAddress ip(String literal) {
        return InetLiterals.parse(literal).orElseThrow();
    }

    @Test
    void noRuleRefusesEverything() {
        TargetPolicy none = policy();
        assertThat(none.precheck(Target.parseAuthority("example.com:443")))
                .isEqualTo(TargetPolicy.Precheck.REFUSED);
        assertThat(none.admits(ip("93.184.216.34"), 443)).isFalse();
    }

    @Test
    void portOnlyRulesAdmitPublicAddressesOnly() {
        TargetPolicy p = policy("443");
        assertThat(p.admits(ip("93.184.216.34"), 443)).isTrue();
        assertThat(p.admits(ip("2606:2800:220:1:248:1893:25c8:1946"), 443)).isTrue();
        assertThat(p.admits(ip("93.184.216.34"), 444)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.9.9.9",
                "::1",
                "10.1.2.3",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "fe80::1",
                "100.64.0.1",
                "100.127.255.254",
                "fc00::1",
                "fd12:3456::1",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:8.8.8.8",
                "64:ff9b::a00:1",
                "2002:a00:1::1",
                "0.0.0.0",
                "0.1.2.3",
                "::",
                "224.0.0.1",
                "ff02::1",
                "255.255.255.255",
                "240.0.0.1",
                "192.0.2.1",
            })
    void portOnlyRulesNeverReachInternalAddresses(String address) {
        assertThat(AddressClass.of(ip(address)).isPublic()).as(address).isFalse();
        assertThat(policy("1-65535").admits(ip(address), 443)).as(address).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8.8.8.8",
                "1.1.1.1",
                "172.32.0.1",
                "100.128.0.1",
                "2001:4860:4860::8888",
                "11.0.0.1"
            })
    void publicAddressesArePublic(String address) {
        assertThat(AddressClass.of(ip(address))).as(address).isEqualTo(AddressClass.PUBLIC);
    }

    @Test
    void internalAddressesAreReachableWhenNamedByAddressOrBlock() {
        TargetPolicy p = policy("127.0.0.1:9000", "10.0.0.0/8:443", "[fd00::/8]:8443");
        assertThat(p.admits(ip("127.0.0.1"), 9000)).isTrue();
        assertThat(p.admits(ip("127.0.0.2"), 9000)).isFalse();
        assertThat(p.admits(ip("127.0.0.1"), 9001)).isFalse();
        assertThat(p.admits(ip("10.200.1.1"), 443)).isTrue();
        assertThat(p.admits(ip("11.0.0.1"), 443)).isFalse();
        assertThat(p.admits(ip("fd00::5"), 8443)).isTrue();
        assertThat(p.admits(ip("fe80::5"), 8443)).isFalse();
    }

    @Test
    void precheckDecidesPortAndHostRulesWithoutAddresses() {
        TargetPolicy p = policy("realm.internal:9443", "10.0.0.0/8:443");
        assertThat(p.precheck(Target.parseAuthority("realm.internal:9443")))
                .isEqualTo(TargetPolicy.Precheck.ADMITTED_BY_NAME);
        assertThat(p.precheck(Target.parseAuthority("REALM.internal.:9443")))
                .isEqualTo(TargetPolicy.Precheck.ADMITTED_BY_NAME);
        assertThat(p.precheck(Target.parseAuthority("realm.internal:9000")))
                .isEqualTo(TargetPolicy.Precheck.REFUSED);
        assertThat(p.precheck(Target.parseAuthority("other.internal:9443")))
                .isEqualTo(TargetPolicy.Precheck.REFUSED);
        assertThat(p.precheck(Target.parseAuthority("anything.example:443")))
                .isEqualTo(TargetPolicy.Precheck.NEEDS_ADDRESS);
        assertThat(p.precheck(Target.parseAuthority("11.0.0.1:443")))
                .isEqualTo(TargetPolicy.Precheck.REFUSED);
    }

    /** A resolver that answers from a table and counts lookups: the test's stand-in for DNS. */
    static final class TableResolver implements TargetResolver {
        final Map<String, List<InetAddress>> table;
        final AtomicInteger lookups = new AtomicInteger();

        TableResolver(Map<String, List<InetAddress>> table) {
            this.table = table;
        }

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            lookups.incrementAndGet();
            List<InetAddress> a = table.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a;
        }
    }

    private static Future<InetSocketAddress> admit(TargetGate gate, String authority) {
        return gate.admit(Target.parseAuthority(authority), ImmediateEventExecutor.INSTANCE);
    }

    private static Refusal.Reason reason(Future<?> f) {
        assertThat(f.isDone()).isTrue();
        assertThat(f.isSuccess()).as("refused").isFalse();
        return ((Refusal.RefusedException) f.cause()).refusal().reason();
    }

    @Test
    void refusalsByPortOrHostTriggerNoLookup() {
        TableResolver dns = new TableResolver(Map.of("rebind.example", List.of(ip("8.8.8.8"))));
        TargetGate gate = new TargetGate(policy("443", "realm.internal:9443"), dns, Runnable::run);
        assertThat(reason(admit(gate, "rebind.example:22")))
                .isEqualTo(Refusal.Reason.TARGET_NOT_ALLOWED);
        assertThat(reason(admit(gate, "realm.internal:9000")))
                .isEqualTo(Refusal.Reason.TARGET_NOT_ALLOWED);
        assertThat(reason(admit(gate, "127.0.0.1:443")))
                .isEqualTo(Refusal.Reason.TARGET_NOT_ALLOWED);
        assertThat(dns.lookups).hasValue(0);
    }

    @Test
    void aNameResolvingToAnInternalAddressIsRefusedForAPortOnlyRule() {
        TableResolver dns =
                new TableResolver(
                        Map.of(
                                "metadata.evil.example", List.of(ip("169.254.169.254")),
                                "mixed.example", List.of(ip("10.0.0.1"), ip("93.184.216.34"))));
        TargetGate gate = new TargetGate(policy("80", "443"), dns, Runnable::run);
        assertThat(reason(admit(gate, "metadata.evil.example:80")))
                .isEqualTo(Refusal.Reason.TARGET_NOT_ALLOWED);
        Future<InetSocketAddress> mixed = admit(gate, "mixed.example:443");
        assertThat(mixed.isSuccess()).isTrue();
        assertThat(mixed.getNow().getAddress())
                .as("the checked address is the one dialled")
                .isEqualTo(ip("93.184.216.34"));
        assertThat(dns.lookups).hasValue(2);
    }

    @Test
    void aHostRuleAdmitsWhateverTheNameResolvesToAndResolvesOnce() {
        TableResolver dns = new TableResolver(Map.of("realm.internal", List.of(ip("10.0.0.7"))));
        TargetGate gate = new TargetGate(policy("realm.internal:9443"), dns, Runnable::run);
        Future<InetSocketAddress> f = admit(gate, "realm.internal:9443");
        assertThat(f.isSuccess()).isTrue();
        assertThat(f.getNow()).isEqualTo(new InetSocketAddress(ip("10.0.0.7"), 9443));
        assertThat(dns.lookups).hasValue(1);
    }

    @Test
    void anUnknownNameIsABadGateway() {
        TargetGate gate = new TargetGate(policy("443"), new TableResolver(Map.of()), Runnable::run);
        assertThat(reason(admit(gate, "nowhere.example:443")))
                .isEqualTo(Refusal.Reason.UNRESOLVABLE);
        assertThat(Refusal.Reason.UNRESOLVABLE.status()).isEqualTo(502);
    }
}
