package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.analyze.Verdict;
import io.genbench.result.CaseResult;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class ConsoleSummaryTest {
  @Test
  void listsEveryCaseWithItsStatus() {
    String text = ConsoleSummary.render(ReportFixtures.twoSuccesses());

    assertThat(text.lines().skip(1).limit(4)).extracting(line -> line.split("\\s+")[0] + " " + line.split("\\s+")[1])
        .containsExactly("sd-2-1-g5xlarge-b1-s20-float16 SUCCESS", "sd-2-1-g6exlarge-b1-s20-float16 SUCCESS",
            "sdxl-g5xlarge-b4-s20-float32 OOM_SKIPPED", "sdxl-g6exlarge-b1-s30-bfloat16 FAILED");
  }

  @Test
  void namesTheLowestSpotCostAndTheFastestCase() {
    String text = ConsoleSummary.render(ReportFixtures.twoSuccesses());

    assertThat(text).contains("lowest spot cost (valid): sd-2-1-g5xlarge-b1-s20-float16, $0.1733 per 1000 images on g5.xlarge spot,")
        .contains("fastest (valid): sd-2-1-g6exlarge-b1-s20-float16, 0.903 s/image, $0.1918 per 1000 images on g6e.xlarge spot");
  }

  @Test
  void countsCasesByStatus() {
    String text = ConsoleSummary.render(ReportFixtures.twoSuccesses());

    assertThat(text).contains("\n4 cases: 2 SUCCESS, 1 OOM_SKIPPED, 1 FAILED — 2 VALID\n");
  }

  @Test
  void writesNaWhenNothingSucceeded() {
    String text = ConsoleSummary.render(ReportFixtures.nothingSucceeded());

    assertThat(text).contains("lowest spot cost (valid): none (no case succeeded)\n").contains("fastest (valid): none (no case succeeded)\n");
  }

  @Test
  void theCheapestAndFastestLeaveInvalidCasesOutAsGenbenchBestDoesAndTheRemedyIsPrinted() {
    CaseResult noisy = MarkdownReportTest.withVerdict(ReportFixtures.sd21OnG6e(), new Verdict(false,
        List.of("only 3 measured iterations: P90 and above are the maximum; raise min_iterations to 5 or more")));
    RunReport run = new RunReport("r", null, List.of(ReportFixtures.sd21OnG5(), noisy), null);

    String text = ConsoleSummary.render(run);

    assertThat(text).contains("fastest (valid): sd-2-1-g5xlarge-b1-s20-float16, 1.522 s/image")
        .contains("2 cases: 2 SUCCESS — 1 VALID, 1 INVALID (see report.md)\n")
        .endsWith("next: raise min_iterations to 5 or more (1 case)\n");
  }

  @Test
  void rendersAnEmptyRun() {
    assertThat(ConsoleSummary.render(new RunReport("r", null, List.of(), null))).endsWith("0 cases\n");
  }
}
