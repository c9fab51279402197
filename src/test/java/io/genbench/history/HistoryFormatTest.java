package io.genbench.history;

import static io.genbench.history.HistoryStoreContract.outOfMemory;
import static io.genbench.history.HistoryStoreContract.run;
import static io.genbench.history.HistoryStoreContract.success;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Under a German locale (decimal commas), as every format test: history output never uses one. */
final class HistoryFormatTest {
  private static final List<TrendPoint> TREND = List.of(
      new TrendPoint(run("run-1", "2026-11-01T08:00:00Z"), success("sd-2-1-g5xlarge-b1-s20-float16", "stabilityai/stable-diffusion-2-1", "g5.xlarge", 100)),
      new TrendPoint(run("run-2", "2026-11-02T08:00:00Z"), outOfMemory("sd-2-1-g5xlarge-b1-s20-float16", "stabilityai/stable-diffusion-2-1", "g5.xlarge")),
      new TrendPoint(run("run-3", "2026-11-03T08:00:00Z"), success("sd-2-1-g5xlarge-b1-s20-float16", "stabilityai/stable-diffusion-2-1", "g5.xlarge", 112.5)));

  private Locale saved;

  @BeforeEach
  void german() {
    saved = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
  }

  @AfterEach
  void restore() {
    Locale.setDefault(saved);
  }

  @Test
  void runsAsATableArePaddedMarkdownWithUtcMinutes() {
    String table = HistoryFormat.TABLE.runs(List.of(run("20261121-101500-plan", "2026-11-21T10:15:42Z")));

    assertThat(table).isEqualTo("""
        | run                  | kind | started (UTC)    | host   | backend  | device |  ok | done | planned | plan | genbench      |
        | -------------------- | ---- | ---------------- | ------ | -------- | ------ | --: | ---: | ------: | ---- | ------------- |
        | 20261121-101500-plan | run  | 2026-11-21 10:15 | host-a | onnx-cpu | cpu    |   1 |    2 |       2 | plan | 0.1.0 3c0a3fd |
        """);
  }

  @Test
  void aTrendTableShowsEachRunOldestFirstAndTheChangeOfTheMedian() {
    String table = HistoryFormat.TABLE.trend("sd-2-1-g5xlarge-b1-s20-float16", TREND);

    assertThat(table.lines().skip(2).map(l -> l.replaceAll(" +", " ")).toList()).containsExactly(
        "| run-1 | 2026-11-01 08:00 | SUCCESS | VALID | 100.00 | 110.00 | 120.00 | 10.000 | 12.35 GB cuda-reserved | 0.01234 | 0.004632 | g5.xlarge | NVIDIA H200 |",
        "| run-2 | 2026-11-02 08:00 | OOM_SKIPPED | | | | | | | | | g5.xlarge | NVIDIA H200 |",
        "| run-3 | 2026-11-03 08:00 | SUCCESS | VALID | 112.50 | 122.50 | 132.50 | 8.889 | 12.35 GB cuda-reserved | 0.01234 | 0.004632 | g5.xlarge | NVIDIA H200 |",
        "",
        "p50 e2e: 100.00 ms in run-1, 112.50 ms in run-3 (+12.5 %), over 2 measured runs");
  }

  @Test
  void aTrendAsCsvHasEveryColumnInPlainDecimalsAndEmptyCellsForMissingFigures() {
    List<String> csv = HistoryFormat.CSV.trend("c", TREND).lines().toList();

    assertThat(csv).hasSize(4);
    assertThat(csv.get(0)).startsWith("run_key,run_id,started_at,case_id,model,").endsWith(",trials,iterations");
    assertThat(csv.get(1)).contains(",2026-11-01T08:00:00Z,sd-2-1-g5xlarge-b1-s20-float16,stabilityai/stable-diffusion-2-1,")
        .contains(",SUCCESS,VALID,100,110,120,10,,12345678901,cuda-reserved,0.01234,0.004632,,,3,90");
    assertThat(csv.get(2)).contains(",OOM_SKIPPED,,,,,,,,,,,,,1,0");
  }

  @Test
  void jsonIsTheRecordsInSnakeCase() throws Exception {
    JsonNode trend = Json.MAPPER.readTree(HistoryFormat.JSON.trend("c", TREND));
    JsonNode runs = Json.MAPPER.readTree(HistoryFormat.JSON.runs(List.of(run("r", "2026-11-01T08:00:00Z"))));

    assertThat(trend.path("case_id").asText()).isEqualTo("c");
    assertThat(trend.path("points")).hasSize(3);
    assertThat(trend.path("points").get(0).path("result").path("e2e_p50_ms").asDouble()).isEqualTo(100.0);
    assertThat(trend.path("points").get(0).path("run").path("started_at").asText()).isEqualTo("2026-11-01T08:00:00Z");
    assertThat(runs.get(0).path("cases_planned").asInt()).isEqualTo(2);
  }

  @Test
  void anUnknownFormatNamesTheChoices() {
    assertThatThrownBy(() -> HistoryFormat.parse("md")).isInstanceOf(UserError.class)
        .hasMessage("--format must be table, csv or json, was 'md'");
  }

  @Test
  void theChartIsAnSvgOfTheMeasuredRuns() {
    String svg = TrendChart.svg("sd-2-1-g5xlarge-b1-s20-float16", TREND);

    assertThat(svg).startsWith("<?xml").contains("<svg").contains("sd-2-1-g5xlarge-b1-s20-float16 over 3 runs").contains("P95").contains("images/s");
  }

  @Test
  void csvTextCellsThatASpreadsheetWouldRunAsFormulasGetALeadingQuote() {
    RunRecord r = run("=cmd|' /C calc'!A0", "2026-11-21T10:15:42Z");
    RunRecord hostile = new RunRecord(r.runKey(), r.runId(), "@SUM(1+1)", r.startedAt(), r.finishedAt(), "-backend", "+device",
        r.host(), r.genbenchVersion(), r.gitCommit(), r.planName(), r.planSha256(), r.casesPlanned(), r.casesFinished(),
        r.casesSuccess());

    List<String> row = List.of(HistoryFormat.CSV.runs(List.of(hostile)).lines().toList().get(1).split(",", -1));

    assertThat(row.subList(1, 3)).containsExactly("'=cmd|' /C calc'!A0", "'@SUM(1+1)");
    assertThat(row.subList(5, 7)).containsExactly("'-backend", "'+device");
    assertThat(row.subList(12, 15)).containsExactly("2", "2", "1");
  }

  @Test
  void controlCharactersInARunIdAreShownNotSentToTheTerminal() {
    String table = HistoryFormat.TABLE.runs(List.of(run("run\u001b]0;pwned\u0007\r\u001b[2J", "2026-11-21T10:15:42Z")));

    assertThat(table).doesNotContain("\u001b", "\u0007", "\r").contains("run\\u001b]0;pwned\\u0007\\u000d\\u001b[2J");
  }

  @Test
  void aCaseIdThatLooksLikeMarkupStaysText() {
    String svg = TrendChart.svg("&lt;b&gt;<script>alert(1)</script>", TREND);

    assertThat(svg).doesNotContain("<script").doesNotContain("<b>").contains("&amp;lt;b&amp;gt;");
  }
}
