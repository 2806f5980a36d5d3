package io.realmgate.operator.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.operator.JvmMemory;
import io.realmgate.realm.config.RealmConfigDocument;
import org.junit.jupiter.api.Test;

class RealmRetentionTest {
    private static final long MIB = 1024L * 1024;

    @Test
    void aDefaultPodOf512MiHoldsWhatFitsInHalfItsHeap() {
        RealmRetention r = RealmRetention.forHeap(JvmMemory.heapFor(512 * MIB));

        RealmConfigDocument doc = new RealmConfigDocument();
        r.writeTo(doc);
        assertThat(RealmFixtures.flags(doc))
                .containsExactly(
                        "--retain-events",
                        "1000",
                        "--retain-bytes",
                        "256KiB",
                        "--queue-events",
                        "4000",
                        "--queue-bytes",
                        "1MiB",
                        "--max-message",
                        "64KiB",
                        "--max-channels",
                        "327",
                        "--max-subscriptions",
                        "1000");
        // The realm's own defaults, 10,000 channels of 1 MiB, would need almost 20 times the whole
        // pod.
        assertThat(10_000L * MIB).isGreaterThan(19 * 512 * MIB);
    }

    @Test
    void retentionFitsInHalfTheHeapAndQueuesInAQuarterForEveryHeap() {
        for (long memory = 64 * MIB; memory <= 256L * 1024 * MIB; memory *= 2) {
            long heap = JvmMemory.heapFor(memory);
            RealmRetention r = RealmRetention.forHeap(heap);
            String what = memory / MIB + " MiB";
            assertThat(r.retainedBytesAtMost()).as(what).isLessThanOrEqualTo(heap / 2);
            assertThat(r.maxChannels()).as(what).isBetween(1, 10_000);
            assertThat(r.retainBytes()).as(what).isBetween(256 * 1024L, MIB);
            // What the realm itself requires (RealmConfig.Builder.build).
            assertThat(r.retainBytes()).as(what).isGreaterThanOrEqualTo(2 * r.maxMessage());
            assertThat(r.queueEvents()).as(what).isGreaterThan(r.retainEvents());
            assertThat(r.queueBytes()).as(what).isGreaterThan(r.retainBytes());
            // A quarter of the heap holds a dozen queues full of frames retention no longer shares.
            assertThat(heap / 4 / r.queueBytes())
                    .as(what)
                    .isGreaterThanOrEqualTo(heap >= 100 * MIB ? 12 : 3);
        }
    }

    @Test
    void largeHeapsGetTheRealmsDefaultChannelCountThenLongerRetention() {
        assertThat(RealmRetention.forHeap(JvmMemory.heapFor(8L * 1024 * MIB)).maxChannels())
                .isEqualTo(5266);
        RealmRetention big = RealmRetention.forHeap(JvmMemory.heapFor(64L * 1024 * MIB));
        assertThat(big.maxChannels()).isEqualTo(10_000);
        assertThat(big.retainBytes()).isEqualTo(1024 * 1024);
        assertThat(big.queueBytes()).isEqualTo(4 * 1024 * 1024);
    }

    @Test
    void sizesAreWrittenAsTheRealmReadsThem() {
        assertThat(RealmRetention.size(MIB)).isEqualTo("1MiB");
        assertThat(RealmRetention.size(256 * 1024)).isEqualTo("256KiB");
        assertThat(RealmRetention.size(1000)).isEqualTo("1000");
    }
}
