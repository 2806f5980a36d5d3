package io.realmgate.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JvmMemoryTest {

    private static ResourceRequirements limit(String memory) {
        return new ResourceRequirementsBuilder()
                .addToLimits("memory", new Quantity(memory))
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "512Mi, -Xmx204m -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError",
        "256Mi, -Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError",
        "1Gi,   -Xmx409m -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError",
        "1G,    -Xmx381m -XX:MaxDirectMemorySize=238m -XX:+ExitOnOutOfMemoryError",
        "32Mi,  -Xmx16m -XX:MaxDirectMemorySize=8m -XX:+ExitOnOutOfMemoryError",
    })
    void heapAndDirectMemoryAreSharesOfTheLimit(String limit, String options) {
        JvmMemory memory = JvmMemory.of(limit(limit));
        assertThat(memory.javaToolOptions()).isEqualTo(options);
        assertThat(memory.env().getName()).isEqualTo("JAVA_TOOL_OPTIONS");
        assertThat(memory.env().getValue()).isEqualTo(options);
        assertThat(options)
                .as("Netty's cap follows MaxDirectMemorySize")
                .doesNotContain("io.netty.maxDirectMemory");
    }

    @Test
    void heapAndDirectMemoryLeaveAThirdOfTheLimitToTheRestOfTheJvm() {
        for (String limit :
                new String[] {"128Mi", "256Mi", "512Mi", "768Mi", "1Gi", "3Gi", "10G"}) {
            JvmMemory memory = JvmMemory.of(limit(limit));
            long bytes = memory.limitBytes().orElseThrow();
            assertThat(memory.heapBytes().orElseThrow() + memory.directBytes().orElseThrow())
                    .as(limit)
                    .isLessThanOrEqualTo(bytes * 65 / 100)
                    .isGreaterThan(bytes * 63 / 100);
        }
    }

    @Test
    void withoutALimitTheHeapIsAShareOfWhatTheJvmSees() {
        ResourceRequirements requestOnly =
                new ResourceRequirementsBuilder()
                        .addToRequests("memory", new Quantity("1Gi"))
                        .build();
        for (ResourceRequirements r :
                new ResourceRequirements[] {
                    null, new ResourceRequirements(), requestOnly, limit("0")
                }) {
            JvmMemory memory = JvmMemory.of(r);
            assertThat(memory.limitBytes()).isEmpty();
            assertThat(memory.heapBytes()).isEmpty();
            assertThat(memory.javaToolOptions())
                    .isEqualTo("-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError");
        }
        assertThat(JvmMemory.requestBytes(requestOnly)).hasValue(1024L * 1024 * 1024);
    }

    @Test
    void moreOptionsFollowTheMemoryOptionsInTheOneVariable() {
        JvmMemory memory = JvmMemory.of(limit("256Mi"));
        assertThat(memory.env(java.util.List.of("-XX:TieredStopAtLevel=1")).getValue())
                .isEqualTo(
                        "-Xmx102m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError"
                                + " -XX:TieredStopAtLevel=1");
        assertThat(memory.env(java.util.List.of())).isEqualTo(memory.env());
    }
}
