package io.realmgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Keeps the benchmark working: a tiny run, direct and through the proxy, that must deliver and measure something. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FanOutBenchmarkSmokeTest {
    @Test
    void aShortRunDeliversAndMeasures() throws Exception {
        Scenario realmOnly = Scenario.realm();
        try (Scenario s = realmOnly.withProxy(realmOnly.wssPort())) {
            for (boolean viaProxy : new boolean[] {false, true}) {
                FanOutBenchmark.Result r = FanOutBenchmark.run(s, 3, viaProxy, 1);
                assertThat(r.eventsPerSecond()).isPositive();
                assertThat(r.p99Micros()).isGreaterThanOrEqualTo(r.p50Micros()).isPositive();
            }
        }
    }
}
