package io.realmgate.proxy.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetRuleTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "9000                 | PORT_ONLY | 9000",
                "9000-9010            | PORT_ONLY | 9000-9010",
                "127.0.0.1:9000       | ADDRESS   | 127.0.0.1:9000",
                "10.0.0.0/8:443       | ADDRESS   | 10.0.0.0/8:443",
                "10.1.2.3/8:443       | ADDRESS   | 10.0.0.0/8:443",
                "[::1]:9443           | ADDRESS   | [::1]:9443",
                "[fd00::/8]:80-81     | ADDRESS   | [fd00::/8]:80-81",
                "[0:0::1]:9443        | ADDRESS   | [::1]:9443",
                "Realm.Example.COM.:443 | HOST    | realm.example.com:443",
                "prices-realm:9443    | HOST      | prices-realm:9443",
            })
    void parsesGoodRules(String text, TargetRule.Kind kind, String normalized) {
        TargetRule rule = TargetRule.parse(text);
        assertThat(rule.kind()).isEqualTo(kind);
        assertThat(rule).hasToString(normalized);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "0",
                "65536",
                "9000-8000",
                "abc",
                "host:",
                ":443",
                "::1:443",
                "[::1]443",
                "[::1]:",
                "10.0.0.0/33:443",
                "host/8:443",
                "bad_host!:443",
                "1.2.3:443",
                "010.0.0.1:443",
                "127.0.0.1:0",
                "127.0.0.1:-1",
                "[zz::1]:443",
                "a..b:443",
            })
    void refusesBadRulesWithAMessageThatQuotesThem(String text) {
        assertThatThrownBy(() -> TargetRule.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9000-8000", "host:70000", "[::1]443"})
    void errorMessagesNameTheRule(String text) {
        assertThatThrownBy(() -> TargetRule.parse(text)).hasMessageContaining(text);
    }
}
