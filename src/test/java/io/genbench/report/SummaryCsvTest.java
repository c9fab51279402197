package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class SummaryCsvTest {
  private static final String DESIGN_HEADER = "test_name,model,requested_instance,actual_instance,lifecycle,zone,batch_size,"
      + "inference_steps,resolution,precision,inference_time_s,time_per_image_s,gpu_memory_gb,spot_price_usd,"
      + "ondemand_price_usd,actual_price_usd,cost_1000_images_spot_usd,cost_1000_images_ondemand_usd,"
      + "cost_1000_images_actual_usd,status";

  @Test
  void firstLineIsTheDesignHeaderExactly() {
    String csv = SummaryCsv.render(ReportFixtures.goldenRun().results());

    assertThat(csv.lines().findFirst()).contains(DESIGN_HEADER);
  }

  @Test
  void matchesTheGoldenFileUnderAGermanLocale() {
    String csv = SummaryCsv.render(ReportFixtures.goldenRun().results());

    Golden.assertMatches("summary.csv", csv);
  }

  @Test
  void writesOomInGpuMemoryAndNaForMissingFiguresOfAnOomCell() {
    String row = SummaryCsv.render(List.of(ReportFixtures.sdxlOomOnG5())).lines().skip(1).findFirst().orElseThrow();

    assertThat(row).isEqualTo("sdxl-g5xlarge-b4-s20-float32,SDXL,g5.xlarge,g5.xlarge,spot,us-east-1b,4,20,1024x1024,"
        + "float32,N/A,N/A,OOM,N/A,N/A,N/A,N/A,N/A,N/A,OOM_SKIPPED");
  }

  @Test
  void writesNaForGpuMemoryOnCpu() {
    List<String> row = SummaryCsv.row(ReportFixtures.standInOnCpu());

    assertThat(row.get(12)).isEqualTo("N/A");
  }

  @Test
  void everyRowHasTwentyFields() {
    String csv = SummaryCsv.render(ReportFixtures.twoSuccesses().results());

    assertThat(csv.lines()).allSatisfy(line -> assertThat(line.split(",", -1)).hasSize(20));
  }

  @Test
  void rendersOnlyTheHeaderForNoCases() {
    assertThat(SummaryCsv.render(List.of())).isEqualTo(DESIGN_HEADER + "\n");
  }
}
