package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmEngine;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmRedis;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.WarningEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The realm's connection cap sized for the pod's memory: min(heap / 2 / (16 KiB + unsent output),
 * direct / 2 / maxMessage), at most 10000. The expected counts are worked out by hand from
 * JvmMemory's shares (heap 40%, direct 25%, whole MiB) and the retention sized for the same heap
 * (256 KiB retained, 512 KiB queues, 64 KiB messages), not by the formula under test.
 */
class RealmCapacityTest {
    private static final Instant T0 = Instant.parse("2026-12-08T00:00:00Z");

    private static Realm withMemory(String limit) {
        Realm realm = prices();
        realm.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .withLimits(Map.of("memory", new Quantity(limit)))
                        .build();
        return realm;
    }

    private static RealmCapacity capacity(Realm realm) {
        return model(realm, "1").capacity();
    }

    private static Condition condition(Realm realm) {
        return Conditions.find(
                capacity(realm).condition(List.of(), 3, T0), RealmCapacity.CONDITION);
    }

    @Test
    void theCapFollowsTheMemoryLimit() {
        // 256Mi: heap 102 MiB, half of it over 272 KiB (16 KiB state + 256 KiB unsent) = 192;
        // direct 64 MiB, half of it over 64 KiB messages = 512.
        assertThat(capacity(withMemory("256Mi")).maxConnections()).isEqualTo(192);
        // 512Mi (also the default pod): heap 204 MiB → 384; direct 128 MiB → 1024.
        assertThat(capacity(withMemory("512Mi")).maxConnections()).isEqualTo(384);
        assertThat(capacity(prices()).maxConnections()).isEqualTo(384);
        // 1Gi: heap 409 MiB → 204.5 MiB / 272 KiB = 769.9; direct 256 MiB → 2048.
        assertThat(capacity(withMemory("1Gi")).maxConnections()).isEqualTo(769);
        assertThat(capacity(withMemory("2Gi")).maxConnections()).isEqualTo(1541);
        // 16Gi: 6553 MiB of heap would carry 12335; the realm's own 10000 is the most.
        assertThat(capacity(withMemory("16Gi")).maxConnections()).isEqualTo(10_000);
    }

    @Test
    void everyConnectionAtItsWorstFitsBesideAFullRealm() {
        for (String memory : List.of("64Mi", "256Mi", "512Mi", "1Gi", "4Gi")) {
            RealmCapacity c = capacity(withMemory(memory));
            RealmRetention r = c.retention();
            long heapWorst = c.maxConnections() * c.heapPerConnection() + r.channelBytesAtMost();
            assertThat(heapWorst).as(memory + ": heap").isLessThanOrEqualTo(c.heapBytes());
            assertThat(c.maxConnections() * r.maxMessage())
                    .as(memory + ": direct")
                    .isLessThanOrEqualTo(c.directBytes() / 2);
            // The measured wss connection (13.2 KiB, realm-image ConnectionCostTest) fits in what
            // is counted for its state.
            assertThat(RealmCapacity.CONNECTION_STATE_BYTES).isGreaterThan(13_522);
        }
    }

    @Test
    void smallerQueuesLeaveRoomForMoreConnectionsAndLargerMessagesForFewer() {
        Realm small = withMemory("512Mi");
        small.getSpec().limits = new RealmLimits();
        small.getSpec().limits.maxMessage = "16KiB";
        small.getSpec().limits.queueBytes = "128KiB";
        // 16 KiB + 128 KiB unsent at most (the queue is below the high-water mark): 102 MiB / 144
        // KiB.
        assertThat(capacity(small).maxConnections()).isEqualTo(725);

        Realm large = withMemory("512Mi");
        large.getSpec().limits = new RealmLimits();
        large.getSpec().limits.maxMessage = "1MiB";
        // Direct memory binds: 64 MiB over 1 MiB messages.
        assertThat(capacity(large).maxConnections()).isEqualTo(64);
    }

    @Test
    void aRedisRealmCountsAReplayReadForEachSubscriber() {
        Realm realm = withMemory("512Mi");
        realm.getSpec().engine = new RealmEngine();
        realm.getSpec().engine.type = RealmEngine.Type.REDIS;
        realm.getSpec().engine.redis = new RealmRedis();
        realm.getSpec().engine.redis.url = "redis://redis.apps.svc:6379";
        // 256 KiB unsent + a 256 KiB replay = the whole 512 KiB queue: 102 MiB / 528 KiB.
        assertThat(capacity(realm).unsentBytes()).isEqualTo(512 * 1024);
        assertThat(capacity(realm).maxConnections()).isEqualTo(197);
    }

    @Test
    void withoutALimitTheRequestIsSizedFor() {
        Realm realm = prices();
        realm.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .withRequests(Map.of("memory", new Quantity("1Gi")))
                        .build();
        assertThat(capacity(realm).maxConnections()).isEqualTo(769);
        realm.getSpec().resources = new ResourceRequirementsBuilder().build();
        assertThat(capacity(realm).maxConnections())
                .as("neither: the operator's default 512Mi, as retention")
                .isEqualTo(384);
    }

    @Test
    void aSizedCapIsReportedTrueWithItsSums() {
        Condition c = condition(withMemory("512Mi"));
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("SizedForMemory");
        assertThat(c.getObservedGeneration()).isEqualTo(3);
        assertThat(c.getMessage())
                .isEqualTo(
                        "limits.maxConnections is 384, what 512Mi of pod memory carries (384) with"
                                + " 272KiB of heap per connection (16KiB of state and 256KiB of"
                                + " unsent output) and 64KiB messages");
    }

    @Test
    void anExplicitCapIsKeptAndWithinMemoryIsTrue() {
        Realm realm = withMemory("512Mi");
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.maxConnections = 300;
        assertThat(capacity(realm).maxConnections()).isEqualTo(300);
        Condition c = condition(realm);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("WithinMemory");
        assertThat(c.getMessage()).startsWith("spec.limits.maxConnections (300) is within what");
    }

    @Test
    void anExplicitCapAboveWhatFitsIsRenderedAsWrittenAndFlaggedOnce() {
        Realm realm = withMemory("512Mi");
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.maxConnections = 10_000;
        RealmModel model = model(realm, "1");
        assertThat(model.capacity().maxConnections()).as("never lowered").isEqualTo(10_000);
        assertThat(RealmFixtures.flags(model)).containsSequence("--max-connections", "10000");

        Condition c = condition(realm);
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("AboveMemoryCapacity");
        assertThat(c.getMessage())
                .startsWith(
                        "spec.limits.maxConnections (10000) is above what 512Mi of pod memory"
                                + " carries (384)")
                .contains("raise spec.resources.limits.memory or remove the field");

        List<Condition> sized = capacity(withMemory("512Mi")).condition(List.of(), 3, T0);
        List<Condition> above = model.capacity().condition(sized, 3, T0);
        assertThat(WarningEvents.newFailures(sized, above))
                .as("one Warning Event when it turns False")
                .containsOnlyKeys("AboveMemoryCapacity");
        assertThat(WarningEvents.newFailures(above, model.capacity().condition(above, 3, T0)))
                .as("none while it stays False")
                .isEmpty();
    }
}
