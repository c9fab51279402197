package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.chart.Chart;
import io.genbench.result.CaseResult;
import io.genbench.result.ResultFile;
import io.genbench.result.CaseStatus;
import io.genbench.wire.WorkerEvent.Sample;
import io.genbench.wire.WorkerEvent.Telemetry;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/** The run's charts: their figures come from the measured data, a chart without data is a note, nothing is markup. */
final class ChartsTest {
  private static final String HOSTILE = "<script>alert(1)</script>&\"'&lt;i&gt;";

  @Test
  void theCdfIsTheSortedMeasuredE2eSamplesFromZero() {
    List<Sample> samples = List.of(sample(30, 10), sample(10, 10), sample(20, 10));

    assertThat(RunCharts.cdf(samples)).satisfiesExactly(
        p -> assertThat(p).containsExactly(10, 0),
        p -> assertThat(p).containsExactly(new double[] {10, 100.0 / 3}, within(1e-9)),
        p -> assertThat(p).containsExactly(new double[] {20, 200.0 / 3}, within(1e-9)),
        p -> assertThat(p).containsExactly(30, 100));
  }

  @Test
  void aLongCdfIsThinnedKeepingTheFastestAndSlowestRequest() {
    List<Sample> samples = IntStream.rangeClosed(1, 1000).mapToObj(i -> sample(i, 1)).toList();

    List<double[]> cdf = RunCharts.cdf(samples);

    assertThat(cdf).hasSize(RunCharts.MAX_POINTS + 1);
    assertThat(cdf.get(1)).containsExactly(1, 0.1);
    assertThat(cdf.get(cdf.size() - 1)).containsExactly(1000, 100);
  }

  @Test
  void eachStepsLineIsItsNearestRankMedianOverTheRequests() {
    List<Sample> samples = List.of(steps(100, 10, 40, 7), steps(100, 12, 41, 9), steps(100, 11, 90, 8), steps(100, 13, 42, 100));

    assertThat(RunCharts.stepMedians(samples)).containsExactly(11, 41, 8);
  }

  @Test
  void throughputLinesAreOneModelOnOneInstanceByBatchSize() {
    List<CaseResult> cases = List.of(
        image("sd-g5-b4", "SD2.1", "g5.xlarge", 4, "float16", 2.5, "0.4", "1.0", 400),
        image("sd-g5-b1", "SD2.1", "g5.xlarge", 1, "float16", 1.0, "0.4", "1.0", 1000),
        image("sd-g6e-b1", "SD2.1", "g6e.xlarge", 1, "float16", 1.6, "0.7", "1.9", 600),
        image("xl-g5-b1", "SDXL", "g5.xlarge", 1, "float16", 0.3, "0.4", "1.0", 3000));

    Map<String, List<RunCharts.BatchPoint>> lines = RunCharts.batchLines(cases);

    assertThat(lines).containsOnlyKeys("SD2.1 · g5.xlarge", "SD2.1 · g6e.xlarge", "SDXL · g5.xlarge");
    assertThat(lines.get("SD2.1 · g5.xlarge")).extracting(RunCharts.BatchPoint::batchSize).containsExactly(1, 4);
    assertThat(lines.get("SD2.1 · g5.xlarge")).extracting(RunCharts.BatchPoint::imagesPerS).containsExactly(1.0, 2.5);
    assertThat(lines.get("SD2.1 · g5.xlarge")).extracting(RunCharts.BatchPoint::secondsPerImage).containsExactly(1.0, 0.4);
  }

  @Test
  void aDimensionThatVariesSplitsTheLinesAndCasesThatWouldShareAPointGetTheirOwn() {
    List<CaseResult> precisions = List.of(image("a-b1-float16", "SD2.1", "g5.xlarge", 1, "float16", 1, "1", "2", 1000),
        image("a-b1-float32", "SD2.1", "g5.xlarge", 1, "float32", 0.5, "1", "2", 2000));
    List<CaseResult> knobs = List.of(image("sd-b1-s20-math", "SD2.1", "g5.xlarge", 1, "float16", 1, "1", "2", 1000),
        image("sd-b1-s20", "SD2.1", "g5.xlarge", 1, "float16", 1.2, "1", "2", 900));

    assertThat(RunCharts.batchLines(precisions)).containsOnlyKeys("SD2.1 · g5.xlarge · float16", "SD2.1 · g5.xlarge · float32");
    assertThat(RunCharts.batchLines(knobs)).containsOnlyKeys("sd-s20-math", "sd-s20");
  }

  @Test
  void llmLinesAreOneModelOnOneInstanceByBatchSizeWithTokensPerSecondAndMedianTtft() {
    List<CaseResult> cases = List.of(llm("opt-b8-p128-o64", "OPT-1.3B", 8, 1241.0, 6), llm("opt-b1-p128-o64", "OPT-1.3B", 1, 146.7, 5),
        llm("opt125-b1-p128-o64", "OPT-125M", 1, 400.0, 2), image("sd-g5-b1", "SD2.1", "g5.xlarge", 1, "float16", 1.0, "0.4", "1.0", 1000));

    Map<String, List<RunCharts.LlmPoint>> lines = RunCharts.llmLines(cases);

    assertThat(lines).containsOnlyKeys("OPT-1.3B · p5.48xlarge", "OPT-125M · p5.48xlarge");
    assertThat(lines.get("OPT-1.3B · p5.48xlarge")).extracting(RunCharts.LlmPoint::batchSize).containsExactly(1, 8);
    assertThat(lines.get("OPT-1.3B · p5.48xlarge")).extracting(RunCharts.LlmPoint::tokensPerS).containsExactly(146.7, 1241.0);
    assertThat(lines.get("OPT-1.3B · p5.48xlarge")).extracting(RunCharts.LlmPoint::ttftP50Ms).containsExactly(5.0, 6.0);
  }

  @Test
  void aRunWithLlmCasesGetsTheLlmChartAndAnImageOnlyRunDoesNot() {
    List<CaseResult> llmCases = List.of(llm("opt-b1-p128-o64", "OPT-1.3B", 1, 146.7, 5), llm("opt-b8-p128-o64", "OPT-1.3B", 8, 1241.0, 6));
    List<CaseResult> images = List.of(image("sd-g5-b1", "SD2.1", "g5.xlarge", 1, "float16", 1.0, "0.4", "1.0", 1000));

    Charts withLlm = RunCharts.draw(report(llmCases, Map.of()));
    Charts without = RunCharts.draw(report(images, Map.of()));

    assertThat(withLlm.drawn()).extracting(Chart::name).contains("llm");
    assertThat(withLlm.drawn().stream().filter(c -> c.name().equals("llm")).findFirst().orElseThrow().svg())
        .contains("tokens/s").contains("TTFT P50 (ms)");
    assertThat(without.drawn()).extracting(Chart::name).doesNotContain("llm");
    assertThat(without.notes()).noneMatch(n -> n.startsWith("LLM"));
  }

  /** A successful LLM case on p5.48xlarge: {@code tokensPerS}, TTFT P50 {@code ttftMs}. */
  private static CaseResult llm(String id, String model, int batch, double tokensPerS, long ttftMs) {
    long[] e2e = new long[10];
    Arrays.fill(e2e, 500_000_000L);
    long[] ttft = new long[10];
    Arrays.fill(ttft, ttftMs * 1_000_000);
    LatencySummary s = LatencySummary.of(e2e);
    Map<String, LatencySummary> latency = Map.of("e2e", s, "ttft", LatencySummary.of(ttft));
    return new ResultFile(id, "facebook/" + model, model, "p5.48xlarge", "p5.48xlarge", "ondemand", null, batch, 0, "8x8",
        "float16", "torch-cuda", "random", "NVIDIA H200", 2.0, 2, 10, 0, latency, 0.5, null, null, tokensPerS, null, null,
        null, null, Verdict.of(s), CaseStatus.SUCCESS, null, null, null, null, null, null, null).toResult();
  }

  @Test
  void eachBarIsTheCheapestCaseOfAModelOnAnInstanceAtALifecycle() {
    List<CaseResult> cases = List.of(
        image("sd-g5-b1", "SD2.1", "g5.xlarge", 1, "float16", 1.0, "0.50", "1.20", 1000),
        image("sd-g5-b4", "SD2.1", "g5.xlarge", 4, "float16", 2.5, "0.30", "0.80", 400),
        image("xl-g5-b1", "SDXL", "g5.xlarge", 1, "float16", 0.3, "2.00", "5.00", 3000));

    List<RunCharts.CostBar> bars = RunCharts.cheapest(cases);

    assertThat(bars).extracting(b -> b.model() + " " + b.lifecycle() + " " + b.usd() + " " + b.caseId()).containsExactly(
        "SD2.1 spot 0.30 sd-g5-b4", "SD2.1 on-demand 0.80 sd-g5-b4", "SDXL spot 2.00 xl-g5-b1", "SDXL on-demand 5.00 xl-g5-b1");
  }

  @Test
  void theParetoChartNamesTheFrontierCasesOnly() throws Exception {
    List<CaseResult> cases = List.of(
        image("fast-dear", "SD2.1", "g6e.xlarge", 1, "float16", 2, "3.0", "3.0", 500),
        image("balanced", "SD2.1", "g5.xlarge", 1, "float16", 1, "1.0", "1.0", 1000),
        image("dominated", "SD2.1", "g5.xlarge", 2, "float16", 1, "2.0", "2.0", 1500),
        image("slow-cheap", "SD2.1", "g4dn.xlarge", 1, "float16", 0.5, "0.5", "0.5", 4000));
    RunReport report = report(cases, Map.of());

    List<RunCharts.CostLatency> frontier = RunCharts.frontier(RunCharts.costLatency(report.successes()));
    Chart pareto = chart(Charts.of(report), "pareto");

    assertThat(frontier).extracting(p -> p.result().caseId()).containsExactly("fast-dear", "balanced", "slow-cheap");
    String text = texts(parse(pareto.document()));
    assertThat(text).contains("1  fast-dear", "2  balanced", "3  slow-cheap").doesNotContain("dominated (");
    assertThat(frontier.get(1).p95Ms()).isEqualTo(1000);
    assertThat(frontier.get(1).usd()).isEqualTo(1.0);
  }

  @Test
  void anInvalidCaseIsDrawnOnTheParetoChartButNeverOnItsFrontierAsGenbenchBestLeavesItOut() throws Exception {
    CaseResult balanced = image("balanced", "SD2.1", "g5.xlarge", 1, "float16", 1, "1.0", "1.0", 1000);
    CaseResult invalid = MarkdownReportTest.withVerdict(balanced, new Verdict(false, List.of("e2e unstable: quiet it")));
    List<CaseResult> cases = List.of(
        image("fast-dear", "SD2.1", "g6e.xlarge", 1, "float16", 2, "3.0", "3.0", 500), invalid,
        image("dominated", "SD2.1", "g5.xlarge", 2, "float16", 1, "2.0", "2.0", 1500),
        image("slow-cheap", "SD2.1", "g4dn.xlarge", 1, "float16", 0.5, "0.5", "0.5", 4000));
    RunReport report = report(cases, Map.of());

    List<RunCharts.CostLatency> points = RunCharts.costLatency(report.successes());
    String text = texts(parse(chart(Charts.of(report), "pareto").document()));

    assertThat(points).extracting(p -> p.result().caseId()).contains("balanced");
    // without the INVALID case, the case it dominated is on the frontier
    assertThat(RunCharts.frontier(points)).extracting(p -> p.result().caseId()).containsExactly("fast-dear", "dominated", "slow-cheap");
    assertThat(text).contains("2  dominated", "INVALID cases are drawn but never on it").doesNotContain("balanced  (");
  }

  @Test
  void aRunWithoutAValidCaseDrawsItsCasesWithoutAFrontier() throws Exception {
    Verdict invalid = new Verdict(false, List.of("only 3 measured iterations: raise min_iterations"));
    RunReport report = report(List.of(
        MarkdownReportTest.withVerdict(image("a", "SD2.1", "g5.xlarge", 1, "float16", 1, "1.0", "1.0", 1000), invalid),
        MarkdownReportTest.withVerdict(image("b", "SD2.1", "g5.xlarge", 2, "float16", 2, "2.0", "2.0", 500), invalid)), Map.of());

    String text = texts(parse(chart(Charts.of(report), "pareto").document()));

    assertThat(RunCharts.frontier(RunCharts.costLatency(report.successes()))).isEmpty();
    assertThat(text).contains("No case is valid, so there is no frontier", "INVALID");
    assertThat(text.lines()).as("no legend entry for a frontier line").doesNotContain("Pareto frontier");
  }

  @Test
  void theThroughputAxesStartAtZero() throws Exception {
    List<CaseResult> cases = List.of(image("sd-b1", "SD2.1", "g5.xlarge", 1, "float16", 10, "0.4", "1.0", 100),
        image("sd-b2", "SD2.1", "g5.xlarge", 2, "float16", 12, "0.4", "1.0", 170));

    Document batch = parse(chart(Charts.of(report(cases, Map.of())), "batch").document());

    // the images/s panel runs from 0 (a cropped axis makes 10 against 12 images/s look like 3x); s/image is 0.08 to 0.1
    List<String> labels = new ArrayList<>();
    NodeList nodes = batch.getElementsByTagNameNS("*", "text");
    for (int i = 0; i < nodes.getLength(); i++) labels.add(nodes.item(i).getTextContent().strip());
    assertThat(labels).contains("0", "images/s");
  }

  @Test
  void aChartWithoutDataIsOneLineNotAnEmptyChart() {
    RunReport report = report(List.of(image("only", "SD2.1", "g5.xlarge", 1, "float16", 1, "1", "2", 1000)), Map.of());

    Charts charts = Charts.of(report);

    assertThat(charts.drawn()).extracting(Chart::name).containsExactly("batch", "cost");
    assertThat(charts.notes()).containsExactly(
        "e2e latency distribution: no successful case has measured samples in its events.",
        "Per-step latency: no successful image case has per-step timings in its events.",
        "Cost against latency: needs two or more successful, priced image cases (this run has 1).",
        "GPU utilisation and power: no case sampled GPU telemetry (backend torch-cuda).");
  }

  @Test
  void aSectionThatFailsAfterSayingWhatItDrawsLeavesOnlyItsNotDrawnNote() {
    List<Chart> drawn = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    RunCharts.attempt("GPU utilisation and power", drawn, notes, (out, n) -> {
      n.add("GPU utilisation and power: drawn for the first 3 of 7 cases with telemetry.");
      out.accept(new Chart("telemetry-1", "GPU utilisation and power", "<svg/>"));
      throw new IllegalStateException("Fontconfig head is null");
    });

    assertThat(drawn).isEmpty();
    assertThat(notes).containsExactly("GPU utilisation and power: not drawn (java.lang.IllegalStateException: Fontconfig head is null).");
  }

  @Test
  void aSectionThatDrawsKeepsItsChartsAndNotes() {
    List<Chart> drawn = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    RunCharts.attempt("GPU utilisation and power", drawn, notes, (out, n) -> {
      n.add("GPU utilisation and power: drawn for the first 3 of 7 cases with telemetry.");
      out.accept(new Chart("telemetry-1", "GPU utilisation and power", "<svg/>"));
    });

    assertThat(drawn).extracting(Chart::name).containsExactly("telemetry-1");
    assertThat(notes).containsExactly("GPU utilisation and power: drawn for the first 3 of 7 cases with telemetry.");
  }

  @Test
  void aRunWithoutSuccessesDrawsNothingAndSaysWhy() {
    Charts charts = Charts.of(ReportFixtures.nothingSucceeded());

    assertThat(charts.drawn()).isEmpty();
    assertThat(charts.notes()).hasSize(6);
  }

  @Test
  void manyCasesGetABoxPlotOfTheFirstThirtyInsteadOfACdf() throws Exception {
    List<CaseResult> cases = new ArrayList<>();
    Map<String, CaseSeries> series = new LinkedHashMap<>();
    for (int i = 0; i < 33; i++) {
      String id = "case-" + i;
      cases.add(image(id, "SD2.1", "g5.xlarge", 1 + i, "float16", 1, "1", "2", 1000 + i));
      series.put(id, new CaseSeries(List.of(sample(1000 + i, 10), sample(1100 + i, 10)), List.of()));
    }

    Charts charts = Charts.of(report(cases, series));

    Chart latency = chart(charts, "latency");
    assertThat(latency.title()).contains("box plot");
    assertThat(texts(parse(latency.document()))).contains("case-29").doesNotContain("case-30");
    assertThat(charts.notes()).anyMatch(n -> n.startsWith("e2e latency distribution: the first 30 of 33"));
    assertThat(chart(charts, "steps").svg()).doesNotContain("case-8");
  }

  @Test
  void theBoxIsTheQuartilesMedianAndP99OfTheSamples() {
    List<Sample> samples = IntStream.rangeClosed(1, 200).mapToObj(i -> sample(i, 1)).toList();

    var box = RunCharts.box(samples);

    assertThat(box.getQ1()).isEqualTo(50.0);
    assertThat(box.getMedian()).isEqualTo(100.0);
    assertThat(box.getQ3()).isEqualTo(150.0);
    assertThat(box.getMaxRegularValue()).isEqualTo(198.0);
    assertThat(box.getMinRegularValue()).isEqualTo(1.0);
    assertThat(box.getOutliers()).containsExactly(199.0, 200.0);
  }

  @Test
  void telemetryIsTheFirstTrialWithItsMeasuredWindow() {
    List<Telemetry> t = List.of(tel(500, 10.0, 100.0, false), tel(1000, 90.0, 300.0, true), tel(1500, 95.0, null, true),
        tel(2000, 20.0, 150.0, false), tel(400, 50.0, 200.0, false));

    RunCharts.Trace trace = RunCharts.trace(t);

    assertThat(trace.points()).hasSize(4);
    assertThat(trace.points().get(2)[0]).isEqualTo(1.5);
    assertThat(trace.points().get(2)[1]).isEqualTo(95.0);
    assertThat(trace.points().get(2)[2]).isNaN();
    assertThat(trace.measuredFrom()).isEqualTo(1.0);
    assertThat(trace.measuredTo()).isEqualTo(1.5);
    assertThat(trace.laterTrialsLeftOut()).isTrue();
  }

  @Test
  void everyChartIsWellFormedSvgWhoseUserStringsAreTextNeverMarkup() throws Exception {
    RunReport report = hostileRun();

    Charts charts = Charts.of(report);

    assertThat(charts.drawn()).extracting(Chart::name).containsExactly("latency", "steps", "batch", "cost", "pareto", "telemetry-1");
    for (Chart c : charts.drawn()) {
      Document svg = parse(c.document());
      assertNoActiveContent(svg.getDocumentElement(), c.name());
      assertThat(texts(svg)).as(c.name()).contains("<script>alert(1)</script>&\"'&lt;i&gt;");
      assertThat(c.svg()).as(c.name()).doesNotContain("<script", "<i>");
    }
  }

  @Test
  void theHtmlReportInlinesTheChartsAndRunsOnlyItsOwnScript() {
    RunReport report = hostileRun();
    Charts charts = Charts.of(report);

    String html = HtmlReport.render(report, charts);
    String md = MarkdownReport.render(report, charts);

    assertThat(html.split("<script", -1)).hasSize(2);
    assertThat(html).contains("<script>" + HtmlReport.SCRIPT + "</script>").doesNotContain("<img", "src=", "charts/pareto.svg");
    assertThat(html.split("<svg ", -1)).hasSize(charts.drawn().size() + 1);
    assertThat(html).contains("<figure id=\"chart-pareto\"><svg role=\"img\" aria-label=\"Cost against latency");
    assertThat(md).contains("![Cost against latency, with the Pareto frontier's cases named](charts/pareto.svg)")
        .doesNotContain("<script>");
  }

  @Test
  void theSameRunDrawsTheSameCharts() {
    assertThat(Charts.of(hostileRun())).isEqualTo(Charts.of(hostileRun()));
  }

  /** Three image cases with hostile names, samples with steps, and telemetry for one. */
  private static RunReport hostileRun() {
    List<CaseResult> cases = new ArrayList<>();
    Map<String, CaseSeries> series = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      String id = HOSTILE + " case " + i;
      cases.add(image(id, HOSTILE + i, HOSTILE + " instance", i, "float16", i, Integer.toString(i), Integer.toString(2 * i), 1000 / i));
      List<Sample> samples = new ArrayList<>();
      for (int k = 0; k < 6; k++) samples.add(steps(1000 / i + k, 40 / i + k, 41 / i + k, 42 / i + k));
      List<Telemetry> telemetry = i == 1 ? List.of(tel(500, 50.0, 200.0, false), tel(1000, 99.0, 300.0, true)) : List.of();
      series.put(id, new CaseSeries(samples, telemetry));
    }
    return report(cases, series);
  }

  private static void assertNoActiveContent(Element e, String chart) {
    assertThat(e.getLocalName()).as(chart).isNotIn("script", "foreignObject", "iframe", "a", "image", "use");
    NamedNodeMap attributes = e.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      String name = attributes.item(i).getLocalName() == null ? attributes.item(i).getNodeName() : attributes.item(i).getLocalName();
      assertThat(name.toLowerCase()).as(chart + " attribute").doesNotStartWith("on").isNotEqualTo("href");
      assertThat(attributes.item(i).getNodeValue()).as(chart).doesNotContainIgnoringCase("javascript:");
    }
    NodeList children = e.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) if (children.item(i) instanceof Element child) assertNoActiveContent(child, chart);
  }

  private static String texts(Document svg) {
    StringBuilder sb = new StringBuilder();
    for (String tag : List.of("text", "title")) {
      NodeList nodes = svg.getElementsByTagNameNS("*", tag);
      for (int i = 0; i < nodes.getLength(); i++) sb.append(nodes.item(i).getTextContent()).append('\n');
    }
    return sb.toString();
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static Chart chart(Charts charts, String name) {
    return charts.drawn().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static RunReport report(List<CaseResult> cases, Map<String, CaseSeries> series) {
    return new RunReport("r", ReportFixtures.environment("torch-cuda", "local"), cases, ReportFixtures.NOTE, List.of(), series);
  }

  /** A successful image case: e2e P95 = {@code e2eMs}, costs as given (actual = on-demand). */
  private static CaseResult image(String id, String model, String instance, int batch, String precision, double imagesPerS,
      String spot, String ondemand, long e2eMs) {
    long[] e2e = new long[10];
    Arrays.fill(e2e, e2eMs * 1_000_000);
    LatencySummary s = LatencySummary.of(e2e);
    Map<String, LatencySummary> latency = Map.of("e2e", s);
    var cost = ResultFile.CostFile.of(
        new CaseResult.ImageCost(new BigDecimal(spot), new BigDecimal(ondemand), new BigDecimal(ondemand), null, null, null));
    var price = new CaseResult.Price(BigDecimal.ONE, BigDecimal.TWO, BigDecimal.TWO, "catalog", "2026-11-01", "us-east-1");
    return new ResultFile(id, "stabilityai/" + model, model, instance, instance, "ondemand", null, batch, 20, "512x512", precision,
        "torch-cuda", "random", "NVIDIA A10G", 2.0, 2, 10, batch, latency, e2eMs / 1000.0, 1 / imagesPerS, imagesPerS, null,
        null, null, price, cost, Verdict.of(s), CaseStatus.SUCCESS, null, null, null, null, null, null, null).toResult();
  }

  private static Sample sample(long e2eMs, long stepMs) {
    return new Sample("c", 0, "measure", e2eMs * 1_000_000, 0, List.of(stepMs * 1_000_000), 0, 1, null, null, null, null);
  }

  private static Sample steps(long e2eMs, long... stepMs) {
    return new Sample("c", 0, "measure", e2eMs * 1_000_000, 0, Arrays.stream(stepMs).map(ms -> ms * 1_000_000).boxed().toList(), 0,
        1, null, null, null, null);
  }

  private static Telemetry tel(long ms, Double util, Double power, boolean measuring) {
    return new Telemetry("c", ms * 1_000_000, util, 50.0, power, measuring);
  }
}
