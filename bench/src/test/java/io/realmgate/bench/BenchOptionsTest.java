package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    @Test
    void defaultsAreTheFullSuite() throws Exception {
        BenchOptions o = BenchOptions.parse();
        assertThat(o.bytes()).isEqualTo(BenchOptions.GIB);
        assertThat(o.tunnels()).isEqualTo(2000);
        assertThat(o.repeat()).isEqualTo(3);
        assertThat(o.idleTunnels()).isEqualTo(10_000);
        assertThat(o.parallel()).isEqualTo(8);
        assertThat(o.concurrency()).isEqualTo(64);
        assertThat(o.wsMessages()).isEqualTo(20_000);
        assertThat(o.coldTunnels()).isEqualTo(1000);
        assertThat(o.measures("cold")).isTrue();
        assertThat(o.peers())
                .containsExactly("realmgate", "apache", "squid", "tinyproxy", "ceiling");
        assertThat(o.pin()).isTrue();
        assertThat(o.outDir()).isNull();
        assertThat(o.fanOut()).isTrue();
        assertThat(BenchOptions.ALL_FIGURES).allMatch(o::measures);
    }

    @Test
    void quickShrinksEverythingButExplicitFlagsWin() throws Exception {
        BenchOptions q = BenchOptions.parse("--quick");
        assertThat(q.bytes()).isEqualTo(64 * BenchOptions.MIB);
        assertThat(q.tunnels()).isEqualTo(300);
        assertThat(q.repeat()).isEqualTo(1);
        assertThat(q.idleTunnels()).isEqualTo(1000);
        assertThat(q.wsMessages()).isEqualTo(2000);
        assertThat(q.fanOutSeconds()).isEqualTo(1);
        assertThat(q.coldTunnels()).isEqualTo(300);

        BenchOptions o =
                BenchOptions.parse(
                        "--quick",
                        "--idle-tunnels",
                        "500",
                        "--ws-messages=100",
                        "--repeat",
                        "2",
                        "--cold-tunnels",
                        "2000");
        assertThat(o.coldTunnels()).isEqualTo(2000);
        assertThat(o.idleTunnels()).isEqualTo(500);
        assertThat(o.wsMessages()).isEqualTo(100);
        assertThat(o.repeat()).isEqualTo(2);
    }

    @Test
    void newFlags() throws Exception {
        BenchOptions o =
                BenchOptions.parse(
                        "--parallel",
                        "4",
                        "--concurrency=16",
                        "--peers",
                        "squid,realmgate",
                        "--no-pin",
                        "--out-dir",
                        "docs/benchmarks",
                        "--only",
                        "memory,ws",
                        "--bytes",
                        "256m");
        assertThat(o.parallel()).isEqualTo(4);
        assertThat(o.concurrency()).isEqualTo(16);
        assertThat(o.peers()).containsExactly("squid", "realmgate");
        assertThat(o.pin()).isFalse();
        assertThat(o.outDir()).isEqualTo(Path.of("docs/benchmarks"));
        assertThat(o.measures("memory")).isTrue();
        assertThat(o.measures("ws")).isTrue();
        assertThat(o.measures("throughput")).isFalse();
        assertThat(o.fanOut()).isFalse();
        assertThat(o.bytes()).isEqualTo(256 * BenchOptions.MIB);
    }

    @Test
    void noFanoutTakesFanoutOutOfTheFigures() throws Exception {
        BenchOptions o = BenchOptions.parse("--no-fanout");
        assertThat(o.fanOut()).isFalse();
        assertThat(o.measures("fanout")).isFalse();
        assertThat(o.measures("fanout-peers")).isFalse();
        assertThat(o.measures("memory")).isTrue();
    }

    @Test
    void theFanOutAgainstCentrifugoIsAFigureGroupOfItsOwn() throws Exception {
        BenchOptions o = BenchOptions.parse("--quick", "--only", "fanout-peers");
        assertThat(o.measures("fanout-peers")).isTrue();
        assertThat(o.fanOut()).isFalse();
        assertThat(o.measures("ws")).isFalse();
        assertThat(o.fanOutSeconds()).isEqualTo(1);
        assertThat(BenchOptions.parse().measures("fanout-peers")).isTrue();
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> BenchOptions.parse("--idle-tunnels", "lots"))
                .isInstanceOf(BenchOptions.UsageException.class)
                .hasMessageStartingWith("--idle-tunnels:");
        assertThatThrownBy(() -> BenchOptions.parse("--concurrency=0"))
                .hasMessageStartingWith("--concurrency:");
        assertThatThrownBy(() -> BenchOptions.parse("--parallel", "-3"))
                .hasMessageStartingWith("--parallel:");
        assertThatThrownBy(() -> BenchOptions.parse("--ws-messages"))
                .hasMessage("--ws-messages needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--peers", "apache,nginx"))
                .hasMessageStartingWith("--peers: unknown 'nginx'");
        assertThatThrownBy(() -> BenchOptions.parse("--cold-tunnels", "0"))
                .hasMessage("--cold-tunnels: expected a whole number >= 1, got '0'");
        assertThatThrownBy(() -> BenchOptions.parse("--only", ","))
                .hasMessageStartingWith("--only: empty list");
        assertThatThrownBy(() -> BenchOptions.parse("--no-pin=yes"))
                .hasMessage("--no-pin takes no value");
        assertThatThrownBy(() -> BenchOptions.parse("--bytes", "1x"))
                .hasMessageStartingWith("--bytes:");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate"))
                .hasMessageContaining("'--frobnicate'");
    }

    @Test
    void fewerIdleTunnelsKeepsEverythingElse() throws Exception {
        BenchOptions o = BenchOptions.parse("--quick", "--peers", "apache");
        BenchOptions capped = o.withIdleTunnels(42);
        assertThat(capped.idleTunnels()).isEqualTo(42);
        assertThat(capped)
                .isEqualTo(
                        new BenchOptions(
                                o.bytes(),
                                o.tunnels(),
                                o.repeat(),
                                o.proxyJar(),
                                o.out(),
                                o.quick(),
                                o.help(),
                                o.realmJar(),
                                o.fanOutSeconds(),
                                o.fanOut(),
                                42,
                                o.parallel(),
                                o.concurrency(),
                                o.wsMessages(),
                                List.of("apache"),
                                o.pin(),
                                o.outDir(),
                                o.only(),
                                o.coldTunnels()));
    }
}
