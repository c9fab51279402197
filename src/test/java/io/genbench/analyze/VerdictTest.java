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
  void aHostBoundEagerLlmDecodeIsAdvisedGraphDecodeCompileAndABiggerBatch() {
    Verdict v = Verdict.of(STEADY, new Verdict.Conditions(3, true, 0.18, false, false, null, null, true));

    assertThat(v.hostBound()).isTrue();
    assertThat(v.notes()).singleElement().asString().contains("CUDA-graph decode (--cuda-graphs on or auto)")
        .contains("torch.compile (--compile on)").contains("--batch-sizes");
  }

  @Test
  void aHostBoundLlmDecodeWithGraphsAndCompileOnIsAdvisedOnlyABiggerBatch() {
    Verdict v = Verdict.of(STEADY, new Verdict.Conditions(3, true, 0.5, true, true, null, null, true));

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

  private static final long[] SPIKED = java.util.stream.LongStream.range(0, 40).map(k -> k % 13 == 5 ? 300 : 99 + k % 3).toArray();
  private static final MachineLoad QUIET = new MachineLoad(0.3, 2, 1.0, 0.0, 50.0);
  private static final MachineLoad BUSY = new MachineLoad(2.9, 2, 48.0, 0.0, 50.0);

  private static Verdict.Conditions measuredTo(double targetPct, long[] samples, MachineLoad load, Boolean steady, Double drift) {
    return new Verdict.Conditions(3, steady, null, null, null, null, null, false, targetPct, MedianInterval.of(samples), load, drift);
  }

  @Test
  void aPreemptionSpikeLeavesASteadyMedianValidAndIsNotedWithTheLoad() {
    Verdict v = Verdict.of(LatencySummary.of(SPIKED), measuredTo(3, SPIKED, BUSY, true, 0.0));

    assertThat(v.label()).isEqualTo("VALID");
    assertThat(v.median().halfWidthPct()).isEqualTo(1.0);
    assertThat(v.load()).isEqualTo(BUSY);
    assertThat(v.notes()).singleElement().asString().startsWith("spread: std is").contains("other processes 48 % of the CPU")
        .contains("the median is held to ±1.0 %");
  }

  @Test
  void theSameSamplesWithoutARecordedTargetAreJudgedByTheOlderRule() {
    Verdict v = Verdict.of(LatencySummary.of(SPIKED), new Verdict.Conditions(3, true, null, null, null, null));

    assertThat(v.label()).isEqualTo("INVALID");
    assertThat(v.median()).isNull();
    assertThat(v.notes()).singleElement().asString().startsWith("e2e unstable");
  }

  @Test
  void aMedianWiderThanTheTargetIsInvalidAndCitesTheMeasuredLoad() {
    long[] wide = {100, 130, 90, 120, 105, 140, 95, 110};

    Verdict v = Verdict.of(LatencySummary.of(wide), measuredTo(3, wide, BUSY, true, 0.0));

    assertThat(v.label()).isEqualTo("INVALID");
    assertThat(v.notes()).singleElement().asString().startsWith("median unsteady: its 95 % interval is ±")
        .contains("wider than the target ±3 %")
        .contains("something else used the machine while measuring: other processes 48 % of the CPU, steal 0 %, load average 2.9 on 2 CPUs")
        .contains("raise max_measure_s").endsWith("or quiet the machine");
  }

  @Test
  void aWideMedianOnAQuietMachineSaysTheMachineWasQuiet() {
    long[] wide = {100, 130, 90, 120, 105, 140, 95, 110};

    Verdict v = Verdict.of(LatencySummary.of(wide), measuredTo(3, wide, QUIET, true, 0.0));

    assertThat(v.notes()).singleElement().asString().contains("the machine was otherwise quiet (other processes 1 % of the CPU")
        .doesNotContain("quiet the machine");
  }

  @Test
  void tooFewSamplesForAnIntervalAreInvalidUnderTheNewRule() {
    long[] five = {100, 100, 100, 100, 100};

    Verdict v = Verdict.of(LatencySummary.of(five), measuredTo(3, five, null, true, null));

    assertThat(v.label()).isEqualTo("INVALID");
    assertThat(v.notes()).singleElement().asString().contains("too few for a 95 % interval of the median");
  }

  @Test
  void anUnsteadyWarmUpIsInvalidOnlyWhenTheMeasuredIterationsDrift() {
    long[] steady = {100, 101, 99, 100, 100, 101, 99, 100};

    Verdict settled = Verdict.of(LatencySummary.of(steady), measuredTo(3, steady, QUIET, false, 1.0));
    Verdict drifting = Verdict.of(LatencySummary.of(steady), measuredTo(3, steady, BUSY, false, 8.0));

    assertThat(settled.label()).isEqualTo("VALID");
    assertThat(settled.notes()).singleElement().asString().startsWith("warm-up did not meet its steady rule");
    assertThat(drifting.label()).isEqualTo("INVALID");
    assertThat(drifting.notes()).singleElement().asString().startsWith("warm-up never reached steady timing")
        .contains("other processes 48 % of the CPU");
  }

  @Test
  void theLoadIsCitedOnceWhenTwoRulesFail() {
    long[] wide = {100, 130, 90, 120, 105, 140, 95, 110};

    Verdict v = Verdict.of(LatencySummary.of(wide), measuredTo(3, wide, BUSY, false, 9.0));

    assertThat(v.notes()).hasSize(2);
    assertThat(String.join("; ", v.notes()).split("other processes 48 %", -1)).hasSize(2);
  }
}
