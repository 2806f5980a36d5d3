package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FanOutRunTest {
    @Test
    void theLatencyPaceAsksForAtMostTwentyThousandDeliveriesASecond() {
        assertThat(FanOutRun.pace(1)).isEqualTo(200);
        assertThat(FanOutRun.pace(100)).isEqualTo(200);
        assertThat(FanOutRun.pace(1000)).isEqualTo(20);
        assertThat(FanOutRun.pace(50_000)).isEqualTo(1);
    }
}
