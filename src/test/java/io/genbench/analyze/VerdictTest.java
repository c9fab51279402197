package io.genbench.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class VerdictTest {
  private static final LatencySummary STEADY = LatencySummary.of(new long[] {100, 101, 99, 100, 100, 101, 99, 100});

  @Test
  void aGpuBusyLessThanNinetyPercentOfTheStepIsHostBoundAndNamesTheKnobThatWasOff() {
    Verdict v = Verdict.of(STEADY, new Verdict.Conditions(3, true, 0.59, false, false, null));

    assertThat(v.valid()).isTrue();
    assertThat(v.hostBound()).isTrue();
    assertThat(v.label()).isEqualTo("HOST-BOUND");
    assertThat(v.notes()).containsExactly("host-bound: the GPU was busy 59 % of each step; this figure measures the CPU's"
        + " kernel-launch rate; CUDA graphs (--cuda-graphs on) or torch.compile (--compile on) removes the launches from the step");
  }

  @Test
  void aHostBoundLlmDecodeIsAdvisedABiggerBatchNotAKnobItsFamilyCannotUse() {
    Verdict v = Verdict.of(STEADY, new Verdict.Conditions(3, true, 0.18, false, false, null, null, true));

    assertThat(v.hostBound()).isTrue();
    assertThat(v.notes()).singleElement().asString().contains("--batch-sizes").doesNotContain("--cuda-graphs").doesNotContain("--compile");
  }

  @Test
  void aBusyGpuIsNotHostBoundAndAKnobThatWasOnIsNotRecommended() {
    assertThat(Verdict.of(STEADY, new Verdict.Conditions(3, true, 0.97, true, false, null)).label()).isEqualTo("VALID");
    assertThat(Verdict.of(STEADY, new Verdict.Conditions(3, true, 0.5, true, true, null)).notes().getFirst())
        .endsWith("kernel-launch rate");
  }

  @Test
  void aWarmUpThatNeverGotSteadyMakesTheCaseInvalidWithTheRemedy() {
    Verdict v = Verdict.of(STEADY, new Verdict.Conditions(30, false, null, null, null, null));

    assertThat(v.label()).isEqualTo("INVALID");
    assertThat(v.notes()).singleElement().asString().contains("never reached steady timing (30 iterations)")
        .contains("max_warmup_iterations");
  }

  @Test
  void trialStatsAgreeWhenTheSameDistributionRanThreeTimes() {
    long[] t = {100, 102, 98, 101, 99, 100, 103, 97, 100, 100};
    TrialStats s = TrialStats.of(List.of(t, t.clone(), t.clone()));

    assertThat(s.disagree()).isFalse();
    assertThat(s.kruskalWallisP()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(s.spreadPct()).isZero();
    assertThat(s.ciLowNs()).isEqualTo(100.0);
  }

  @Test
  void kruskalWallisMatchesAHandComputedValue() {
    // ranks: group 0 {1,2,3}, group 1 {4,5,6}: H = 12/(6*7) * (6^2/3 + 15^2/3) - 3*7 = 3.857142..., df 1 → p = 0.049535
    double p = TrialStats.kruskalWallisP(List.of(new long[] {1, 2, 3}, new long[] {4, 5, 6}));

    assertThat(p).isCloseTo(0.049535, org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void aSmallButSignificantDifferenceIsReportedButNotFlagged() {
    long[] a = new long[50];
    long[] b = new long[50];
    for (int i = 0; i < 50; i++) {
      a[i] = 1000 + i % 5;
      b[i] = 1010 + i % 5; // 1 % slower, every sample: significant, too small to change a decision
    }
    TrialStats s = TrialStats.of(List.of(a, b));

    assertThat(s.kruskalWallisP()).isLessThan(TrialStats.ALPHA);
    assertThat(s.disagree()).isFalse();
  }

  @Test
  void gpuPeaksAreKnownOnlyForTheTabledGpusAndHalfPrecision() {
    assertThat(GpuPeak.forDevice("NVIDIA H200").orElseThrow().name()).isEqualTo("H200 SXM");
    assertThat(GpuPeak.forDevice("NVIDIA H100 PCIe").orElseThrow().name()).isEqualTo("H100 PCIe");
    assertThat(GpuPeak.forDevice("NVIDIA H100 80GB HBM3").orElseThrow().name()).isEqualTo("H100 SXM");
    assertThat(GpuPeak.forDevice("NVIDIA A100-SXM4-80GB").orElseThrow().name()).isEqualTo("A100 80GB SXM");
    assertThat(GpuPeak.forDevice("NVIDIA L40S").orElseThrow().name()).isEqualTo("L40S");
    assertThat(GpuPeak.forDevice("NVIDIA L4").orElseThrow().name()).isEqualTo("L4");
    assertThat(GpuPeak.forDevice("Tesla T4").orElseThrow().flopsPerS("bfloat16")).isEmpty();
    assertThat(GpuPeak.forDevice("NVIDIA A10G")).isEmpty();
    assertThat(GpuPeak.forDevice("AMD EPYC 7B13")).isEmpty();
    assertThat(GpuPeak.forDevice("NVIDIA H200").orElseThrow().flopsPerS("float32")).isEmpty();
    assertThat(GpuPeak.forDevice("NVIDIA H200").orElseThrow().flopsPerS("float16")).contains(989.5e12);
  }
}
