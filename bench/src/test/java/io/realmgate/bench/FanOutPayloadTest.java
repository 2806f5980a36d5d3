package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FanOutPayloadTest {
    @Test
    void everyPayloadHasTheSameSizeAndIsJsonHoldingItsTime() throws Exception {
        for (long t : new long[] {0, 7, 123_456_789, Long.MAX_VALUE}) {
            String p = FanOutPayload.at(t);
            assertThat(p).hasSize(FanOutPayload.SIZE);
            assertThat(new ObjectMapper().readTree(p).path("t").asLong()).isEqualTo(t);
            assertThat(FanOutPayload.sentAt(p)).isEqualTo(t);
        }
    }

    @Test
    void aTimeIsReadFromTheDataAsTheRealmDeliversIt() {
        assertThat(FanOutPayload.sentAt("{\"t\":42,\"pad\":\"x\"}")).isEqualTo(42);
        assertThat(FanOutPayload.sentAt("{\"pad\":\"x\"}")).isEqualTo(-1);
        assertThat(FanOutPayload.sentAt("{\"t\":\"soon\"}")).isEqualTo(-1);
        assertThat(FanOutPayload.sentAt("")).isEqualTo(-1);
    }

    @Test
    void aNegativeTimeIsRefused() {
        assertThatThrownBy(() -> FanOutPayload.at(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t must not be negative, got -1");
    }
}
