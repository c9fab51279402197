package io.genbench.cli;

import static io.genbench.cli.OnnxRun.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * genbench run, report and history against a store: the same on every database. Each subclass gives an empty store
 * of its kind per test.
 */
abstract class HistoryCommandContract {
  @TempDir
  Path tmp;

  /** A URL of an empty store, fresh for each test. */
  abstract String emptyStoreUrl();

  @Test
  void everyFinishedRunIsRecordedOnceHoweverOftenItIsResumedReportedOrRecorded() {
    String url = emptyStoreUrl();
    Path out = tmp.resolve("run");

    Cli run = Cli.run("run", OnnxRun.plan(tmp).toString(), "--backend", "onnx", "--threads", "1", "--out", out.toString(),
        "--history-url", url);
    Cli resumed = Cli.run("run", "--resume", out.toString(), "--history-url", url);
    Cli report = Cli.run("report", out.toString(), "--format", "csv", "--history-url", url);
    Cli recorded = Cli.run("history", "record", out.toString(), "--history-url", url);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("genbench: history: recorded run (1 case) in ");
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.out()).startsWith("test_name,"); // stdout is the report alone
    assertThat(recorded.exitCode()).as(recorded.err()).isZero();
    assertThat(recorded.out()).isEqualTo("recorded run: 1 of 1 finished cases SUCCESS (1 planned)\n");
    Cli list = Cli.run("history", "list", "--format", "csv", "--history-url", url);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(column(list.out(), "run_id")).containsExactly("run");
    assertThat(column(list.out(), "run_dir")).containsExactly(out.toAbsolutePath().toString());
    assertThat(column(list.out(), "backend")).containsExactly("onnx-cpu");
    assertThat(column(list.out(), "plan_name")).containsExactly("history-plan");
    assertThat(column(list.out(), "cases_success")).containsExactly("1");
    assertThat(column(list.out(), "finished_at")).allMatch(t -> t.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
  }

  @Test
  void recordImportsRunDirectoriesAndTrendShowsTheCaseOverThemOldestFirstWithAChart() throws Exception {
    String url = emptyStoreUrl();
    Path march = OnnxRun.copy(tmp, "march", "2026-03-01T09:00:00Z");
    Path january = OnnxRun.copy(tmp, "january", "2026-01-01T09:00:00Z");
    Path february = OnnxRun.copy(tmp, "february", "2026-02-01T09:00:00Z");
    Path chart = tmp.resolve("charts/trend.svg");

    Cli recorded = Cli.run("history", "record", march.toString(), january.toString(), february.toString(), "--history-url", url);
    Cli trend = Cli.run("history", "trend", OnnxRun.caseId(), "--format", "csv", "--chart", chart.toString(), "--history-url", url);
    Cli table = Cli.run("history", "trend", OnnxRun.caseId(), "--since", "2026-02-01", "--history-url", url);

    assertThat(recorded.exitCode()).as(recorded.err()).isZero();
    assertThat(recorded.out().lines()).hasSize(3);
    assertThat(trend.exitCode()).as(trend.err()).isZero();
    assertThat(column(trend.out(), "run_id")).containsExactly("january", "february", "march");
    assertThat(column(trend.out(), "status")).containsOnly("SUCCESS");
    assertThat(column(trend.out(), "e2e_p50_ms")).allSatisfy(ms -> assertThat(Double.parseDouble(ms)).isPositive());
    assertThat(column(trend.out(), "memory_kind")).containsOnly("rss-delta");
    assertThat(trend.err()).contains("chart: " + chart);
    assertThat(Files.readString(chart)).contains("<svg").contains(OnnxRun.caseId() + " over 3 runs");
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("| february ").contains("| march ").doesNotContain("january")
        .contains("p50 e2e: ").contains("over 2 measured runs");
  }

  @Test
  void listFiltersByModelInstanceAndDateAndLimits() {
    String url = emptyStoreUrl();
    for (String month : new String[] {"01", "02", "03"}) {
      Path run = OnnxRun.copy(tmp, "run-" + month, "2026-" + month + "-15T09:00:00Z");
      assertThat(Cli.run("history", "record", run.toString(), "--history-url", url).exitCode()).isZero();
    }

    assertThat(runIds(url, "--model", "stable-diffusion-2")).containsExactly("run-03", "run-02", "run-01");
    assertThat(runIds(url, "--model", "sdxl")).isEmpty();
    assertThat(runIds(url, "--instance", "M7I")).containsExactly("run-03", "run-02", "run-01");
    assertThat(runIds(url, "--instance", "g5")).isEmpty();
    assertThat(runIds(url, "--since", "2026-02-15", "--until", "2026-03-14")).containsExactly("run-02");
    assertThat(runIds(url, "--limit", "2")).containsExactly("run-03", "run-02");
  }

  @Test
  void historyPrintsItsResultsAloneOnStdout() throws Exception {
    String url = emptyStoreUrl();
    Cli.run("history", "record", OnnxRun.copy(tmp, "r", "2026-01-01T09:00:00Z").toString(), "--history-url", url);

    Cli json = Cli.run("history", "list", "--format", "json", "--history-url", url);
    Cli trend = Cli.run("history", "trend", OnnxRun.caseId(), "--format", "json", "--history-url", url);

    JsonNode runs = Json.MAPPER.readTree(json.out());
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).path("run_id").asText()).isEqualTo("r");
    assertThat(Json.MAPPER.readTree(trend.out()).path("points").get(0).path("result").path("case_id").asText()).isEqualTo(OnnxRun.caseId());
    assertThat(json.out() + trend.out()).doesNotContain("Flyway").doesNotContain("INFO");
  }

  @Test
  void aCaseIdThatNoRunRecordedNamesTheOnesThatExist() {
    String url = emptyStoreUrl();
    Cli.run("history", "record", OnnxRun.copy(tmp, "r", "2026-01-01T09:00:00Z").toString(), "--history-url", url);

    Cli r = Cli.run("history", "trend", "sd-2-1-nope", "--history-url", url);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("No recorded run has case sd-2-1-nope").contains(OnnxRun.caseId());
    assertThat(r.out()).isEmpty();
  }

  @Test
  void trendOfALoadUrlShowsItsLevelsOverLoadRunsOldestFirstWithTheChosenMetrics() throws Exception {
    String url = emptyStoreUrl();
    String target = "http://127.0.0.1:8000/v1/images/generations";
    try (var store = io.genbench.history.HistoryStore.open(io.genbench.history.HistoryLocation.resolve(url, java.util.Map.of(), tmp))) {
      store.record(io.genbench.history.LoadTrendRuns.run("l-feb", "2026-02-01T09:00:00Z", target, 25, 50));
      store.record(io.genbench.history.LoadTrendRuns.run("l-jan", "2026-01-01T09:00:00Z", target, 20, 40));
    }

    Cli table = Cli.run("history", "trend", "--load", target, "--metric", "response_p95,images_per_s", "--history-url", url);
    Cli level = Cli.run("history", "trend", "--load", target, "--level", "c2", "--format", "csv", "--history-url", url);
    Cli json = Cli.run("history", "trend", "--load", target, "--format", "json", "--history-url", url);

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out().lines().toList().getFirst())
        .matches("\\| run +\\| started \\(UTC\\) +\\| level \\| verdict \\| slo +\\| requests \\| response p95 ms \\| images/s \\|");
    assertThat(table.out()).contains("| l-jan | 2026-01-01 09:00 | c1    | VALID   |")
        .contains("|           20.00 |   50.000 |").contains("|           50.00 |   40.000 |")
        .contains("c1 response_p95: 20.00 in l-jan, 25.00 in l-feb (+25.0 %), over 2 runs")
        .contains("c2 response_p95: 40.00 in l-jan, 50.00 in l-feb (+25.0 %), over 2 runs")
        .doesNotContain("achieved req/s");
    assertThat(table.out().indexOf("l-jan")).isLessThan(table.out().indexOf("l-feb"));
    assertThat(level.exitCode()).as(level.err()).isZero();
    assertThat(column(level.out(), "run_id")).containsExactly("l-jan", "l-feb");
    assertThat(column(level.out(), "level")).containsOnly("c2");
    assertThat(column(level.out(), "response_p95_ms")).containsExactly("40", "50");
    assertThat(column(level.out(), "url")).containsOnly(target);
    JsonNode points = Json.MAPPER.readTree(json.out()).path("points");
    assertThat(points).hasSize(4);
    assertThat(points.get(3).path("level").path("response_p95_ms").asDouble()).isEqualTo(50.0);
    assertThat(points.get(3).path("run").path("run_id").asText()).isEqualTo("l-feb");
  }

  private static java.util.List<String> runIds(String url, String... filters) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("history", "list", "--format", "csv", "--history-url", url));
    args.addAll(java.util.List.of(filters));
    Cli r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isZero();
    return column(r.out(), "run_id");
  }
}
