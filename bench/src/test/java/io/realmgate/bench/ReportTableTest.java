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
