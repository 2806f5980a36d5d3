package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    /**
     * Fields 3..22 after the command: state, ppid, ..., utime 14, stime 15, cutime 16, cstime 17,
     * ..., starttime 22.
     */
    private static String line(String command) {
        return "4242 ("
                + command
                + ") S 1 4242 4242 0 -1 4194560 1000 0 0 0 120 30 7 3 20 0 25 0 987654 5000000 1200"
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    }

    @Test
    void readsCpuAndStartFromTheFieldsAfterTheCommand() throws Exception {
        ProcStat.Stat s = ProcStat.parse(line("java"));
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.command()).isEqualTo("java");
        // utime 120 + stime 30 + cutime 7 + cstime 3
        assertThat(s.cpuTicks()).isEqualTo(160);
        assertThat(s.startTicks()).isEqualTo(987654);
    }

    @Test
    void aCommandWithSpacesAndParenthesesDoesNotShiftTheFields() throws Exception {
        ProcStat.Stat s = ProcStat.parse(line("my (odd) ) proxy"));
        assertThat(s.command()).isEqualTo("my (odd) ) proxy");
        assertThat(s.cpuTicks()).isEqualTo(160);
        assertThat(s.startTicks()).isEqualTo(987654);
    }

    @Test
    void aBrokenLineIsRefusedWithWhatWasRead() {
        assertThatThrownBy(() -> ProcStat.parse("no parentheses here"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a /proc/PID/stat line: 'no parentheses here'");
        assertThatThrownBy(() -> ProcStat.parse("7 (short) S 1 2 3"))
                .hasMessageContaining("6 fields, 22 or more expected");
        assertThatThrownBy(() -> ProcStat.parse(line("x").replace(" 120 ", " lots ")))
                .hasMessageContaining("non-numeric field");
        assertThatThrownBy(() -> ProcStat.parseUptime("soon"))
                .hasMessageContaining("not a /proc/uptime line: 'soon'");
    }

    @Test
    void cpuPerUnitOfWork() throws Exception {
        // 30 ticks of 10 ms over 1000 tunnels: 300 µs a tunnel.
        assertThat(ProcStat.perUnit(100, 130, 100, 1000, 1e6)).isCloseTo(300, within(1e-9));
        // 30 ticks over half a GiB: 600 ms per GiB.
        assertThat(ProcStat.perUnit(0, 30, 100, 0.5, 1e3)).isCloseTo(600, within(1e-9));
        assertThat(ProcStat.perUnit(5, 5, 100, 10, 1e6)).isZero();
        assertThat(ProcStat.millis(42, 100)).isEqualTo(420);
        assertThatThrownBy(() -> ProcStat.perUnit(0, 1, 100, 0, 1e6))
                .hasMessageContaining("no work");
        assertThatThrownBy(() -> ProcStat.perUnit(10, 9, 100, 1, 1e6))
                .hasMessageContaining("went backwards: 10 → 9");
        assertThat(ProcStat.parseUptime("12345.67 2345.01\n")).isEqualTo(12345.67);
    }

    @Test
    void thisProcessIsReadFromProcAndItsCpuGrowsWhileItWorks() throws Exception {
        long pid = ProcessHandle.current().pid();
        long hz = ProcStat.ticksPerSecond();
        assertThat(hz).isPositive();
        ProcStat.Stat before = ProcStat.of(pid);
        assertThat(before.pid()).isEqualTo(pid);
        assertThat(before.startTicks() / (double) hz).isLessThanOrEqualTo(ProcStat.uptimeSeconds());
        // Spin until the kernel has counted at least two more ticks (20 ms), bounded at 20 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long x = 0;
        while (ProcStat.cpuTicksOfTree(pid) < before.cpuTicks() + 2
                && System.nanoTime() < deadline) {
            for (int i = 0; i < 1_000_000; i++) {
                x += i ^ (x >>> 3);
            }
        }
        assertThat(ProcStat.cpuTicksOfTree(pid))
                .as("spun %d", x)
                .isGreaterThanOrEqualTo(before.cpuTicks() + 2);
    }

    @Test
    void aTreeIsSummedOverTheChildrenAndAGoneProcessIsAnError() throws Exception {
        // A shell with two children of its own: three processes, each readable.
        Process p = new ProcessBuilder("sh", "-c", "sleep 30 & sleep 30 & wait").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessMemory.tree(p.pid()).size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(ProcessMemory.tree(p.pid())).hasSize(3);
            assertThat(ProcStat.cpuTicksOfTree(p.pid())).isNotNegative();
            assertThat(ProcStat.of(p.pid()).command()).isEqualTo("sh");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> ProcStat.cpuTicksOfTree(p.pid()))
                .hasMessageContaining("process " + p.pid() + " is gone");
    }
}
