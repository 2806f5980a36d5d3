package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerFanOutTableTest {
    private static FanOutRun.Result result(double rate, double p99, long missing, int lost) {
        return new FanOutRun.Result(rate, p99 / 2, p99, 1000 - missing, 1000, lost);
    }

    @Test
    void bothSystemsSideBySideWithRatiosAndTheGoal() {
        String table =
                PeerFanOutTable.render(
                        List.of(
                                new PeerFanOutTable.Row(
                                        "memory",
                                        1,
                                        100,
                                        result(20_000, 800, 0, 0),
                                        result(10_000, 1000, 0, 0)),
                                new PeerFanOutTable.Row(
                                        "redis",
                                        3,
                                        1000,
                                        result(5_000, 900, 0, 0),
                                        result(10_000, 1000, 0, 0)),
                                new PeerFanOutTable.Row(
                                        "redis", 3, 1, null, result(10_000, 1000, 5, 2))));

        assertThat(table.lines().toList().get(0))
                .startsWith("| Engine (processes) | Subscribers | realmgate events/s |");
        assertThat(table)
                .contains(
                        "| memory (1) | 100 | 20,000 | 10,000 | 2.00× | 400 / 800 | 500 / 1000 | 0.80× | 0 / 0 | **yes** |");
        assertThat(table)
                .contains(
                        "| redis (3) | 1,000 | 5,000 | 10,000 | 0.50× | 450 / 900 | 500 / 1000 | 0.90× | 0 / 0 | no (events/s) |");
        assertThat(table)
                .contains(
                        "| redis (3) | 1 | failed | 10,000 | – | failed | 500 / 1000 | – | – / 5 (2 connections closed) | no (realm run failed) |");
    }

    @Test
    void theGoalNeedsEveryDeliveryAndBothFigures() {
        FanOutRun.Result theirs = result(10_000, 1000, 0, 0);
        assertThat(PeerFanOutTable.goal(result(10_000, 1000, 0, 0), theirs)).isEqualTo("**yes**");
        assertThat(PeerFanOutTable.goal(result(20_000, 500, 1, 0), theirs))
                .isEqualTo("no (deliveries missing)");
        assertThat(PeerFanOutTable.goal(result(20_000, 500, 0, 1), theirs))
                .isEqualTo("no (deliveries missing)");
        assertThat(PeerFanOutTable.goal(result(20_000, 1500, 0, 0), theirs)).isEqualTo("no (p99)");
        assertThat(PeerFanOutTable.goal(result(5_000, 1500, 0, 0), theirs))
                .isEqualTo("no (events/s, p99)");
        assertThat(PeerFanOutTable.goal(result(5_000, 1500, 0, 0), null))
                .isEqualTo("– (Centrifugo run failed)");
    }

    @Test
    void centrifugoIsConfiguredAsTheRealmRuns() throws Exception {
        var json =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(
                                CentrifugoProcess.config(
                                        4321,
                                        Path.of("/t/tls.crt"),
                                        Path.of("/t/tls.key"),
                                        "redis://127.0.0.1:6380"));
        assertThat(json.at("/http_server/port").asInt()).isEqualTo(4321);
        assertThat(json.at("/http_server/tls/enabled").asBoolean()).isTrue();
        assertThat(json.at("/http_server/tls/cert_pem").asText()).isEqualTo("/t/tls.crt");
        assertThat(json.at("/channel/without_namespace/history_size").asInt()).isEqualTo(1000);
        assertThat(json.at("/channel/without_namespace/allow_publish_for_anonymous").asBoolean())
                .isTrue();
        assertThat(json.at("/client/queue_max_size").asInt()).isEqualTo(8 * 1024 * 1024);
        assertThat(json.at("/engine/type").asText()).isEqualTo("redis");
        assertThat(json.at("/engine/redis/address/0").asText()).isEqualTo("redis://127.0.0.1:6380");
        assertThat(
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .readTree(
                                        CentrifugoProcess.config(
                                                1, Path.of("c"), Path.of("k"), null))
                                .at("/engine")
                                .toString())
                .isEqualTo("{\"type\":\"memory\"}");
    }
}
