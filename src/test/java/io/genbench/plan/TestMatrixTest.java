package io.genbench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

final class TestMatrixTest {
  private static final Function<String, OptionalDouble> GPU_MEMORY = type -> switch (type) {
    case "g4dn.xlarge" -> OptionalDouble.of(16);
    case "g5.xlarge" -> OptionalDouble.of(24);
    case "g6e.xlarge" -> OptionalDouble.of(48);
    default -> OptionalDouble.empty();
  };

  private static TestMatrix matrix(Mode mode, List<String> models, List<String> instances, List<Integer> batches,
      List<Integer> steps, List<String> resolutions, List<String> precisions) {
    return new TestMatrix(mode, models, instances, batches, steps, resolutions, precisions, null, null, null, null, null,
        null, null, null, null, null);
  }

  @Test
  void comparisonOfTheSeedExampleYieldsSixteenDistinctCases() {
    var m = matrix(Mode.COMPARISON, List.of("stabilityai/stable-diffusion-2-1", "stabilityai/stable-diffusion-xl-base-1.0"),
        List.of("g6e.xlarge", "g5.xlarge"), List.of(1, 4), null, null, List.of("float16", "float32"));

    List<TestCase> cases = m.cases(GPU_MEMORY);

    assertThat(cases).hasSize(16);
    assertThat(cases).extracting(TestCase::id).doesNotHaveDuplicates()
        .contains("sd-2-1-g6exlarge-b1-s20-1024x1024-float16", "sdxl-g5xlarge-b4-s20-float32");
    assertThat(cases).allSatisfy(c -> {
      assertThat(c.resources().memoryRequest()).isEqualTo("12Gi");
      assertThat(c.resources().memoryLimit()).isEqualTo("15Gi");
    });
  }

  @Test
  void everyModeHasANonEmptyDefaultMatrix() {
    for (Mode mode : Mode.values()) {
      assertThat(TestMatrix.of(mode).cases(GPU_MEMORY)).as(mode.label()).isNotEmpty();
    }
  }

  @Test
  void mixedModeRunsEachModelAtItsNativeResolution() {
    List<TestCase> cases = TestMatrix.of(Mode.MIXED).cases(GPU_MEMORY);

    assertThat(cases).filteredOn(c -> c.model() == Model.SDXL).allSatisfy(c -> assertThat(c.diffusion().resolution()).hasToString("1024x1024"));
    assertThat(cases).filteredOn(c -> c.model() == Model.SD_2_1).allSatisfy(c -> assertThat(c.diffusion().resolution()).hasToString("768x768"));
  }

  @Test
  void instanceOptimizedLeavesSdxlOffSixteenGigabyteGpus() {
    List<TestCase> cases = TestMatrix.of(Mode.INSTANCE_OPTIMIZED).cases(GPU_MEMORY);

    assertThat(cases).filteredOn(c -> c.instanceType().equals("g4dn.xlarge")).extracting(c -> c.model().slug()).containsOnly("sd-2-1");
    assertThat(cases).filteredOn(c -> c.instanceType().equals("g6e.xlarge") && c.model() == Model.SDXL)
        .extracting(TestCase::batchSize).containsExactly(1, 2, 4);
  }

  @Test
  void instanceOptimizedNamesAnInstanceTypeWithoutKnownGpuMemory() {
    var m = matrix(Mode.INSTANCE_OPTIMIZED, null, List.of("x9.huge"), null, null, null, null);

    assertThatThrownBy(() -> m.cases(GPU_MEMORY)).isInstanceOf(UserError.class).hasMessageContaining("x9.huge");
  }

  @Test
  void rejectsAnUnknownModelNamingTheKnownOnes() {
    var m = matrix(Mode.SD_ONLY, List.of("stabilityai/sd-9"), null, null, null, null, null);

    assertThatThrownBy(() -> m.cases(GPU_MEMORY)).isInstanceOf(UserError.class)
        .hasMessageContaining("stabilityai/sd-9").hasMessageContaining("--models")
        .hasMessageContaining("stabilityai/stable-diffusion-xl-base-1.0");
  }

  @Test
  void rejectsUnknownPrecision() {
    var m = matrix(Mode.SD_ONLY, null, null, null, null, null, List.of("fp16"));

    assertThatThrownBy(() -> m.cases(GPU_MEMORY)).isInstanceOf(UserError.class)
        .hasMessageContaining("\"fp16\"").hasMessageContaining("float32, float16, bfloat16");
  }

  @Test
  void rejectsMalformedAndZeroResolutions() {
    for (String bad : List.of("512x", "0x512", "512x0", "abc", "513x512")) {
      var m = matrix(Mode.SD_ONLY, null, null, null, null, List.of(bad), null);

      assertThatThrownBy(() -> m.cases(GPU_MEMORY)).as(bad).isInstanceOf(UserError.class)
          .hasMessageContaining("\"" + bad + "\"").hasMessageContaining("--resolutions");
    }
  }

  @Test
  void rejectsNonPositiveBatchSizesAndSteps() {
    assertThatThrownBy(() -> matrix(Mode.SD_ONLY, null, null, List.of(0), null, null, null).cases(GPU_MEMORY))
        .isInstanceOf(UserError.class).hasMessageContaining("--batch-sizes");
    assertThatThrownBy(() -> matrix(Mode.SD_ONLY, null, null, null, List.of(-5), null, null).cases(GPU_MEMORY))
        .isInstanceOf(UserError.class).hasMessageContaining("--inference-steps");
  }

  @Test
  void rejectsDuplicateValues() {
    assertThatThrownBy(() -> matrix(Mode.SD_ONLY, null, List.of("g5.xlarge", "g5.xlarge"), null, null, null, null).cases(GPU_MEMORY))
        .isInstanceOf(UserError.class).hasMessageContaining("Duplicate").hasMessageContaining("g5.xlarge");
    assertThatThrownBy(() -> matrix(Mode.SD_ONLY, List.of("sdxl", "stabilityai/stable-diffusion-xl-base-1.0"), null, null, null, null, null)
        .cases(GPU_MEMORY)).isInstanceOf(UserError.class).hasMessageContaining("Duplicate");
  }

  @Test
  void rejectsAnEmptyMatrix() {
    var m = matrix(Mode.INSTANCE_OPTIMIZED, List.of("stabilityai/stable-diffusion-xl-base-1.0"), List.of("g4dn.xlarge"), null, null, null, null);

    assertThatThrownBy(() -> m.cases(GPU_MEMORY)).isInstanceOf(UserError.class).hasMessageContaining("empty");
  }

  @Test
  void rejectsUnknownMode() {
    assertThatThrownBy(() -> Mode.parse("fast", "--mode")).isInstanceOf(UserError.class)
        .hasMessageContaining("\"fast\"").hasMessageContaining("comparison, sdxl_only, sd_only, instance_optimized, mixed");
  }

  @Test
  void idsSpellOutEveryNonDefaultKnob() {
    var base = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
    var knobs = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(512, 512), Precision.FLOAT16)
        .withKnobs(new Knobs(Attention.MATH, Toggle.ON, true, Toggle.ON));

    assertThat(base.id()).isEqualTo("sd-2-1-g5xlarge-b1-s20-float16");
    assertThat(knobs.id()).isEqualTo("sd-2-1-g5xlarge-b1-s20-512x512-float16-math-graphs-compile-cl");
  }
}
