package io.genbench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The committed dashboard is the generated one, and every series it queries is one genbench exports. Regenerate the
 * committed copy with {@code -Dgenbench.dashboard.write=true} on this test.
 */
final class GrafanaDashboardTest {

  @Test
  void theCommittedDashboardIsTheGeneratedOne() throws Exception {
    Path committed = Path.of(GrafanaDashboard.COMMITTED);
    if (Boolean.getBoolean("genbench.dashboard.write")) GrafanaDashboard.main(new String[] {committed.toString()});

    assertThat(Files.readString(committed, StandardCharsets.UTF_8))
        .as(committed + " differs from what io.genbench.metrics.GrafanaDashboard generates: regenerate it with"
            + " ./mvnw -q test -Dtest=GrafanaDashboardTest -Dgenbench.dashboard.write=true")
        .isEqualTo(GrafanaDashboard.json());
  }

  @Test
  void everySeriesTheDashboardQueriesIsInTheMetricList() throws Exception {
    Set<String> exported = Arrays.stream(Metric.values()).flatMap(m -> m.series().stream()).collect(Collectors.toSet());

    List<String> queried = expressions(Json.MAPPER.readTree(GrafanaDashboard.json())).stream()
        .flatMap(e -> PromQlNames.of(e).stream()).toList();

    assertThat(queried).isNotEmpty();
    assertThat(queried).allSatisfy(name -> assertThat(exported).as("series the dashboard queries").contains(name));
  }

  @Test
  void everyListedMetricHasAPanel() throws Exception {
    Set<String> queried = expressions(Json.MAPPER.readTree(GrafanaDashboard.json())).stream()
        .flatMap(e -> PromQlNames.of(e).stream()).collect(Collectors.toSet());

    assertThat(Metric.values()).allSatisfy(m -> assertThat(m.series()).as(m + "'s series").containsAnyElementsOf(queried));
  }

  @Test
  void latencyPanelsAreQuantilesOverTheBucketSeries() {
    for (Metric m : List.of(Metric.REQUEST_E2E_SECONDS, Metric.REQUEST_QUEUE_SECONDS, Metric.REQUEST_COMPUTE_SECONDS,
        Metric.VLLM_TIME_TO_FIRST_TOKEN_SECONDS, Metric.VLLM_INTER_TOKEN_LATENCY_SECONDS)) {
      assertThat(GrafanaDashboard.expressions()).as(m.metricName())
          .contains("histogram_quantile(0.95, sum by (le, " + m.labels().getFirst() + ") (rate(" + m.metricName()
              + "_bucket[$__rate_interval])))")
          .anyMatch(e -> e.startsWith("histogram_quantile(0.99,") && e.contains(m.metricName() + "_bucket"));
    }
  }

  @Test
  void panelsFitTheGridWithUniqueIdsAndQueryTheDatasourceVariable() throws Exception {
    JsonNode root = Json.MAPPER.readTree(GrafanaDashboard.json());
    Set<Integer> ids = new HashSet<>();
    Set<String> cells = new HashSet<>();

    for (JsonNode p : root.path("panels")) {
      assertThat(ids.add(p.path("id").asInt())).as("unique id " + p.path("id")).isTrue();
      JsonNode g = p.path("gridPos");
      assertThat(g.path("x").asInt() + g.path("w").asInt()).as(p.path("title").asText()).isLessThanOrEqualTo(24);
      for (int y = 0; y < g.path("h").asInt(); y++) {
        for (int x = 0; x < g.path("w").asInt(); x++) {
          assertThat(cells.add((g.path("x").asInt() + x) + "," + (g.path("y").asInt() + y))).as("overlap at " + p.path("title")).isTrue();
        }
      }
      for (JsonNode t : p.path("targets")) assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
    }
    assertThat(root.path("uid").asText()).isEqualTo(GrafanaDashboard.UID);
    assertThat(root.path("templating").path("list").get(0).path("type").asText()).isEqualTo("datasource");
  }

  @Test
  void promQlNamesFindsSeriesButNotFunctionsLabelsOrDurations() {
    assertThat(PromQlNames.of("sum by (le, model) (rate(genbench_x_bucket{model=\"a b\", le!=\"+Inf\"}[$__rate_interval]))"))
        .containsExactly("genbench_x_bucket");
    assertThat(PromQlNames.of("histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))"))
        .containsExactly("vllm:e2e_request_latency_seconds_bucket");
    assertThat(PromQlNames.of("a_sum / on (model) b_count > 1e9 and c"))
        .containsExactly("a_sum", "b_count", "c");
  }

  static List<String> expressions(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      for (JsonNode t : p.path("targets")) exprs.add(t.path("expr").asText());
    }
    return exprs;
  }
}
