package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTableTest {
    @Test
    void ratiosToDirectAndToEveryPeerThatTookPart() throws Exception {
        Results r = new Results();
        List<String> subjects = List.of("direct", "realmgate", "squid");
        subjects.forEach(r::addSubject);
        r.add("direct", Figure.WS_P99, 100);
        r.add("realmgate", Figure.WS_P99, 150);
        r.add("realmgate", Figure.WS_P99, 130);
        r.add("realmgate", Figure.WS_P99, 170);
        r.add("squid", Figure.WS_P99, 300);
        r.add("realmgate", Figure.IDLE_RSS_KIB, 8);
        r.add("squid", Figure.IDLE_RSS_KIB, 32);
        r.fail("squid", Figure.THROUGHPUT_UP);

        String table = ReportTable.render(r, subjects, BenchOptions.parse("--repeat", "3"));

        assertThat(table)
                .startsWith("| Figure | Subject | Median (min–max) | vs direct | vs squid |\n");
        assertThat(table).doesNotContain("vs apache").doesNotContain("vs tinyproxy");
        assertThat(table).contains("| realmgate | 150 (130–170) | 1.50× (+50 µs) | 0.50× |");
        assertThat(table).contains("| squid | 32.0 (32.0–32.0) | – | 1.00× |");
        assertThat(table).contains("| realmgate | 8.0 (8.0–8.0) | – | 0.25× |");
        assertThat(table).contains("| squid | failed | – | – |");
        // Direct has no proxy memory: no row rather than a row of dashes.
        assertThat(table.lines().filter(l -> l.contains("idle tunnel") && l.contains("| direct |")))
                .isEmpty();
    }

    @Test
    void cpuAndColdRowsAreRatiosToThePeersAndDirectHasNone() throws Exception {
        Results r = new Results();
        List<String> subjects = List.of("direct", "realmgate", "apache", "ceiling");
        subjects.forEach(r::addSubject);
        // Direct measures speed but has no proxy: no CPU, no cold start.
        r.add("direct", Figure.SETUP_RATE, 9000);
        r.add("realmgate", Figure.CPU_SETUP_PER_TUNNEL, 290);
        r.add("realmgate", Figure.CPU_SETUP_PER_TUNNEL, 340);
        r.add("realmgate", Figure.CPU_SETUP_PER_TUNNEL, 310);
        r.add("apache", Figure.CPU_SETUP_PER_TUNNEL, 310);
        r.add("ceiling", Figure.CPU_SETUP_PER_TUNNEL, 155);
        r.add("realmgate", Figure.CPU_UP_PER_GIB, 500);
        r.add("ceiling", Figure.CPU_UP_PER_GIB, 250);
        r.add("realmgate", Figure.COLD_FIRST_TUNNEL_MS, 600);
        r.add("apache", Figure.COLD_FIRST_TUNNEL_MS, 60);
        r.add("realmgate", Figure.COLD_RATE, 566);
        r.add("apache", Figure.COLD_RATE, 1780);
        r.fail("ceiling", Figure.COLD_RATE);

        String table =
                ReportTable.render(
                        r,
                        subjects,
                        BenchOptions.parse("--repeat", "3", "--only", "cold,setup,throughput"));

        assertThat(table)
                .contains(
                        "| Proxy CPU per tunnel set up, sequential (µs CPU/tunnel, lower is better)"
                                + " | realmgate | 310 (290–340) | – | 1.00× | 2.00× |");
        assertThat(table)
                .contains(
                        "| Proxy CPU per GiB relayed, throughput up (ms CPU/GiB, lower is better)"
                                + " | realmgate | 500 (500–500) | – | – | 2.00× |");
        assertThat(table)
                .contains(
                        "| Cold: process start to first tunnel served (ms, lower is better)"
                                + " | realmgate | 600 (600–600) | – | 10.00× | – |");
        assertThat(table)
                .contains(
                        "| Cold: set-up rate, first 1000 tunnels after start, sequential"
                                + " (tunnels/s, higher is better) | realmgate | 566 (566–566) | – |"
                                + " 0.32× | – |");
        assertThat(table).contains("| ceiling | failed | – | – | – |");
        assertThat(
                        table.lines()
                                .filter(l -> l.contains("| direct |"))
                                .filter(l -> l.contains("CPU") || l.contains("Cold")))
                .isEmpty();
        assertThat(Figure.CPU_SETUP_PER_TUNNEL.ofProxyProcess()).isTrue();
        assertThat(Figure.COLD_P50.ofProxyProcess()).isTrue();
        assertThat(Figure.IDLE_PSS_KIB.ofProxyProcess()).isTrue();
        assertThat(Figure.SETUP_RATE.ofProxyProcess()).isFalse();
        // Groups not asked for are not in the table.
        assertThat(table).doesNotContain("idle tunnel").doesNotContain("WebSocket");
    }

    @Test
    void parsesTheTargetsLineAndCpuLists() {
        assertThat(TargetsProcess.parse("targets sink=1 source=2 echo=3 ws=4"))
                .containsEntry("sink", 1)
                .containsEntry("source", 2)
                .containsEntry("echo", 3)
                .containsEntry("ws", 4);
        assertThat(CpuPinning.parseCpuList("0-1,4,6-7")).containsExactly(0, 1, 4, 6, 7);
        assertThat(CpuPinning.parseCpuList("")).isEmpty();
    }
}
