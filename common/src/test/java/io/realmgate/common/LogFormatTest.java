package io.realmgate.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    @Test
    void unsetIsTextAndBothValuesAreRead() throws Exception {
        assertThat(LogFormat.select(Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.select(Map.of(LogFormat.ENVIRONMENT, "text")))
                .isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.select(Map.of(LogFormat.ENVIRONMENT, "json")))
                .isEqualTo(LogFormat.JSON);
    }

    @Test
    void anyOtherValueNamesTheVariableAndTheValues() {
        for (String bad : new String[] {"", "JSON", " json", "xml"}) {
            assertThatThrownBy(() -> LogFormat.select(Map.of(LogFormat.ENVIRONMENT, bad)))
                    .isInstanceOf(InvalidSetting.class)
                    .hasMessage(
                            "REALMGATE_LOG_FORMAT: '"
                                    + bad
                                    + "' is not a log format (text or json)");
        }
    }
}
