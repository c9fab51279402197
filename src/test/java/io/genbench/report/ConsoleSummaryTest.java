package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

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

    assertThat(text).contains("lowest spot cost: sd-2-1-g5xlarge-b1-s20-float16, $0.1733 per 1000 images on g5.xlarge (spot)")
        .contains("fastest: sd-2-1-g6exlarge-b1-s20-float16, 0.903 s/image");
  }

  @Test
  void countsCasesByStatus() {
    String text = ConsoleSummary.render(ReportFixtures.twoSuccesses());

    assertThat(text).endsWith("4 cases: 2 SUCCESS, 1 OOM_SKIPPED, 1 FAILED — 2 VALID\n");
  }

  @Test
  void writesNaWhenNothingSucceeded() {
    String text = ConsoleSummary.render(ReportFixtures.nothingSucceeded());

    assertThat(text).contains("lowest spot cost: N/A\n").contains("fastest: N/A\n");
  }

  @Test
  void rendersAnEmptyRun() {
    assertThat(ConsoleSummary.render(new RunReport("r", null, List.of(), null))).endsWith("0 cases\n");
  }
}
