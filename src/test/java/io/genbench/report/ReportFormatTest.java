package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import org.junit.jupiter.api.Test;

final class ReportFormatTest {

  @Test
  void parsesLabelsCaseInsensitively() {
    assertThat(ReportFormat.parse("MD")).isEqualTo(ReportFormat.MD);
    assertThat(ReportFormat.parse("html")).isEqualTo(ReportFormat.HTML);
  }

  @Test
  void rejectsAnUnknownFormatNamingTheKnownOnes() {
    assertThatThrownBy(() -> ReportFormat.parse("pdf")).isInstanceOf(UserError.class)
        .hasMessage("Unknown report format \"pdf\". Known: md, csv, json, html, time.");
  }

  @Test
  void csvMeansSummaryCsv() {
    var report = ReportFixtures.goldenRun();

    assertThat(ReportFormat.CSV.render(report)).isEqualTo(SummaryCsv.render(report.results()));
    assertThat(ReportFormat.CSV.fileName()).isEqualTo("summary.csv");
  }

  @Test
  void dispatchesEveryFormatToItsView() {
    var report = ReportFixtures.goldenRun();

    assertThat(ReportFormat.MD.render(report)).isEqualTo(MarkdownReport.render(report));
    assertThat(ReportFormat.JSON.render(report)).isEqualTo(ResultsJson.render(report));
    assertThat(ReportFormat.HTML.render(report)).isEqualTo(HtmlReport.render(report));
  }
}
