package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reads this test JVM's own /proc: real numbers, no mock. */
@Timeout(30)
class ProcessMemoryTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void readsThisProcess() throws Exception {
        ProcessMemory.Reading r = ProcessMemory.ofTree(SELF);
        assertThat(r.rssKiB()).isGreaterThan(1024); // a JVM is never under a mebibyte resident
        assertThat(r.processes()).isGreaterThanOrEqualTo(1);
        assertThat(ProcessMemory.kib(Path.of("/proc/self/status"), "VmRSS:")).isPositive();
    }

    @Test
    void followsChildrenAndGrandchildren() throws Exception {
        // sh forks two sleeps: a tree of three under this JVM.
        Process sh = new ProcessBuilder("sh", "-c", "sleep 30 & sleep 30 & wait").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessMemory.tree(sh.pid()).size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ProcessMemory.tree(sh.pid())).hasSize(3).startsWith(sh.pid());
            assertThat(ProcessMemory.tree(SELF)).contains(sh.pid());

            ProcessMemory.Reading shTree = ProcessMemory.ofTree(sh.pid());
            assertThat(shTree.processes()).isEqualTo(3);
            assertThat(shTree.rssKiB()).isPositive();
            ProcessMemory.Reading all = ProcessMemory.ofTree(SELF);
            assertThat(all.processes()).isGreaterThanOrEqualTo(4);
            long ownRss = ProcessMemory.kib(Path.of("/proc/" + SELF + "/status"), "VmRSS:");
            assertThat(all.rssKiB()).isGreaterThan(ownRss / 2).isGreaterThan(shTree.rssKiB());
        } finally {
            sh.descendants().forEach(ProcessHandle::destroyForcibly);
            sh.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessThatIsGoneHasNoTreeAndNoReading() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(5, TimeUnit.SECONDS);
        assertThat(ProcessMemory.tree(p.pid())).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProcessMemory.ofTree(p.pid()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("gone");
    }
}
