package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.result.CaseResult;
import io.genbench.result.ResultFile;
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
        .contains("- instance: g5.xlarge\n")
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

    assertThat(md).contains("Lowest spot cost: none (no valid successful case that fits its instance has a spot price).")
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

  @Test
  void theReportOpensWithItsSummaryThenResultsAndChartsAndEndsWithMethodAndEnvironment() {
    String md = MarkdownReport.render(ReportFixtures.twoSuccesses());

    List<String> headings = md.lines().filter(l -> l.startsWith("## ")).toList();
    assertThat(headings).startsWith("## Summary", "## Results", "## Charts").endsWith("## Method", "## Environment");
    assertThat(headings.indexOf("## Validity")).isLessThan(headings.indexOf("## Measurement conditions"));
    assertThat(md.indexOf("- Cheapest valid (spot): ")).isBetween(md.indexOf("## Summary"), md.indexOf("## Results"));
  }

  @Test
  void theSummaryCountsStatusesAndVerdictsGivesTheReasonsAndSaysWhatToDoNext() {
    CaseResult few = withVerdict(ReportFixtures.sd21OnG6e(), new Verdict(false,
        List.of("only 3 measured iterations: P90 and above are the maximum; raise min_iterations to 5 or more")));
    RunReport run = new RunReport("r", null, List.of(ReportFixtures.sd21OnG5(), few, ReportFixtures.sdxlWorkerErrorOnG6e()), null);

    String summary = summary(MarkdownReport.render(run));

    assertThat(summary).contains("- 3 cases: 2 SUCCESS, 1 FAILED.\n")
        .contains("- Verdicts of the 2 successful cases: 1 VALID, 1 INVALID.\n")
        .contains("- INVALID, 1 case (`sd-2-1-g6exlarge-b1-s20-float16`): only 3 measured iterations: P90 and above are the"
            + " maximum; raise min\\_iterations to 5 or more.\n")
        .contains("- Next: raise min\\_iterations to 5 or more (1 case).\n")
        .contains("- Next: read why 1 case failed");
  }

  @Test
  void theCheapestAndFastestLeaveInvalidCasesOutAsGenbenchBestDoes() {
    // g6e is the fastest; made INVALID, it is no longer offered: the valid g5 case is the fastest valid
    CaseResult noisy = withVerdict(ReportFixtures.sd21OnG6e(), new Verdict(false, List.of("e2e unstable: std is 31% of the"
        + " mean after a steady warm-up; something else used the machine while measuring: quiet it")));
    RunReport run = new RunReport("r", null, List.of(ReportFixtures.sd21OnG5(), noisy), null);

    String md = MarkdownReport.render(run);

    assertThat(summary(md)).contains("- Fastest valid: `sd-2-1-g5xlarge-b1-s20-float16`, 1.522 s/image")
        .contains("- Next: something else used the machine while measuring: quiet it (1 case).");
    assertThat(md).contains("### Fastest: `sd-2-1-g5xlarge-b1-s20-float16`").doesNotContain("### Fastest: `sd-2-1-g6e");
  }

  @Test
  void casesBrokenByOneRuleWithDifferentFiguresShareOneSummaryLineAndOneRemedy() {
    CaseResult a = withVerdict(ReportFixtures.sd21OnG5(), new Verdict(false, List.of("e2e unstable: std is 19% of the mean;"
        + " something else used the machine while measuring: quiet it")));
    CaseResult b = withVerdict(ReportFixtures.sd21OnG6e(), new Verdict(false, List.of("e2e unstable: std is 18% of the mean;"
        + " something else used the machine while measuring: quiet it")));

    String summary = summary(MarkdownReport.render(new RunReport("r", null, List.of(a, b), null)));

    assertThat(summary).contains("- INVALID, all 2 successful cases: e2e unstable (each case's figures under Validity).\n")
        .contains("- Next: something else used the machine while measuring: quiet it (2 cases).\n")
        .doesNotContain("19%");
  }

  @Test
  void anInvalidVerdictWithoutARemedyIsNotCalledNothingToFix() {
    CaseResult spread = withVerdict(ReportFixtures.sd21OnG6e(), new Verdict(false, List.of("warm-up never reached steady"
        + " timing (10 iterations)")));

    String summary = summary(MarkdownReport.render(new RunReport("r", null, List.of(ReportFixtures.sd21OnG5(), spread), null)));

    assertThat(summary).contains("- Next: see why 1 case is not VALID: the reasons are above, each case's figures under Validity.\n")
        .doesNotContain("nothing to fix");
  }

  @Test
  void aRunWhoseCasesAreAllInvalidOffersNoneAndSaysHowBestCountsThem() {
    Verdict invalid = new Verdict(false, List.of("only 3 measured iterations: raise min_iterations"));
    RunReport run = new RunReport("r", null, List.of(withVerdict(ReportFixtures.sd21OnG5(), invalid),
        withVerdict(ReportFixtures.sd21OnG6e(), invalid)), null);

    String summary = summary(MarkdownReport.render(run));

    assertThat(summary).contains("- INVALID, all 2 successful cases: only 3 measured iterations: raise min\\_iterations.")
        .contains("- Cheapest and fastest valid: none: no successful case is VALID, and INVALID ones are left out as genbench"
            + " best leaves them out (genbench best --include-invalid ranks them, flagged).").doesNotContain("Fastest valid");
  }

  @Test
  void whatDoesNotFitWhatWasSkippedAndAnIncompleteRunAreSaidInTheSummary() {
    CaseResult skipped = ReportFixtures.float16OnCpu();
    RunReport run = new RunReport("r", ReportFixtures.environment("torch-cuda", "local"),
        List.of(ReportFixtures.sd21OnG5(), ReportFixtures.sdxlTooBigForG6e(), skipped), null, List.of(), java.util.Map.of(),
        List.of(new RunReport.Unfinished("late-case", RunReport.NOT_RUN)));

    String summary = summary(MarkdownReport.render(run));

    assertThat(summary).contains("**The run is incomplete: 1 of 4 planned cases have no result")
        .contains("does not fit g6e.xlarge: 55.3 of 48.0 GB GPU memory")
        .contains("- Skipped, not failures: 1 case that cannot run here")
        .contains("- Next: finish the run: genbench run --resume RUN\\_DIR")
        .contains("- Next: run or price the case that does not fit on an instance type with more memory");
  }

  @Test
  void theResultsTableShowsP95AndTheRequestedInstanceBesideWhereItWasMeasured() {
    CaseResult elsewhere = ReportFixtures.pricedElsewhere(ReportFixtures.sd21OnG5(), "local (Intel Xeon)");

    String md = MarkdownReport.render(new RunReport("r", null, List.of(elsewhere), null));

    assertThat(md).contains("| case | model | instance | measured on | batch |").contains("| e2e P50 ms | e2e P95 ms | e2e P99 ms |")
        .contains("| `sd-2-1-g5xlarge-b1-s20-float16` | SD2.1 | g5.xlarge | local Intel Xeon | 1 |")
        .contains("| 1520.116 | 1531.208 | 1531.208 |");
  }

  @Test
  void aCostPricedElsewhereIsSaidInOnePhraseInTheReportAndOnTheConsole() {
    RunReport run = new RunReport("r", null, List.of(ReportFixtures.pricedElsewhere(ReportFixtures.sd21OnG5(), "local (Intel Xeon)")), null);

    String md = MarkdownReport.render(run);
    String console = ConsoleSummary.render(run);

    String phrase = "g5.xlarge spot (priced, not measured: timed on local Intel Xeon)";
    assertThat(md).contains("$0.1733 per 1000 images on " + phrase).contains("- instance: g5.xlarge (priced, not measured:"
        + " timed on local Intel Xeon)").doesNotContain("priced as it");
    assertThat(console).contains("$0.1733 per 1000 images on " + phrase).doesNotContain("priced as it");
  }

  /** The Summary section of a report. */
  private static String summary(String md) {
    return md.substring(md.indexOf("## Summary"), md.indexOf("## Results"));
  }

  static CaseResult withFailure(CaseResult r, CaseResult.Failure failure) {
    return new ResultFile(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        r.zone(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(), r.weights(), r.device(),
        r.modelLoadS(), r.warmupIterations(), r.iterations(), r.imagesPerRequest(), r.latency(), r.inferenceTimeS(),
        r.timePerImageS(), r.imagesPerS(), r.tokensPerS(), r.memory(), r.telemetry(), r.price(), ResultFile.CostFile.of(r.cost()), r.verdict(),
        r.status(), failure, null, null, null, null, null, null).toResult();
  }

  static CaseResult withoutPrice(CaseResult r) {
    return new ResultFile(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        r.zone(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(), r.weights(), r.device(),
        r.modelLoadS(), r.warmupIterations(), r.iterations(), r.imagesPerRequest(), r.latency(), r.inferenceTimeS(),
        r.timePerImageS(), r.imagesPerS(), r.tokensPerS(), r.memory(), r.telemetry(), null,
        ResultFile.CostFile.of(new CaseResult.ImageCost(null, null, null, null, null, null)), r.verdict(), r.status(), r.failure(), null, null, null, null, null, null).toResult();
  }

  static CaseResult withVerdict(CaseResult r, Verdict verdict) {
    return new ResultFile(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        r.zone(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(), r.weights(), r.device(),
        r.modelLoadS(), r.warmupIterations(), r.iterations(), r.imagesPerRequest(), r.latency(), r.inferenceTimeS(),
        r.timePerImageS(), r.imagesPerS(), r.tokensPerS(), r.memory(), r.telemetry(), r.price(), ResultFile.CostFile.of(r.cost()), verdict,
        r.status(), r.failure(), null, null, null, null, null, null).toResult();
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
