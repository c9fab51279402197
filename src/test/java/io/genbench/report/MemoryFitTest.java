package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.result.CaseResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A case whose peak exceeds the instance it is priced as says so, and its cost is not offered as achievable. */
final class MemoryFitTest {
  private static final CaseResult TOO_BIG = ReportFixtures.sdxlTooBigForG6e();
  private static final RunReport RUN = new RunReport("20261206-031500-f1f2", ReportFixtures.environment("torch-cuda", "local"),
      List.of(ReportFixtures.sd21OnG5(), TOO_BIG), ReportFixtures.NOTE);

  @Test
  void aGpuPeakAboveTheInstancesGpuMemoryIsNamedWithBothFigures() {
    assertThat(MemoryFit.exceeded(TOO_BIG)).map(MemoryFit::note).contains("does not fit g6e.xlarge: 55.3 of 48.0 GB GPU memory");
    assertThat(MemoryFit.fits(ReportFixtures.sd21OnG5())).isTrue(); // 6.4 of 24 GB
  }

  @Test
  void theCheapestAndFastestLinesAndTheParetoChartSkipIt() {
    CostAnalysis a = CostAnalysis.of(RUN.results());

    // it is both cheaper and faster than the g5 case, but cannot run on the instance it is priced as
    assertThat(CostAnalysis.spot(TOO_BIG)).isLessThan(CostAnalysis.spot(ReportFixtures.sd21OnG5()));
    assertThat(a.lowestSpot()).map(CaseResult::caseId).contains("sd-2-1-g5xlarge-b1-s20-float16");
    assertThat(a.fastest()).map(CaseResult::caseId).contains("sd-2-1-g5xlarge-b1-s20-float16");
    assertThat(RunCharts.costLatency(RUN.results())).extracting(p -> p.result().caseId())
        .containsExactly("sd-2-1-g5xlarge-b1-s20-float16");
  }

  @Test
  void everyViewSaysItDoesNotFit() {
    String line = "sdxl-g6exlarge-b4-s20-float32 does not fit g6e.xlarge: 55.3 of 48.0 GB GPU memory";

    assertThat(ConsoleSummary.render(RUN)).contains(line);
    assertThat(MarkdownReport.render(RUN)).contains(line);
    assertThat(ResultsJson.render(RUN)).contains("\"does_not_fit\"").contains("55.3 of 48.0 GB GPU memory");
    assertThat(ResultsJson.render(ReportFixtures.twoSuccesses())).doesNotContain("does_not_fit");
  }
}
