package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genbench.Json;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.WorkerEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class EstimatorTest {
  /** The quickstart's rules: warm-up 2, 5 to 50 measured iterations, at least 3 s. */
  private static final Settings QUICK = new Settings(2, 5, 50, 3.0, 600, 42);
  private static final TestCase A = TestCase.diffusion(Model.SD_2_1, "m7i.large", 1, 10, new Resolution(256, 256), Precision.FLOAT32);
  private static final TestCase B = TestCase.diffusion(Model.SD_2_1, "m7i.large", 1, 10, new Resolution(512, 512), Precision.FLOAT32);

  @TempDir
  Path tmp;

  /** A cost model that must not be asked: every case has an earlier run. */
  private static final java.util.function.Supplier<Estimator.CostModel> NEVER = () -> {
    throw new AssertionError("the cost model was built although every case ran before");
  };

  @Test
  void theRulesBecomeCountsThroughOneFunction() {
    // 0.3 s iterations: 3 s of measuring is 10 iterations, within 5..50; steady at the 4th, so 3 warm-ups
    assertThat(Estimator.counts(QUICK, 0.3, 4)).isEqualTo(new Estimator.Counts(3, 10));
    // slow iterations: the minimum count (max_measure_s, 60 s, ends measuring before the median's interval);
    // warm-up no longer than max_warmup_s (60 s) allows, but its minimum
    assertThat(Estimator.counts(QUICK, 25, 30)).isEqualTo(new Estimator.Counts(3, 5));
    // 8 s iterations: the 6 samples the median's interval needs fit the budget, one more than min_iterations
    assertThat(Estimator.counts(QUICK, 8, 30)).isEqualTo(new Estimator.Counts(8, 6));
    // fast iterations: the maximum count
    // (and a window of 3 at least: the third completes it and is measured, 2 warm-ups)
    assertThat(Estimator.counts(QUICK, 0.01, 1)).isEqualTo(new Estimator.Counts(2, 50));
  }

  @Test
  void aCaseThatRanBeforeIsEstimatedFromItsOwnMeasuredParts() throws Exception {
    Path earlier = tmp.resolve("runs/first");
    // worker start 0.5 s, build 1 s, 4 warm-ups of 0.3 s, 10 samples of 0.3 s, 0.2 s around them: 5.9 s in all
    writeRun(earlier, QUICK, A, 4, 10, 0.3, 1.0, 5.9, 0.5);
    Plan plan = new Plan(Mode.SD_ONLY, QUICK, List.of(A));

    var est = new Estimator(plan, "onnx-cpu", "cpu", List.of(earlier), NEVER).estimates(Set.of()).get(A.id());

    assertThat(est.source()).isEqualTo(Estimator.Source.CASE);
    assertThat(est.from()).isEqualTo("first");
    assertThat(est.startS()).isCloseTo(0.5, within(1e-9));
    assertThat(est.buildS()).isCloseTo(1.0, within(1e-9));
    assertThat(est.warmupS()).isCloseTo(1.2, within(1e-9));
    assertThat(est.measureS()).isCloseTo(3.0, within(1e-9));
    assertThat(est.otherS()).isCloseTo(0.2, within(1e-9));
    assertThat(est.seconds()).isCloseTo(5.9, within(1e-9));
  }

  @Test
  void changedRulesChangeTheCountsOfAnEarlierCase() throws Exception {
    Path earlier = tmp.resolve("runs/first");
    writeRun(earlier, QUICK, A, 4, 10, 0.3, 1.0, 5.9, 0.5);
    Settings longer = new Settings(2, 5, 50, 6.0, 600, 42);

    var est = new Estimator(new Plan(Mode.SD_ONLY, longer, List.of(A)), "onnx-cpu", "cpu", List.of(earlier), NEVER)
        .estimates(Set.of()).get(A.id());

    assertThat(est.measureS()).isCloseTo(20 * 0.3, within(1e-9));
  }

  @Test
  void anotherCaseOfTheSameModelIsScaledByWork() throws Exception {
    Path earlier = tmp.resolve("runs/first");
    writeRun(earlier, QUICK, A, 4, 10, 0.3, 1.0, 5.9, 0.5);
    Plan plan = new Plan(Mode.SD_ONLY, QUICK, List.of(A, B));

    var est = new Estimator(plan, "onnx-cpu", "cpu", List.of(earlier), NEVER).estimates(Set.of()).get(B.id());

    // 4x the pixels: 1.2 s iterations; 6 measured (3 s / 1.2 s < the minimum 5; the median's interval needs 6), 4 warm-ups;
    // built again (in-JVM: per case)
    assertThat(est.source()).isEqualTo(Estimator.Source.MODEL);
    assertThat(est.from()).isEqualTo("first " + A.id());
    assertThat(est.startS()).isZero();
    assertThat(est.measureS()).isCloseTo(7.2, within(1e-9));
    assertThat(est.warmupS()).isCloseTo(4.8, within(1e-9));
    assertThat(est.seconds()).isCloseTo(1.0 + 4.8 + 7.2 + 0.2, within(1e-9));
  }

  @Test
  void resultsOfAnotherDeviceOrBackendAreNotUsed() throws Exception {
    Path earlier = tmp.resolve("runs/first");
    writeRun(earlier, QUICK, A, 4, 10, 0.3, 1.0, 5.9, 0.5);
    Plan plan = new Plan(Mode.SD_ONLY, QUICK, List.of(A));

    var otherDevice = new Estimator(plan, "onnx-cpu", "another CPU", List.of(earlier), () -> fixed(2)).estimates(Set.of());
    var otherBackend = new Estimator(plan, "torch", "cpu", List.of(earlier), () -> fixed(2)).estimates(Set.of());

    assertThat(otherDevice.get(A.id()).source()).isEqualTo(Estimator.Source.ROUGH);
    assertThat(otherBackend.get(A.id()).source()).isEqualTo(Estimator.Source.ROUGH);
  }

  @Test
  void withoutHistoryTheWorkerStartIsChargedPerModelGroupAndTheBuildPerPrecision() {
    TestCase sd16 = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 1, 20, new Resolution(512, 512), Precision.FLOAT16);
    TestCase sd16b4 = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 4, 20, new Resolution(512, 512), Precision.FLOAT16);
    TestCase sd32 = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 1, 20, new Resolution(512, 512), Precision.FLOAT32);
    TestCase xl = TestCase.diffusion(Model.SDXL, "g6e.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);
    Plan plan = new Plan(Mode.COMPARISON, QUICK, List.of(sd16, xl, sd16b4, sd32));

    var est = new Estimator(plan, "torch", null, List.of(), () -> fixed(2)).estimates(Set.of(sd32.id()));

    assertThat(est).containsOnlyKeys(sd16.id(), sd16b4.id(), xl.id());
    assertThat(est.get(sd16.id()).startS()).isEqualTo(10);
    assertThat(est.get(sd16b4.id()).startS()).isZero();
    assertThat(est.get(xl.id()).startS()).isEqualTo(10);
    assertThat(est.get(sd16.id()).buildS()).isEqualTo(5);
    assertThat(est.get(sd16b4.id()).buildS()).isZero();
    // 2 s iterations: 2 warm-ups (the steady window less the iteration completing it), 6 measured (the median's interval)
    assertThat(est.get(sd16b4.id()).seconds()).isCloseTo(2 * 2 + 6 * 2 + 1, within(1e-9));
    assertThat(est.get(xl.id()).source()).isEqualTo(Estimator.Source.ROUGH);
  }

  @Test
  void aQuietProbeWarmsUpInAWindowAndANoisyOneTakesLonger() {
    List<Long> quiet = List.of(100L, 101L, 100L, 99L, 100L, 100L);
    List<Long> noisy = List.of(100L, 150L, 90L, 160L, 100L, 140L);

    assertThat(Calibration.steadyAfter(quiet, 0.05)).isEqualTo(3);
    assertThat(Calibration.steadyAfter(noisy, 0.05)).isEqualTo(2 + 10);
  }

  @Test
  void theRateTableIsRoughAndReadsA100AsA100() {
    var h200 = new RateTable("NVIDIA H200");

    assertThat(h200.source()).isEqualTo(Estimator.Source.ROUGH);
    assertThat(h200.basis()).startsWith("rate table, NVIDIA H200");
    assertThat(RateTable.speed("NVIDIA A100-SXM4-80GB")).isEqualTo(0.55);
    assertThat(RateTable.speed("NVIDIA A10G")).isEqualTo(0.15);
    assertThat(RateTable.speed(null)).isEqualTo(RateTable.CPU);
    // SD 2.1 1024² batch 1 float16, 20 steps on an H100: 34.9 ms a step measured, plus the decoder
    TestCase c = TestCase.diffusion(Model.SD_2_1, "p5.48xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);
    assertThat(new RateTable("NVIDIA H100 80GB HBM3").e2eS(c)).isBetween(0.6, 0.9);
    // on a cluster each case runs on its instance type's GPU: an A10G (g5) is several times slower than an H100 (p5)
    TestCase g5 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);
    assertThat(RateTable.byInstanceType().e2eS(g5) / RateTable.byInstanceType().e2eS(c)).isCloseTo(1 / 0.15, within(1e-6));
  }

  /** A cost model: worker start 10 s, build 5 s, {@code e2e} s a request, 1 s around, steady after 3. */
  private static Estimator.CostModel fixed(double e2e) {
    return new FixedCosts(e2e, 10, 5, 1, 3, "fixed");
  }

  /** An earlier run of one case as the runner writes it: plan, result and events with the controller's timing. */
  private static void writeRun(Path run, Settings s, TestCase c, int warmups, int samples, double e2eS, double loadS,
      double wallS, double startS) throws Exception {
    Files.createDirectories(run.resolve("cases").resolve(c.id()));
    Files.writeString(run.resolve("plan.yaml"), PlanFile.toYaml(new Plan(Mode.SD_ONLY, s, List.of(c)), "test"));
    Files.writeString(run.resolve("cases").resolve(c.id()).resolve("result.json"), Json.MAPPER.writeValueAsString(Map.of(
        "case_id", c.id(), "status", "SUCCESS", "backend", "onnx-cpu", "device", "cpu", "inference_time_s", e2eS,
        "model_load_s", loadS)));
    long e2e = Math.round(e2eS * 1e9);
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.Loaded(c.id(), Math.round(loadS * 1e9), "random", 10L, Map.of("unet", 10L)));
    for (int i = 0; i < warmups; i++) events.add(new WorkerEvent.Warmup(c.id(), i, e2e));
    for (int i = 0; i < samples; i++) {
      List<Long> steps = new ArrayList<>();
      int n = c.diffusion().steps();
      for (int k = 0; k < n; k++) steps.add(e2e / (n + 2));
      events.add(new WorkerEvent.Sample(c.id(), i, "measure", e2e, e2e / (n + 2), steps, e2e / (n + 2),
          c.batchSize(), null, null, null, null, i));
    }
    events.add(new WorkerEvent.Timing(c.id(), Math.round(wallS * 1e9), Math.round(startS * 1e9)));
    events.add(new WorkerEvent.Done(c.id()));
    StringBuilder lines = new StringBuilder();
    for (WorkerEvent e : events) lines.append(Json.MAPPER.writerFor(WorkerEvent.class).writeValueAsString(e)).append('\n');
    Files.writeString(run.resolve("cases").resolve(c.id()).resolve("events.jsonl"), lines.toString());
  }
}
