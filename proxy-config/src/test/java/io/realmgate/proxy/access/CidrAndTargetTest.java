package io.realmgate.proxy.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrAndTargetTest {

    @Test
    void cidrContainment() {
        Cidr v4 = Cidr.parse("192.168.0.0/16");
        assertThat(v4.contains(InetLiterals.parse("192.168.44.1").orElseThrow())).isTrue();
        assertThat(v4.contains(InetLiterals.parse("192.169.0.1").orElseThrow())).isFalse();
        assertThat(v4.contains(InetLiterals.parse("::ffff:192.168.44.1").orElseThrow()))
                .as("no implicit IPv4-mapped match in target rules")
                .isFalse();
        Cidr v6 = Cidr.parse("[2001:db8::/32]");
        assertThat(v6.contains(InetLiterals.parse("2001:db8:1::1").orElseThrow())).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetLiterals.parse("8.8.8.8").orElseThrow()))
                .isTrue();
        assertThat(Cidr.parse("10.9.8.7")).isEqualTo(Cidr.parse("10.9.8.7/32"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "10.0.0.0/",
                "10.0.0.0/x",
                "10.0.0.0/33",
                "::/129",
                "example.com/8",
                "1.2.3.4.5",
                "256.0.0.1",
                "01.2.3.4"
            })
    void badCidrsAreRefused(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv6LiteralsInAllForms() {
        assertThat(InetLiterals.parse("::").orElseThrow().getAddress()).containsOnly(0);
        assertThat(InetLiterals.parse("1:2:3:4:5:6:7:8")).isPresent();
        assertThat(InetLiterals.parse("1:2:3:4:5:6:7:8:9")).isEmpty();
        assertThat(InetLiterals.parse("::ffff:1.2.3.4").orElseThrow().getAddress()[15])
                .isEqualTo((byte) 4);
        assertThat(InetLiterals.parse("fe80::1%eth0")).as("zone ids are refused").isEmpty();
        assertThat(InetLiterals.parse("1::2::3")).isEmpty();
        assertThat(InetLiterals.parse("example.com")).isEmpty();
    }

    @Test
    void connectAuthorities() {
        Target t = Target.parseAuthority("[::1]:9443");
        assertThat(t.literal()).isPresent();
        assertThat(t.port()).isEqualTo(9443);
        assertThat(t).hasToString("[::1]:9443");
        assertThat(Cidr.parse("[2001:db8:0:0:1::/80]")).hasToString("2001:db8:0:0:1::/80");
        assertThat(Target.parseAuthority("Realm.Example:443").host()).isEqualTo("realm.example");
        assertThat(Target.parse("example.com", 80).port()).isEqualTo(80);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "user@example.com:443",
                "user:pw@example.com:443",
                "example.com:",
                "example.com:0",
                "example.com:65536",
                "example.com:4x3",
                "ex%61mple.com:443",
                "::1:443",
                "[::1]",
                "[::1",
                "[example.com]:443",
                "example .com:443",
                "1.2.3:443",
                "0x7f.0.0.1:443",
                "2130706433:443"
            })
    void badConnectAuthoritiesAreRefused(String authority) {
        assertThatThrownBy(() -> Target.parseAuthority(authority))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
