package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.result.CaseResult;
import io.genbench.result.ResultFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class ResultsCsvTest {
  @Test
  void writesOneRowPerCaseAfterTheHeader() {
    var report = ReportFixtures.twoSuccesses();

    List<List<String>> rows = parse(ResultsCsv.render(report.results()));

    assertThat(rows).hasSize(report.results().size() + 1);
    assertThat(rows.subList(1, rows.size())).extracting(r -> r.get(0))
        .containsExactly("sd-2-1-g5xlarge-b1-s20-float16", "sd-2-1-g6exlarge-b1-s20-float16", "sdxl-g5xlarge-b4-s20-float32",
            "sdxl-g6exlarge-b1-s30-bfloat16");
  }

  @Test
  void everyRowHasAsManyFieldsAsTheHeader() {
    var results = new ArrayList<>(ReportFixtures.twoSuccesses().results());
    results.add(ReportFixtures.standInOnCpu());
    results.add(ReportFixtures.opt125mOnG6());

    List<List<String>> rows = parse(ResultsCsv.render(results));

    assertThat(rows).allSatisfy(row -> assertThat(row).hasSize(ResultsCsv.COLUMNS.size()));
  }

  @Test
  void writesLatencyInMillisecondsWithADecimalPoint() {
    List<List<String>> rows = parse(ResultsCsv.render(List.of(ReportFixtures.sd21OnG5())));

    assertThat(rows.get(1).get(ResultsCsv.COLUMNS.indexOf("e2e_p50_ms"))).isEqualTo("1520.116");
    assertThat(rows.get(1).get(ResultsCsv.COLUMNS.indexOf("e2e_n"))).isEqualTo("10");
    assertThat(rows.get(1).get(ResultsCsv.COLUMNS.indexOf("ttft_p50_ms"))).isEqualTo("N/A");
  }

  @Test
  void writesTheFailureKindInItsWireSpellingAndTheMessage() {
    List<List<String>> rows = parse(ResultsCsv.render(List.of(ReportFixtures.sdxlOomOnG5())));

    assertThat(rows.get(1).get(ResultsCsv.COLUMNS.indexOf("failure_kind"))).isEqualTo("gpu_out_of_memory");
    assertThat(rows.get(1).get(ResultsCsv.COLUMNS.indexOf("failure_message"))).startsWith("CUDA out of memory. Tried");
  }

  @Test
  void aTextCellThatASpreadsheetWouldRunAsAFormulaGetsALeadingQuoteAndNumbersStayNumbers() {
    CaseResult oom = ReportFixtures.sdxlOomOnG5();
    List<String> messages = List.of("=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
        "\tindented", "\rreturned");
    List<CaseResult> results = messages.stream().map(m -> new ResultFile(oom.caseId(), oom.model(), oom.modelLabel(),
        oom.requestedInstance(), oom.actualInstance(), oom.lifecycle(), oom.zone(), oom.batchSize(), oom.inferenceSteps(),
        oom.resolution(), oom.precision(), oom.backend(), oom.weights(), oom.device(), -1.5, 0, 0, 4, Map.of(), null, null,
        null, null, null, null, null, null, null, oom.status(), new CaseResult.Failure(oom.failure().kind(), m, List.of()), null, null, null, null, null, null).toResult()).toList();

    List<List<String>> rows = parse(ResultsCsv.render(results));

    assertThat(rows.subList(1, rows.size())).extracting(r -> r.get(ResultsCsv.COLUMNS.indexOf("failure_message")))
        .containsExactly("'=HYPERLINK(\"http://x\",\"y\")", "'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\tindented",
            "'\rreturned");
    assertThat(rows.get(1).get(ResultsCsv.COLUMNS.indexOf("model_load_s"))).isEqualTo("-1.500");
  }

  /** A small RFC 4180 reader, enough for these files. */
  static List<List<String>> parse(String csv) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < csv.length(); i++) {
      char c = csv.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    return rows;
  }
}
