package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ProxyLimits;
import io.realmgate.operator.status.Conditions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The connection caps sized for the pod's memory: (heap + direct) / 2 / (10 KiB + maxHeaderBytes),
 * at most the proxy's 20000. The expected counts are worked out by hand from JvmMemory's shares
 * (heap 40%, direct 25%, whole MiB), not by the formula under test.
 */
class ProxyCapacityTest {
    private static final Instant T0 = Instant.parse("2026-12-07T20:00:00Z");

    private static ResourceRequirements limit(String memory) {
        return new ResourceRequirementsBuilder()
                .withLimits(Map.of("memory", new Quantity(memory)))
                .build();
    }

    private static ProxyLimits limits(Integer maxConnections, Integer maxHeaderBytes) {
        ProxyLimits l = new ProxyLimits();
        l.maxConnections = maxConnections;
        l.maxHeaderBytes = maxHeaderBytes;
        return l;
    }

    @Test
    void connectionsFollowTheMemoryLimitUpToTheProxysDefault() {
        // 256Mi: heap 102Mi + direct 64Mi = 166Mi; half of it over 26 KiB per connection.
        assertThat(ProxyCapacity.of(limit("256Mi"), null).carried()).hasValue(3268);
        assertThat(ProxyCapacity.of(limit("512Mi"), null).carried()).hasValue(6537);
        assertThat(ProxyCapacity.of(limit("1Gi"), null).carried()).hasValue(13095);
        assertThat(ProxyCapacity.of(limit("2Gi"), null).carried()).hasValue(20000);
        assertThat(ProxyCapacity.of(limit("64Mi"), null).carried()).hasValue(807);
    }

    @Test
    void largerRequestHeadsLeaveRoomForFewerConnections() {
        assertThat(ProxyCapacity.of(limit("256Mi"), limits(null, 1024 * 1024)).carried())
                .hasValue(82);
        assertThat(ProxyCapacity.of(limit("256Mi"), limits(null, 1024)).carried()).hasValue(7726);
    }

    @Test
    void withoutALimitTheRequestIsSizedForAndWithoutEitherTheProxysDefaultHolds() {
        ResourceRequirements request =
                new ResourceRequirementsBuilder()
                        .withRequests(Map.of("memory", new Quantity("512Mi")))
                        .build();
        assertThat(ProxyCapacity.of(request, null).carried()).hasValue(6537);

        ProxyCapacity none = ProxyCapacity.of(new ResourceRequirements(), null);
        assertThat(none.carried()).isEqualTo(OptionalInt.empty());
        assertThat(none.maxConnections()).isEqualTo(20000);
        assertThat(none.maxConnectionsPerClient()).isEqualTo(4096);
        Condition c = condition(none);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo(ProxyCapacity.NO_MEMORY_SIZE);
    }

    @Test
    void perClientCapIsTheProxysDefaultButNeverAboveTheTotal() {
        assertThat(ProxyCapacity.of(limit("256Mi"), null).maxConnectionsPerClient())
                .isEqualTo(3268);
        assertThat(ProxyCapacity.of(limit("2Gi"), null).maxConnectionsPerClient()).isEqualTo(4096);
        assertThat(ProxyCapacity.of(limit("2Gi"), limits(100, null)).maxConnectionsPerClient())
                .isEqualTo(100);
        ProxyLimits perClient = limits(null, null);
        perClient.maxConnectionsPerClient = 50;
        assertThat(ProxyCapacity.of(limit("256Mi"), perClient).maxConnectionsPerClient())
                .isEqualTo(50);
    }

    @Test
    void aValueSetIsRenderedAsWrittenAndOneAboveTheMemoryIsReported() {
        ProxyCapacity within = ProxyCapacity.of(limit("256Mi"), limits(3000, null));
        assertThat(within.maxConnections()).isEqualTo(3000);
        Condition ok = condition(within);
        assertThat(ok.getStatus()).isEqualTo("True");
        assertThat(ok.getReason()).isEqualTo(ProxyCapacity.WITHIN_MEMORY);

        ProxyCapacity above = ProxyCapacity.of(limit("256Mi"), limits(50000, null));
        assertThat(above.maxConnections()).as("never lowered").isEqualTo(50000);
        Condition warned = condition(above);
        assertThat(warned.getStatus()).isEqualTo("False");
        assertThat(warned.getReason()).isEqualTo(ProxyCapacity.ABOVE_MEMORY);
        assertThat(warned.getMessage())
                .startsWith(
                        "spec.limits.maxConnections (50000) is above 3268, what 256Mi of pod memory carries");

        Condition sized = condition(ProxyCapacity.of(limit("256Mi"), null));
        assertThat(sized.getStatus()).isEqualTo("True");
        assertThat(sized.getReason()).isEqualTo(ProxyCapacity.SIZED_FOR_MEMORY);
        assertThat(sized.getMessage()).contains("3268");
    }

    @Test
    void theModelsStatusCarriesTheConditionWithoutTouchingReady() {
        ForwardProxy p = proxy("egress", "apps");
        p.getSpec().limits = limits(50000, null);
        ProxyModel model = new ProxyModel(p, SETTINGS, Map.of(), Optional.empty());
        var status =
                ProxyStatusModel.next(
                        p,
                        new ProxyInputs(model, List.of(), Optional.empty()),
                        Optional.empty(),
                        T0);
        assertThat(Conditions.find(status.conditions, ProxyCapacity.CONDITION).getStatus())
                .isEqualTo("False");
        assertThat(Conditions.find(status.conditions, Conditions.READY).getReason())
                .isEqualTo("DeploymentNotAvailable");
    }

    private static Condition condition(ProxyCapacity capacity) {
        return Conditions.find(capacity.condition(List.of(), 1, T0), ProxyCapacity.CONDITION);
    }
}
