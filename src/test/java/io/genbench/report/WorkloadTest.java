package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.Json;
import io.genbench.result.Workload;
import org.junit.jupiter.api.Test;

final class WorkloadTest {

  @Test
  void aResultWithImagesIsADiffusionWorkloadWithItsSteps() {
    var r = ReportFixtures.sd21OnG5();

    assertThat(r.workload()).isEqualTo(new Workload.Diffusion(r.imagesPerRequest(), r.inferenceSteps(), r.resolution()));
  }

  @Test
  void aResultWithoutImagesIsAnLlmWorkload() {
    assertThat(ReportFixtures.opt125mOnG6().workload()).isInstanceOf(Workload.Llm.class);
  }

  @Test
  void theWorkloadIsDerivedAndNotWrittenToResultFiles() throws Exception {
    String json = Json.PRETTY.writeValueAsString(ReportFixtures.opt125mOnG6());

    assertThat(json).doesNotContain("workload");
  }
}
