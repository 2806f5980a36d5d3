package io.realmgate.kube.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard: valid JSON, every query names only metrics the realm, the proxy
 * and the operator really expose ({@link ExposedMetrics}, scraped from running servers), and every
 * query is PromQL that Prometheus parses (promtool, on a rule file that records each one).
 */
@Timeout(120)
class GrafanaDashboardTest {
    /** A metric name of ours (or JOSDK's) inside an expression: not a label, not a function. */
    private static final Pattern OUR_METRIC =
            Pattern.compile("\\b((?:realmgate|operator_sdk)_[a-z0-9_]+)\\b(?!\\s*=)");

    @TempDir Path dir;

    static Path dashboard() {
        Path root =
                Path.of(System.getProperty("realmgate.repo.dir", "../.."))
                        .toAbsolutePath()
                        .normalize();
        return root.resolve("helm/realmgate/files/dashboards/realmgate.json");
    }

    /** Grafana's own function of a variable query: its first argument is the PromQL. */
    private static final Pattern LABEL_VALUES =
            Pattern.compile("^label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\)$");

    /**
     * Every PromQL query in the dashboard: the panels' targets and the template variables' (the
     * series selector of a {@code label_values(...)}).
     */
    static List<String> queries() throws Exception {
        JsonNode root = new ObjectMapper().readTree(Files.readString(dashboard()));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : root.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                String query = variable.path("query").path("query").asText();
                Matcher labelValues = LABEL_VALUES.matcher(query);
                queries.add(labelValues.matches() ? labelValues.group(1) : query);
            }
        }
        return queries;
    }

    @Test
    void dashboardIsJsonWithPanelsEachWithAQuery() throws Exception {
        JsonNode root = new ObjectMapper().readTree(Files.readString(dashboard()));
        assertThat(root.path("uid").asText()).isEqualTo("realmgate");
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            titles.add(panel.path("title").asText());
            assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText())
                        .as(panel.path("title").asText())
                        .isNotBlank();
            }
        }
        assertThat(titles)
                .contains(
                        "Tunnels open",
                        "Refusals by reason",
                        "Upstream connect latency",
                        "Realm connections",
                        "Events published and delivered",
                        "Slow-consumer closes",
                        "Reconciliations",
                        "CA expires in",
                        "Certificates expire in");
    }

    @Test
    void everyQueryNamesOnlyMetricsTheProgramsExpose() throws Exception {
        Set<String> exposed = ExposedMetrics.names(dir);
        // The scrape itself is what the check relies on: it must have found all three programs.
        assertThat(exposed)
                .contains(
                        "realmgate_proxy_refusals_total",
                        "realmgate_realm_connections",
                        "realmgate_ca_expiry_timestamp_seconds",
                        "operator_sdk_reconciliations_failed_total");
        Set<String> named = new LinkedHashSet<>();
        for (String query : queries()) {
            Matcher m = OUR_METRIC.matcher(query);
            while (m.find()) {
                named.add(m.group(1));
            }
        }
        assertThat(named).hasSizeGreaterThan(15);
        assertThat(exposed).containsAll(named);
    }

    @Test
    void everyQueryIsPromqlThatPrometheusParses() throws Exception {
        Promtool promtool = Promtool.require();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String query : queries()) {
            // Grafana's variables, as Grafana substitutes them.
            String promql = query.replace("$__rate_interval", "5m").replace("$namespace", ".*");
            rules.append("      - record: dashboard:query_")
                    .append(++n)
                    .append("\n        expr: '")
                    .append(promql.replace("'", "''"))
                    .append("'\n");
        }
        Path file = Files.writeString(dir.resolve("dashboard-queries.yaml"), rules.toString());
        Promtool.Result check = promtool.run(dir, "check", "rules", file.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + n + " rules found");
    }
}
