package io.genbench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.Executor;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class CaseAnalyzerTest {
  private static final TestCase CASE = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 2, 2, new Resolution(768, 768), Precision.FLOAT16);

  private static List<WorkerEvent> events(boolean tiny, String backend, WorkerEvent... rest) {
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.CaseSpec(CASE.id(), Executor.workerCase(CASE, Settings.DEFAULT, tiny, null, null, backend)));
    events.add(new WorkerEvent.Priced(CASE.id(), "g5.xlarge", null, "g5.xlarge", "spot", "us-east-1", null, 0.4, 1.0, "catalog", "2026-11-01", 1.0));
    events.add(new WorkerEvent.Hello(null, "0.1.0", 1, null, "3.12", "2.11", "13.0", "cuda",
        List.of(Map.of("name", "NVIDIA H100 80GB HBM3")), "580", "gpu"));
    events.addAll(List.of(rest));
    return events;
  }

  private static WorkerEvent.Sample sample(int i, long e2e) {
    return new WorkerEvent.Sample(CASE.id(), i, "measure", e2e, 10, List.of(e2e / 4, e2e / 4), 20, 2, null, null, null, null);
  }

  @Test
  void timePerImageIsTheMeanRequestOverItsImagesAndCostIncludesTheLoad() {
    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch",
        new WorkerEvent.Loaded(CASE.id(), 3_600_000_000L, "random", 1L, Map.of()),
        sample(0, 1_000_000_000L), sample(1, 3_000_000_000L),
        new WorkerEvent.Memory(CASE.id(), 1, 5_000_000_000L, "cuda"), new WorkerEvent.Done(CASE.id()))), List.of());

    assertThat(r.status()).isEqualTo(CaseStatus.SUCCESS);
    assertThat(r.inferenceTimeS()).isEqualTo(2.0);
    assertThat(r.timePerImageS()).isEqualTo(1.0);
    assertThat(r.imagesPerS()).isEqualTo(1.0);
    // 0.4 $/h * (1000 * 1 s + 3.6 s) / 3600
    var cost = (io.genbench.result.CaseResult.ImageCost) r.cost(); // a diffusion case is priced per 1000 images
    assertThat(cost.cost1000ImagesSpotUsd()).isEqualByComparingTo(
        io.genbench.cost.CostModel.round(java.math.BigDecimal.valueOf(0.4 * 1003.6 / 3600)));
    assertThat(cost.cost1000ImagesActualUsd()).isEqualByComparingTo(cost.cost1000ImagesSpotUsd());
    assertThat(r.latency().get("per_step").n()).isEqualTo(4);
    assertThat(r.device()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(r.backend()).isEqualTo("torch-cuda");
  }

  @Test
  void tinyAndDiffusersRunsSaySoInTheirBackend() {
    var tiny = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(true, "torch", sample(0, 10), new WorkerEvent.Done(CASE.id()))), List.of());
    var diffusers = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "diffusers", sample(0, 10), new WorkerEvent.Done(CASE.id()))), List.of());

    assertThat(tiny.backend()).isEqualTo("torch-cuda (tiny configuration)");
    assertThat(diffusers.backend()).isEqualTo("diffusers-cuda");
  }

  @Test
  void aStreamThatEndsMidCaseIsAWorkerErrorWithTheLogTail() {
    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch", sample(0, 10))), List.of("Killed"));

    assertThat(r.status()).isEqualTo(CaseStatus.FAILED);
    assertThat(r.failure().kind()).isEqualTo(FailureKind.WORKER_ERROR);
    assertThat(r.failure().logTail()).containsExactly("Killed");
    assertThat(r.cost()).isNull();
  }

  @Test
  void aCaseTheBackendCannotRunIsUnsupportedAndAnOldRunsBudgetStopIsStillAFailure() {
    var skipped = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch",
        new WorkerEvent.Failed(CASE.id(), FailureKind.SKIPPED, "the onnx-cpu backend runs float32 only"), new WorkerEvent.Done(CASE.id()))), List.of());
    // runs written before the budget kind recorded a budget stop as "skipped"
    var oldBudget = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch",
        new WorkerEvent.Failed(CASE.id(), FailureKind.SKIPPED, "not run: the budget of $4 was spent ($5.03 measured)"),
        new WorkerEvent.Done(CASE.id()))), List.of());

    assertThat(skipped.status()).isEqualTo(CaseStatus.UNSUPPORTED);
    assertThat(skipped.status().isFailure()).isFalse();
    assertThat(oldBudget.status()).isEqualTo(CaseStatus.FAILED);
    assertThat(oldBudget.failure().kind()).isEqualTo(FailureKind.BUDGET);
  }

  @Test
  void theFirstFailureWinsAndSignalsMapToTheSeedStatuses() {
    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch",
        new WorkerEvent.Failed(CASE.id(), FailureKind.OOM_SIGNAL, "worker exited with code 137"),
        new WorkerEvent.Failed(CASE.id(), FailureKind.INFRASTRUCTURE, "later"), new WorkerEvent.Done(CASE.id()))), List.of());

    assertThat(r.status()).isEqualTo(CaseStatus.OOM_SIGNAL);
    assertThat(r.failure().message()).contains("137");
  }

  @Test
  void telemetryCoversTheMeasuredIterationsOnly() {
    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch",
        new WorkerEvent.Telemetry(CASE.id(), 500_000_000L, 5.0, 10.0, 80.0, false),
        sample(0, 1_000_000_000L), sample(1, 1_000_000_000L),
        new WorkerEvent.Telemetry(CASE.id(), 1_000_000_000L, 90.0, 30.0, 600.0, true),
        new WorkerEvent.Telemetry(CASE.id(), 1_500_000_000L, 100.0, 40.0, 700.0, true),
        new WorkerEvent.Done(CASE.id()))), List.of());

    assertThat(r.telemetry().samples()).isEqualTo(2);
    assertThat(r.telemetry().gpuUtilMeanPct()).isEqualTo(95.0);
    assertThat(r.telemetry().powerMeanW()).isEqualTo(650.0);
    // 650 W over 2 s of measured requests, 4 images
    assertThat(r.telemetry().energyPerImageJ()).isEqualTo(325.0);
  }

  @Test
  void theGpuBusyFractionIsProfiledKernelTimeOverTheMeasuredStepAndBelowNinetyPercentIsHostBound() {
    // measured steps of 25 ms; the profiled iteration saw 10 ms of kernels per step in a 40 ms (profiler-stretched) step
    List<WorkerEvent> rest = new ArrayList<>();
    rest.add(new WorkerEvent.Loaded(CASE.id(), 1L, "random", 1L, Map.of(), Map.of("cuda_graphs", false, "compile", false)));
    rest.add(new WorkerEvent.Warmed(CASE.id(), 4, true, 3, 0.05, 0.01));
    for (int i = 0; i < 6; i++) rest.add(sample(i, 100_000_000L));
    rest.add(new WorkerEvent.Profile(CASE.id(), "torch.profiler", List.of(40_000_000L, 40_000_000L),
        List.of(10_000_000L, 10_000_000L), 0.25));
    rest.add(new WorkerEvent.Done(CASE.id()));

    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch", rest.toArray(WorkerEvent[]::new))), List.of());

    assertThat(r.gpuBusy().fraction()).isEqualTo(0.4);
    assertThat(r.gpuBusy().stepKernelMs()).isEqualTo(10.0);
    assertThat(r.gpuBusy().stepWallMs()).isEqualTo(25.0);
    assertThat(r.verdict().label()).isEqualTo("HOST-BOUND");
    assertThat(r.verdict().notes()).singleElement().asString().contains("busy 40 %").contains("--cuda-graphs on");
  }

  @Test
  void mfuIsRequestFlopsOverMeanE2eOverTheDatasheetPeakAndUnknownGpusGetNone() {
    var flops = new WorkerEvent.Flops(CASE.id(), "torch.utils.flop_counter", 98.95e12, 40e12, null, null);

    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch",
        new WorkerEvent.Loaded(CASE.id(), 1L, "random", 1L, Map.of()), flops,
        sample(0, 1_000_000_000L), sample(1, 1_000_000_000L), new WorkerEvent.Done(CASE.id()))), List.of());

    // 98.95 TFLOP per request in 1 s on an H100 SXM (989.5 dense FP16 TFLOPS) is 10 %
    assertThat(r.efficiency().mfuPct()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.efficiency().peak()).contains("H100 SXM").contains("https://www.nvidia.com/");
  }

  @Test
  void withTrialsTheLeastBusyTrialDecidesTheHostBoundVerdictAndTheRangeIsShown() {
    // trial 1: 20 ms steps, 19 ms of kernels (95 %); trial 2, a slower host: 30 ms steps, the same kernels (63 %)
    List<WorkerEvent> rest = new ArrayList<>();
    rest.add(new WorkerEvent.Loaded(CASE.id(), 1L, "random", 1L, Map.of(), Map.of("cuda_graphs", false, "compile", false)));
    for (int t = 1; t <= 2; t++) {
      rest.add(new WorkerEvent.Trial(CASE.id(), t, 2));
      for (int i = 0; i < 6; i++) rest.add(sample(i, t == 1 ? 80_000_000L : 120_000_000L));
      rest.add(new WorkerEvent.Profile(CASE.id(), "torch.profiler", List.of(40_000_000L, 40_000_000L),
          List.of(19_000_000L, 19_000_000L), 0.5));
      rest.add(new WorkerEvent.Done(CASE.id()));
    }

    var r = CaseAnalyzer.analyze(CASE.id(), Measurements.of(events(false, "torch", rest.toArray(WorkerEvent[]::new))), List.of());

    assertThat(r.gpuBusy().fraction()).isCloseTo(19.0 / 30.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.gpuBusy().trialLow()).isEqualTo(r.gpuBusy().fraction());
    assertThat(r.gpuBusy().trialHigh()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.verdict().hostBound()).isTrue();
    assertThat(r.verdict().notes()).anySatisfy(n -> assertThat(n).contains("busy 63 % of each step (in the least busy trial; 63–95 % across trials)"));
  }
  /** An OPT-1.3b b8 128+64 float16 case on an H200, as the worker describes it (read from JSON: only the LLM fields). */
  private static List<WorkerEvent> llmEvents(WorkerEvent... rest) {
    WorkerCase spec;
    try {
      spec = io.genbench.Json.MAPPER.readValue("{\"id\":\"opt\",\"model\":\"facebook/opt-1.3b\",\"instance_type\":\"p5e.48xlarge\","
          + "\"batch_size\":8,\"precision\":\"float16\",\"prompt_tokens\":128,\"output_tokens\":64,\"backend\":\"torch\"}",
          WorkerCase.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.CaseSpec("opt", spec));
    events.add(new WorkerEvent.Hello(null, "0.1.0", 1, null, "3.12", "2.11", "13.0", "cuda",
        List.of(Map.of("name", "NVIDIA H200")), "580", "gpu"));
    events.add(new WorkerEvent.Loaded("opt", 1L, "random", 1L, Map.of(), Map.of("cuda_graphs", false, "compile", false)));
    events.addAll(List.of(rest));
    events.add(new WorkerEvent.Done("opt"));
    return events;
  }

  /** One OPT request: prefill 40 ms, then 63 decode steps of `tpot` ns, 8 × 64 tokens. */
  private static WorkerEvent.Sample llmSample(int i, long tpot) {
    long prefill = 40_000_000L;
    return new WorkerEvent.Sample("opt", i, "measure", prefill + 63 * tpot, 0, List.of(), 0, 0, prefill, prefill,
        java.util.Collections.nCopies(63, tpot), 8 * 64);
  }

  @Test
  void anLlmsGpuBusyFractionIsTheDecodeStepsKernelTimeOverTheMeasuredMedianTpotNotTheProfiledStep() {
    // the figures: 2.02 ms of kernels in an 11.23 ms profiled decode step; the measured TPOT is 6.3 ms
    List<WorkerEvent> rest = new ArrayList<>();
    for (int i = 0; i < 5; i++) rest.add(llmSample(i, 6_300_000L));
    rest.add(new WorkerEvent.Profile("opt", "torch.profiler", List.of(11_230_000L, 11_230_000L, 11_230_000L),
        List.of(2_020_000L, 2_020_000L, 2_020_000L), 2.02 / 11.23));

    var r = CaseAnalyzer.analyze("opt", Measurements.of(llmEvents(rest.toArray(WorkerEvent[]::new))), List.of());

    assertThat(r.gpuBusy().fraction()).isCloseTo(2.02 / 6.3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.gpuBusy().stepWallMs()).isCloseTo(6.3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.gpuBusy().stepKernelMs()).isCloseTo(2.02, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.gpuBusy().method()).isEqualTo("torch.profiler kernels over the measured TPOT");
  }
  @Test
  void anLlmsMfuIsItsWholeRequestPrefillAndEveryDecodeStepOverTheMeanE2eAndItsTokenCountIsNamedSo() {
    // 8 × 128 prompt tokens of prefill (2.75 TFLOP) + 63 decode steps of 8 tokens at 2.65 GFLOP each; H200 float16 989.5 TFLOPS
    double token = 2.65e9;
    double prefill = 2.75e12;
    double request = prefill + 63 * 8 * token;
    var flops = new WorkerEvent.Flops("opt", "torch.utils.flop_counter", request, null, token, 2.7e9, prefill);
    List<WorkerEvent> rest = new ArrayList<>(List.of(flops));
    for (int i = 0; i < 4; i++) rest.add(llmSample(i, 6_300_000L));

    var r = CaseAnalyzer.analyze("opt", Measurements.of(llmEvents(rest.toArray(WorkerEvent[]::new))), List.of());

    double e2eS = (40_000_000L + 63 * 6_300_000L) / 1e9;
    assertThat(r.efficiency().mfuPct()).isCloseTo(100 * request / e2eS / 989.5e12, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.efficiency().flopsPerRequest()).isEqualTo(request);
    assertThat(r.efficiency().flopsPerToken()).isEqualTo(token);
    assertThat(r.efficiency().prefillFlops()).isEqualTo(prefill);
  }

  @Test
  void anLlmFlopsEventFromAnOlderWorkerKeepsItsDecodeOnlyMfuAndNoLongerCallsItsTokenCountARequest() {
    var flops = new WorkerEvent.Flops("opt", "torch.utils.flop_counter", null, null, 2.65e9, 2.7e9);
    List<WorkerEvent> rest = new ArrayList<>(List.of(flops));
    for (int i = 0; i < 4; i++) rest.add(llmSample(i, 6_300_000L));

    var r = CaseAnalyzer.analyze("opt", Measurements.of(llmEvents(rest.toArray(WorkerEvent[]::new))), List.of());

    double tokensPerS = 8 * 64 / ((40_000_000L + 63 * 6_300_000L) / 1e9);
    assertThat(r.efficiency().mfuPct()).isCloseTo(100 * 2.65e9 * tokensPerS / 989.5e12, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.efficiency().flopsPerRequest()).isNull();
    assertThat(r.efficiency().flopsPerToken()).isEqualTo(2.65e9);
  }

  @Test
  void aStoredLlmResultWrittenBeforeFlopsPerTokenReadsItsTokenCountUnderThatName() throws Exception {
    var old = io.genbench.Json.MAPPER.readValue("{\"flops_per_request\":2.65e9,\"flops_per_step\":null,\"mfu_pct\":1.2,"
        + "\"mbu_pct\":30.0,\"peak\":\"H200\",\"method\":\"torch.utils.flop_counter\"}", CaseResult.Efficiency.class);
    var diffusion = io.genbench.Json.MAPPER.readValue("{\"flops_per_request\":9.18e13,\"flops_per_step\":4.3e12,\"mfu_pct\":16.1,"
        + "\"mbu_pct\":null,\"peak\":\"H200\",\"method\":\"torch.utils.flop_counter\"}", CaseResult.Efficiency.class);

    assertThat(old.flopsPerToken()).isEqualTo(2.65e9);
    assertThat(old.flopsPerRequest()).isNull();
    assertThat(old.mfuPct()).isEqualTo(1.2);
    assertThat(diffusion.flopsPerRequest()).isEqualTo(9.18e13);
    assertThat(diffusion.flopsPerToken()).isNull();
    // a diffusion result is written as before: no LLM fields
    assertThat(io.genbench.Json.MAPPER.writeValueAsString(diffusion)).doesNotContain("flops_per_token").doesNotContain("prefill");
  }
}
