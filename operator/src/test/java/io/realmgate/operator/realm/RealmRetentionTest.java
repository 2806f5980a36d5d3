package io.realmgate.operator.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.realmgate.operator.JvmMemory;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmRetentionSpec;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.realm.config.RealmConfigDocument;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RealmRetentionTest {
    private static final long MIB = 1024L * 1024;
    private static final long HEAP_512MI = JvmMemory.heapFor(512 * MIB);
    private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");

    @Test
    void aDefaultPodOf512MiHoldsFullChannelsAndTheirQueuedTailsInHalfItsHeap() {
        RealmRetention r = RealmRetention.forHeap(HEAP_512MI);

        RealmConfigDocument doc = new RealmConfigDocument();
        r.writeTo(doc);
        assertThat(RealmFixtures.flags(doc))
                .containsExactly(
                        "--retain-events",
                        "1000",
                        "--retain-bytes",
                        "256KiB",
                        "--queue-events",
                        "2000",
                        "--queue-bytes",
                        "512KiB",
                        "--max-message",
                        "64KiB",
                        "--max-channels",
                        // 102 MiB / (2 × (256 KiB + 512 KiB) + 1000 × 64 B)
                        "65",
                        "--max-subscriptions",
                        "1000");
        assertThat(r.channelBytesAtMost()).isLessThanOrEqualTo(HEAP_512MI / 2);
        assertThat(r.fitsMemory()).isTrue();
        // The realm's own defaults, 10,000 channels of 1 MiB, would need almost 20 times the whole
        // pod.
        assertThat(10_000L * MIB).isGreaterThan(19 * 512 * MIB);
    }

    @Test
    void channelsWithTheirQueuedTailsFitInHalfTheHeapForEveryHeap() {
        for (long memory = 64 * MIB; memory <= 256L * 1024 * MIB; memory *= 2) {
            long heap = JvmMemory.heapFor(memory);
            RealmRetention r = RealmRetention.forHeap(heap);
            String what = memory / MIB + " MiB";
            assertThat(r.channelBytesAtMost()).as(what).isLessThanOrEqualTo(heap / 2);
            assertThat(r.retainedBytesAtMost()).as(what).isLessThan(r.channelBytesAtMost());
            assertThat(r.maxChannels()).as(what).isBetween(1, 10_000);
            assertThat(r.retainBytes()).as(what).isBetween(256 * 1024L, MIB);
            // What the realm itself requires (RealmConfig.Builder.build).
            assertThat(r.retainBytes()).as(what).isGreaterThanOrEqualTo(2 * r.maxMessage());
            assertThat(r.queueEvents()).as(what).isGreaterThan(r.retainEvents());
            assertThat(r.queueBytes()).as(what).isGreaterThan(r.retainBytes());
        }
    }

    @Test
    void largeHeapsGetTheRealmsDefaultChannelCountThenLongerRetention() {
        assertThat(RealmRetention.forHeap(JvmMemory.heapFor(8L * 1024 * MIB)).maxChannels())
                .isEqualTo(1049);
        RealmRetention big = RealmRetention.forHeap(JvmMemory.heapFor(128L * 1024 * MIB));
        assertThat(big.maxChannels()).isEqualTo(10_000);
        assertThat(big.retainBytes()).isEqualTo(256 * 1024);
        RealmRetention huge = RealmRetention.forHeap(JvmMemory.heapFor(512L * 1024 * MIB));
        assertThat(huge.maxChannels()).isEqualTo(10_000);
        assertThat(huge.retainBytes()).isEqualTo(MIB);
        assertThat(huge.queueBytes()).isEqualTo(2 * MIB);
    }

    @Test
    void valuesSetInTheSpecAreRenderedAsWrittenAndTheSizedOnesFollowThem() {
        RealmSpec spec = new RealmSpec();
        spec.retention = new RealmRetentionSpec();
        spec.retention.events = 300;
        spec.retention.age = "10m";
        spec.limits = new RealmLimits();
        spec.limits.maxMessage = "16KiB";
        spec.limits.queueBytes = "96KiB";

        RealmRetention r = RealmRetention.forHeap(HEAP_512MI, spec);
        RealmConfigDocument doc = new RealmConfigDocument();
        r.writeTo(doc);
        assertThat(RealmFixtures.flags(doc))
                .containsExactly(
                        "--retain-events",
                        "300",
                        // Sized 256KiB, lowered to half the queue the user chose.
                        "--retain-bytes",
                        "48KiB",
                        "--retain-age",
                        "10m",
                        "--queue-events",
                        "600",
                        "--queue-bytes",
                        "96KiB",
                        "--max-message",
                        "16KiB",
                        "--max-channels",
                        // 102 MiB / (2 × (48 KiB + 96 KiB) + 300 × 64 B)
                        Long.toString(HEAP_512MI / 2 / (2 * (48 * 1024 + 96 * 1024) + 300 * 64)),
                        "--max-subscriptions",
                        "1000");
        assertThat(r.chosen())
                .containsExactly(
                        "spec.limits.maxMessage",
                        "spec.retention.events",
                        "spec.limits.queueBytes");

        RealmSpec big = new RealmSpec();
        big.limits = new RealmLimits();
        big.limits.maxMessage = "1MiB";
        RealmRetention bigMessages = RealmRetention.forHeap(HEAP_512MI, big);
        assertThat(bigMessages.retainBytes()).as("the newest event always fits").isEqualTo(2 * MIB);
        assertThat(bigMessages.queueBytes()).isEqualTo(4 * MIB);
        assertThat(bigMessages.fitsMemory()).isTrue();
    }

    @Test
    void theConditionIsFalseNamingTheFieldsWhenWhatTheUserSetExceedsTheMemory() {
        Condition sized =
                condition(
                        RealmRetention.forHeap(HEAP_512MI, new RealmSpec())
                                .condition(List.of(), 3, NOW));
        assertThat(sized.getStatus()).isEqualTo("True");
        assertThat(sized.getReason()).isEqualTo(RealmRetention.SIZED_FOR_MEMORY);

        RealmSpec within = new RealmSpec();
        within.retention = new RealmRetentionSpec();
        within.retention.events = 500;
        Condition fits =
                condition(RealmRetention.forHeap(HEAP_512MI, within).condition(List.of(), 3, NOW));
        assertThat(fits.getStatus()).isEqualTo("True");
        assertThat(fits.getReason()).isEqualTo(RealmRetention.WITHIN_MEMORY);
        assertThat(fits.getMessage()).startsWith("spec.retention.events fit: ");

        RealmSpec tooMany = new RealmSpec();
        tooMany.limits = new RealmLimits();
        tooMany.limits.maxChannels = 10_000;
        RealmRetention r = RealmRetention.forHeap(HEAP_512MI, tooMany);
        assertThat(r.maxChannels()).as("rendered as written").isEqualTo(10_000);
        Condition above = condition(r.condition(List.of(), 3, NOW));
        assertThat(above.getStatus()).isEqualTo("False");
        assertThat(above.getReason()).isEqualTo(RealmRetention.ABOVE_MEMORY);
        assertThat(above.getMessage())
                .startsWith(
                        "spec.limits.maxChannels as set need more than the pod's memory carries")
                .contains(
                        "10000 channels × (2 × (256KiB retained + 512KiB queued) + 1000 events × 64 B)"
                                + " = 15610 MiB")
                .contains("of half the heap, 102 MiB");

        RealmSpec huge = new RealmSpec();
        huge.limits = new RealmLimits();
        huge.limits.maxMessage = "64MiB";
        RealmRetention hugeMessages = RealmRetention.forHeap(HEAP_512MI, huge);
        assertThat(hugeMessages.maxChannels()).isEqualTo(1);
        assertThat(condition(hugeMessages.condition(List.of(), 3, NOW)).getMessage())
                .startsWith("spec.limits.maxMessage as set need more");
    }

    @Test
    void theLargestSizesTheSchemaAdmitsDoNotOverflowTheSum() {
        RealmSpec spec = new RealmSpec();
        spec.retention = new RealmRetentionSpec();
        spec.retention.bytes = "999999999GiB";
        spec.limits = new RealmLimits();
        spec.limits.maxMessage = "1GiB";
        spec.limits.queueBytes = "999999999GiB";
        spec.limits.maxChannels = 1_000_000;
        RealmRetention r = RealmRetention.forHeap(HEAP_512MI, spec);
        assertThat(r.channelBytesAtMost()).isEqualTo(Long.MAX_VALUE);
        assertThat(r.fitsMemory()).isFalse();
        assertThat(condition(r.condition(List.of(), 3, NOW)).getReason())
                .isEqualTo(RealmRetention.ABOVE_MEMORY);
    }

    @Test
    void aSizeTheSchemaShouldHaveRefusedIsAnErrorNamingTheField() {
        RealmSpec spec = new RealmSpec();
        spec.retention = new RealmRetentionSpec();
        spec.retention.bytes = "lots";
        assertThatThrownBy(() -> RealmRetention.forHeap(HEAP_512MI, spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.retention.bytes: 'lots' is not a size");
    }

    @Test
    void sizesAreWrittenAsTheRealmReadsThem() {
        assertThat(RealmRetention.size(MIB)).isEqualTo("1MiB");
        assertThat(RealmRetention.size(256 * 1024)).isEqualTo("256KiB");
        assertThat(RealmRetention.size(1000)).isEqualTo("1000");
    }

    private static Condition condition(List<Condition> conditions) {
        return Conditions.find(conditions, RealmRetention.CONDITION);
    }
}
