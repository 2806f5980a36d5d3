package io.realmgate.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // the proxy's forms
                "250ms    | PT0.25S",
                "10s      | PT10S",
                "5m       | PT5M",
                "1h       | PT1H",
                // the realm's: any case, blanks around, a leading plus
                "30S      | PT30S",
                "'  2m '  | PT2M",
                "500MS    | PT0.5S",
                "+5s      | PT5S",
                // the operator's: days and ISO-8601 (any case)
                "90d      | PT2160H",
                "3650d    | PT87600H",
                "PT12H    | PT12H",
                "pt1h30m  | PT1H30M",
                "P1D      | PT24H",
                "999999999s | PT277777H46M39S",
                "9223372036854775807ms | PT2562047788015H12M55.807S",
            })
    void acceptsEveryFormOfTheThreeFormerGrammars(String text, String iso) throws InvalidSetting {
        assertThat(Durations.parse("--flag", text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "ten-days | --x: \"ten-days\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "10       | --x: \"10\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "''       | --x: \"\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "5 s      | --x: \"5 s\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "1.5s     | --x: \"1.5s\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "5w       | --x: \"5w\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "PTxH     | --x: \"PTxH\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "-5s      | --x: \"-5s\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
                "0s       | --x: \"0s\" must be longer than zero",
                "0d       | --x: \"0d\" must be longer than zero",
                "PT0S     | --x: \"PT0S\" must be longer than zero",
                "-PT1H    | --x: \"-PT1H\" must be longer than zero",
                "999999999999999999d | --x: \"999999999999999999d\" is too long a duration",
                "9999999999999999999s | --x: \"9999999999999999999s\" is too long a duration",
                "99999999999999999999s | --x: \"99999999999999999999s\" is not a duration (such as 500ms, 30s, 5m, 12h, 90d or PT1H)",
            })
    void refusesWithAMessageNamingTheSetting(String text, String message) {
        assertThatThrownBy(() -> Durations.parse("--x", text))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void aMissingValueIsNamed() {
        assertThatThrownBy(() -> Durations.parse("timeouts.idle", null))
                .hasMessage(
                        "timeouts.idle: a duration is needed (such as 500ms, 30s, 5m, 12h, 90d or PT1H)");
    }
}
