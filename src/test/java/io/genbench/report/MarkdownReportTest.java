package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.result.CaseResult;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class MarkdownReportTest {
  @Test
  void aReportWithoutChartsSaysOnlyWhyNotNeverThatTheyWereDrawn() {
    Charts none = new Charts(List.of(), List.of(io.genbench.chart.ChartRuntime.unavailable(new NoClassDefFoundError("java/awt/Color"))));

    String md = MarkdownReport.render(ReportFixtures.twoSuccesses(), none);

    String section = md.substring(md.indexOf("## Charts"));
    assertThat(section).startsWith("## Charts\n\n- No chart was drawn: this Java runtime cannot draw them"
        + " (java.lang.NoClassDefFoundError: java/awt/Color).").doesNotContain("Drawn from");
  }

  @Test
  void statesTheStatisticsDefinitionAndTheCostFormula() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    assertThat(md).contains(LatencySummary.DEFINITION)
        .contains("cost_1000_images = hourly_price × (1000 × time_per_image_s + model_load_s) / 3600")
        .contains("catalog, as of 2026-11-01 (us-east-1)");
  }

  @Test
  void namesTheCheapestSpotConfigurationAndTheFastestOne() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    assertThat(md).contains("### Lowest spot cost: `sd-2-1-g5xlarge-b1-s20-float16`")
        .contains("### Fastest: `sd-2-1-g6exlarge-b1-s20-float16`")
        .contains("- instance: g5.xlarge (spot)")
        .contains("- saving: $0.2599 (60.0%)")
        .contains("Average spot saving: 60.0%.")
        .contains("±30%");
  }

  @Test
  void listsTheOomCellWithItsMessageAndLogTail() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    String failures = md.substring(md.indexOf("## Failures and out-of-memory cells"), md.indexOf("## Validity"));
    assertThat(failures).contains("### `sdxl-g5xlarge-b4-s20-float32`: OOM_SKIPPED (OOM, a finding)")
        .contains("CUDA out of memory. Tried to allocate 2.50 GiB")
        .contains("```text\nloaded stabilityai/stable-diffusion-xl-base-1.0")
        .contains("### `sdxl-g6exlarge-b1-s30-bfloat16`: FAILED (error, a failure)");
  }

  @Test
  void showsAtMostTwentyLogLines() {
    List<String> log = IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).toList();
    CaseResult oom = ReportFixtures.sdxlOomOnG5();
    CaseResult longLog = withFailure(oom, new CaseResult.Failure(oom.failure().kind(), "out of memory", log));

    String md = MarkdownReport.render(new RunReport("r", null, List.of(longLog), null));

    assertThat(md).doesNotContain("line 10\n").contains("line 11\n").contains("line 30\n");
  }

  @Test
  void warnsThatTheOnnxCpuStandInIsNotARealModelsSpeed() {
    String md = MarkdownReport.render(ReportFixtures.onnxCpu());

    assertThat(md).contains("**backend: onnx-cpu, weights: random — a small stand-in UNet of the Stable Diffusion"
        + " architecture").contains("not a real SD model's speed");
  }

  @Test
  void doesNotWarnForRealWeightsOnAGpu() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    assertThat(md).doesNotContain("stand-in").doesNotContain("random weights");
  }

  @Test
  void saysSoWhenNoCaseSucceeded() {
    assertThatCode(() -> MarkdownReport.render(ReportFixtures.nothingSucceeded())).doesNotThrowAnyException();

    String md = MarkdownReport.render(ReportFixtures.nothingSucceeded());

    assertThat(md).contains("No case succeeded: there is nothing to cost.").contains("No successful case to judge.");
  }

  @Test
  void rendersARunWithoutEnvironmentPricesOrCases() {
    String md = MarkdownReport.render(new RunReport("empty", null, List.of(), null));

    assertThat(md).contains("# genbench run `empty`").contains("| genbench version | N/A |")
        .contains("no case has a price; costs are N/A.").contains("The run has no cases.");
  }

  @Test
  void writesNaWhereASuccessfulCaseHasNoPrice() {
    CaseResult unpriced = withoutPrice(ReportFixtures.sd21OnG5());

    String md = MarkdownReport.render(new RunReport("r", null, List.of(unpriced), null));

    assertThat(md).contains("Lowest spot cost: N/A (no successful case has a spot price).")
        .contains("### Fastest: `sd-2-1-g5xlarge-b1-s20-float16`").contains("- spot cost: N/A");
  }

  @Test
  void showsTokensPerSecondTtftAndTpotForLlmCases() {
    String md = MarkdownReport.render(ReportFixtures.llm());

    assertThat(md).contains("## LLM latency").contains("| `opt-125m-g6xlarge-b1-float16` | 17.963 |")
        .contains(" tok/s |");
  }

  @Test
  void listsInvalidVerdictsWithTheirNotes() {
    CaseResult few = ReportFixtures.standInOnCpu();
    CaseResult invalid = withVerdict(few, new Verdict(false, List.of("only 3 measured iterations: raise min_iterations")));

    String md = MarkdownReport.render(new RunReport("r", null, List.of(invalid), null));

    assertThat(md).contains("- `sd-2-1-m7ixlarge-b1-s20-float32`: INVALID — only 3 measured iterations: raise min_iterations");
  }

  @Test
  void writesNoDecimalCommaUnderAGermanLocale() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    assertThat(md).contains("| 1520.116 |").doesNotContain("1520,116");
  }

  static CaseResult withFailure(CaseResult r, CaseResult.Failure failure) {
    return new CaseResult(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        r.zone(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(), r.weights(), r.device(),
        r.modelLoadS(), r.warmupIterations(), r.iterations(), r.imagesPerRequest(), r.latency(), r.inferenceTimeS(),
        r.timePerImageS(), r.imagesPerS(), r.tokensPerS(), r.memory(), r.telemetry(), r.price(), r.cost(), r.verdict(),
        r.status(), failure);
  }

  static CaseResult withoutPrice(CaseResult r) {
    return new CaseResult(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        r.zone(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(), r.weights(), r.device(),
        r.modelLoadS(), r.warmupIterations(), r.iterations(), r.imagesPerRequest(), r.latency(), r.inferenceTimeS(),
        r.timePerImageS(), r.imagesPerS(), r.tokensPerS(), r.memory(), r.telemetry(), null,
        new CaseResult.Cost(null, null, null, null, null, null), r.verdict(), r.status(), r.failure());
  }

  static CaseResult withVerdict(CaseResult r, Verdict verdict) {
    return new CaseResult(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        r.zone(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(), r.weights(), r.device(),
        r.modelLoadS(), r.warmupIterations(), r.iterations(), r.imagesPerRequest(), r.latency(), r.inferenceTimeS(),
        r.timePerImageS(), r.imagesPerS(), r.tokensPerS(), r.memory(), r.telemetry(), r.price(), r.cost(), verdict,
        r.status(), r.failure());
  }

  @Test
  void showsGpuTelemetryWithEnergyPerImageWhereItWasSampled() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    assertThat(md).contains("## GPU telemetry").contains("energy per image J").contains("| 97.2 |");
  }

  @Test
  void leavesTheTelemetrySectionOutWhereNothingWasSampled() {
    assertThat(MarkdownReport.render(ReportFixtures.onnxCpu())).doesNotContain("## GPU telemetry");
  }
  @Test
  void anLlmsCountedFlopsAreNamedPerRequestWithTheirPrefillAndPerGeneratedToken() throws Exception {
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) io.genbench.Json.MAPPER.valueToTree(ReportFixtures.opt125mOnG6());
    node.set("efficiency", io.genbench.Json.MAPPER.readTree("{\"flops_per_request\":3.5e11,\"flops_per_step\":null,"
        + "\"mfu_pct\":0.4,\"mbu_pct\":20.0,\"peak\":\"L4\",\"method\":\"torch.utils.flop_counter\","
        + "\"flops_per_token\":2.5e8,\"prefill_flops\":3.2e10}"));
    CaseResult opt = io.genbench.Json.MAPPER.treeToValue(node, CaseResult.class);
    node.set("efficiency", io.genbench.Json.MAPPER.readTree("{\"flops_per_request\":2.5e8,\"flops_per_step\":null,"
        + "\"mfu_pct\":0.4,\"mbu_pct\":20.0,\"peak\":\"L4\",\"method\":\"torch.utils.flop_counter\"}"));
    CaseResult stored = io.genbench.Json.MAPPER.treeToValue(node, CaseResult.class);

    String md = MarkdownReport.render(new RunReport("r", null, List.of(opt), null));
    String old = MarkdownReport.render(new RunReport("r", null, List.of(stored), null));

    assertThat(md).contains("`opt-125m-g6xlarge-b1-float16` 3.500e+11 FLOPs per request (prefill 3.200e+10), 2.500e+08 per"
        + " generated token (torch.utils.flop_counter)");
    assertThat(old).contains("`opt-125m-g6xlarge-b1-float16` 2.500e+08 FLOPs per generated token (prefill not counted)")
        .doesNotContain("FLOPs per request (prefill");
  }
}
