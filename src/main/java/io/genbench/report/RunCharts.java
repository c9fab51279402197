package io.genbench.report;

import static io.genbench.chart.Svg.label;
import static io.genbench.chart.Svg.number;

import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.ParetoFrontier;
import io.genbench.chart.Axes;
import io.genbench.chart.Chart;
import io.genbench.chart.Svg;
import io.genbench.result.CaseResult;
import io.genbench.result.Workload;
import io.genbench.wire.WorkerEvent.Sample;
import io.genbench.wire.WorkerEvent.Telemetry;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws {@link Charts}: the data of each chart (package-private, tested) and its JFreeChart form. */
final class RunCharts {
  /** Cases drawn as lines in one chart (latency CDF, per-step): more are unreadable. */
  static final int MAX_LINES = 8;
  /** Cases in the box plot that replaces the CDF for bigger runs. */
  static final int MAX_BOXES = 30;
  /** Cases that get a GPU utilisation and power chart. */
  static final int MAX_TELEMETRY = 3;
  /** Lines (model × instance × …) in the batch-size chart. */
  static final int MAX_GROUPS = 8;
  /** Models (two bars each, spot and on-demand) and instance types in the cost chart. */
  static final int MAX_COST_MODELS = 4;
  static final int MAX_INSTANCES = 12;
  /** Frontier cases named on the Pareto chart. */
  static final int MAX_FRONTIER_LABELS = 12;
  /** Points of one line (CDF, telemetry): evenly thinned beyond this, first and last kept. */
  static final int MAX_POINTS = 400;
  /** Data points with a tooltip in one chart: each costs the SVG a shape, and the tables have every figure. */
  static final int MAX_TOOLTIPS = 200;
  /** Outliers (samples above P99) drawn per box. */
  static final int MAX_OUTLIERS = 20;

  static final int WIDTH = 640;
  static final int HEIGHT = 380;

  private RunCharts() {}

  static Charts draw(RunReport report) {
    List<Chart> drawn = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    attempt("e2e latency distribution", drawn, notes, (out, n) -> latency(report, out, n));
    attempt("Per-step latency", drawn, notes, (out, n) -> perStep(report, out, n));
    attempt("Throughput and s/image against batch size", drawn, notes, (out, n) -> batch(report, out, n));
    attempt("LLM decode tokens/s and time to first token against batch size", drawn, notes, (out, n) -> llm(report, out, n));
    attempt("Cost per 1000 images", drawn, notes, (out, n) -> cost(report, out, n));
    attempt("Cost against latency", drawn, notes, (out, n) -> pareto(report, out, n));
    attempt("GPU utilisation and power", drawn, notes, (out, n) -> telemetry(report, out, n));
    return new Charts(drawn, notes);
  }

  /**
   * Draws one section (its charts and its notes) into {@code drawn} and {@code notes}, or, when it throws, none of
   * them and one note saying it was not drawn: never "drawn for the first 3 of 7" beside "not drawn".
   */
  static void attempt(String what, List<Chart> drawn, List<String> notes, BiConsumer<Consumer<Chart>, List<String>> section) {
    List<Chart> sectionCharts = new ArrayList<>();
    List<String> sectionNotes = new ArrayList<>();
    try {
      section.accept(sectionCharts::add, sectionNotes);
    } catch (RuntimeException e) {
      // a chart is a view: one that cannot be drawn must not cost the report
      notes.add(what + ": not drawn (" + e + ").");
      return;
    }
    drawn.addAll(sectionCharts);
    notes.addAll(sectionNotes);
  }

  // ---- e2e latency distribution ----------------------------------------------------------------------------------

  /** The CDF of a case's e2e latencies: (ms, % of requests at or below), from (min, 0), thinned to {@link #MAX_POINTS}. */
  static List<double[]> cdf(List<Sample> samples) {
    long[] sorted = samples.stream().mapToLong(Sample::e2eNs).sorted().toArray();
    List<double[]> points = new ArrayList<>();
    if (sorted.length == 0) return points;
    points.add(new double[] {ms(sorted[0]), 0});
    for (int i : thinned(sorted.length)) points.add(new double[] {ms(sorted[i]), 100.0 * (i + 1) / sorted.length});
    return points;
  }

  private static void latency(RunReport report, Consumer<Chart> out, List<String> notes) {
    List<CaseResult> cases = report.successes().stream().filter(r -> !report.series(r.caseId()).samples().isEmpty()).toList();
    if (cases.isEmpty()) {
      notes.add("e2e latency distribution: no successful case has measured samples in its events.");
      return;
    }
    if (cases.size() <= MAX_LINES) out.accept(latencyCdf(report, cases));
    else out.accept(latencyBoxes(report, cases, notes));
  }

  private static Chart latencyCdf(RunReport report, List<CaseResult> cases) {
    XYSeriesCollection lines = new XYSeriesCollection();
    XYSeriesCollection marks = new XYSeriesCollection();
    Keys keys = new Keys();
    double lo = Double.MAX_VALUE, hi = 0;
    List<String> tips = new ArrayList<>();
    for (CaseResult r : cases) {
      List<Sample> samples = report.series(r.caseId()).samples();
      String key = keys.of(r.caseId());
      XYSeries line = new XYSeries(key, false, true);
      for (double[] p : cdf(samples)) line.add(p[0], p[1]);
      lines.addSeries(line);
      LatencySummary s = e2e(samples);
      XYSeries mark = new XYSeries(key, false, true);
      mark.add(ms(s.p50Ns()), 50);
      mark.add(ms(s.p99Ns()), 99);
      marks.addSeries(mark);
      tips.add(label(r.caseId()) + ": P50 " + number(ms(s.p50Ns())) + " ms, P99 " + number(ms(s.p99Ns())) + " ms (n = " + s.n() + ")");
      lo = Math.min(lo, ms(s.minNs()));
      hi = Math.max(hi, ms(s.maxNs()));
    }
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart("e2e latency distribution", null, null, lines,
        PlotOrientation.VERTICAL, true, false, false));
    Svg.caption(chart, "Share of measured requests at or below each latency; dots mark each case's P50 and P99 (nearest rank).");
    XYPlot plot = chart.getXYPlot();
    XYStepRenderer steps = new XYStepRenderer();
    XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
    for (int i = 0; i < cases.size(); i++) {
      steps.setSeriesPaint(i, colour(i));
      steps.setSeriesStroke(i, Svg.LINE);
      dots.setSeriesPaint(i, colour(i));
      dots.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
    }
    dots.setDefaultSeriesVisibleInLegend(false);
    dots.setDefaultToolTipGenerator((ds, series, item) -> tips.get(series));
    plot.setRenderer(0, steps);
    plot.setDataset(1, marks);
    plot.setRenderer(1, dots);
    plot.setDomainAxis(Axes.auto("e2e latency (ms)", lo, hi));
    NumberAxis y = Axes.number("requests at or below (%)");
    y.setRange(0, 101);
    plot.setRangeAxis(y);
    for (int p : new int[] {50, 99}) plot.addRangeMarker(marker(p, "P" + p));
    return Svg.render(chart, "latency", "e2e latency distribution (CDF, P50 and P99 marked)", WIDTH, HEIGHT);
  }

  /** A box per case: P25–P75, P50 line, whiskers from min to P99, dots above P99 (at most {@link #MAX_OUTLIERS}). */
  static BoxAndWhiskerItem box(List<Sample> samples) {
    long[] sorted = samples.stream().mapToLong(Sample::e2eNs).sorted().toArray();
    LatencySummary s = e2e(samples);
    double p25 = ms(sorted[(int) Math.ceil(0.25 * sorted.length) - 1]);
    double p75 = ms(sorted[(int) Math.ceil(0.75 * sorted.length) - 1]);
    List<Double> outliers = Arrays.stream(sorted).filter(v -> v > s.p99Ns()).limit(MAX_OUTLIERS).mapToObj(v -> ms(v)).toList();
    return new BoxAndWhiskerItem(s.meanNs() / 1e6, ms(s.p50Ns()), p25, p75, ms(s.minNs()), ms(s.p99Ns()), ms(s.minNs()),
        ms(s.maxNs()), outliers);
  }

  private static Chart latencyBoxes(RunReport report, List<CaseResult> cases, List<String> notes) {
    List<CaseResult> shown = cases.subList(0, Math.min(cases.size(), MAX_BOXES));
    if (shown.size() < cases.size()) {
      notes.add("e2e latency distribution: the first " + shown.size() + " of " + cases.size() + " successful cases are drawn;"
          + " every case's percentiles are in the Results table.");
    }
    DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
    Keys keys = new Keys();
    List<String> tips = new ArrayList<>();
    double lo = Double.MAX_VALUE, hi = 0;
    for (CaseResult r : shown) {
      List<Sample> samples = report.series(r.caseId()).samples();
      BoxAndWhiskerItem item = box(samples);
      data.add(item, "e2e", keys.of(r.caseId()));
      LatencySummary s = e2e(samples);
      tips.add(label(r.caseId()) + ": P50 " + number(ms(s.p50Ns())) + " ms, P99 " + number(ms(s.p99Ns())) + " ms (n = " + s.n() + ")");
      lo = Math.min(lo, ms(s.minNs()));
      hi = Math.max(hi, ms(s.maxNs()));
    }
    JFreeChart chart = Svg.styled(ChartFactory.createBoxAndWhiskerChart("e2e latency by case", null, null, data, false));
    Svg.caption(chart, "Box P25–P75, line P50, whisker from the fastest request to P99, dots above P99 (nearest rank).");
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
    renderer.setSeriesPaint(0, colour(0));
    renderer.setMeanVisible(false);
    renderer.setMaximumBarWidth(0.6);
    renderer.setDefaultToolTipGenerator((ds, row, column) -> tips.get(column));
    plot.setRenderer(renderer);
    plot.setRangeAxis(Axes.auto("e2e latency (ms)", lo, hi));
    CategoryAxis axis = plot.getDomainAxis();
    axis.setMaximumCategoryLabelWidthRatio(0.45f);
    axis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    return Svg.render(chart, "latency", "e2e latency by case (box plot, P50 and P99 marked)", 760, 120 + 20 * shown.size());
  }

  // ---- per-step latency ------------------------------------------------------------------------------------------

  /** Per denoising step (index 0 first), the median (nearest rank) of that step over the measured requests, ms. */
  static double[] stepMedians(List<Sample> samples) {
    int steps = samples.stream().mapToInt(s -> s.stepNs().size()).max().orElse(0);
    double[] medians = new double[steps];
    for (int i = 0; i < steps; i++) {
      final int step = i;
      long[] values = samples.stream().filter(s -> s.stepNs().size() > step).mapToLong(s -> s.stepNs().get(step)).toArray();
      medians[i] = ms(LatencySummary.of(values).p50Ns());
    }
    return medians;
  }

  private static void perStep(RunReport report, Consumer<Chart> out, List<String> notes) {
    List<CaseResult> cases = report.successes().stream().filter(r -> r.workload() instanceof Workload.Diffusion)
        .filter(r -> report.series(r.caseId()).samples().stream().anyMatch(s -> !s.stepNs().isEmpty())).toList();
    if (cases.isEmpty()) {
      notes.add("Per-step latency: no successful image case has per-step timings in its events.");
      return;
    }
    List<CaseResult> shown = cases.subList(0, Math.min(cases.size(), MAX_LINES));
    if (shown.size() < cases.size()) {
      notes.add("Per-step latency: the first " + shown.size() + " of " + cases.size() + " image cases are drawn;"
          + " every case's step percentiles are in the Per-step latency table.");
    }
    XYSeriesCollection data = new XYSeriesCollection();
    Keys keys = new Keys();
    double lo = Double.MAX_VALUE, hi = 0;
    int most = 0;
    List<String> names = new ArrayList<>();
    for (CaseResult r : shown) {
      double[] medians = stepMedians(report.series(r.caseId()).samples());
      XYSeries s = new XYSeries(keys.of(r.caseId()), false, true);
      for (int i = 0; i < medians.length; i++) {
        s.add(i + 1, medians[i]);
        lo = Math.min(lo, medians[i]);
        hi = Math.max(hi, medians[i]);
      }
      most = Math.max(most, medians.length);
      data.addSeries(s);
      names.add(label(r.caseId()));
    }
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart("Per-step latency over the denoising steps", null, null, data,
        PlotOrientation.VERTICAL, true, false, false));
    Svg.caption(chart, "Each step's median over the measured requests (nearest rank).");
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shown.size() * most <= 100);
    renderer.setDrawSeriesLineAsPath(true);
    for (int i = 0; i < shown.size(); i++) {
      renderer.setSeriesPaint(i, colour(i));
      renderer.setSeriesStroke(i, Svg.LINE);
      renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }
    // a tooltip per point only while they are few: each costs the SVG a shape; the table has every figure
    if (shown.size() * most <= MAX_TOOLTIPS / 2) {
      renderer.setDefaultToolTipGenerator((ds, series, item) -> names.get(series) + ": step " + (item + 1) + ", median "
          + number(ds.getYValue(series, item)) + " ms");
    }
    plot.setRenderer(renderer);
    NumberAxis x = Axes.integer("denoising step");
    x.setRange(0.5, most + 0.5);
    plot.setDomainAxis(x);
    plot.setRangeAxis(Axes.auto("step latency, median (ms)", lo, hi));
    out.accept(Svg.render(chart, "steps", "Per-step latency over the denoising steps", WIDTH, HEIGHT));
  }

  // ---- throughput and s/image, LLM tokens/s and TTFT: two panels against batch size --------------------------------

  /** One case's point on the batch-size chart. */
  record BatchPoint(String caseId, int batchSize, double imagesPerS, double secondsPerImage) {}

  /** One LLM case's point: its batch size, generated tokens per second and median time to first token. */
  record LlmPoint(String caseId, int batchSize, double tokensPerS, Double ttftP50Ms) {}

  /**
   * Successful image cases with a throughput, grouped into lines by model and instance type (and precision, steps and
   * resolution where those vary in the run), each line by batch size (see {@link #byBatch}).
   */
  static Map<String, List<BatchPoint>> batchLines(List<CaseResult> results) {
    List<CaseResult> cases = results.stream()
        .filter(r -> r.run().rates() instanceof CaseResult.ImageRates i && i.imagesPerS() != null && i.timePerImageS() != null)
        .toList();
    boolean precisions = distinct(cases, CaseResult::precision) > 1;
    boolean steps = distinct(cases, r -> Integer.toString(r.inferenceSteps())) > 1;
    boolean resolutions = distinct(cases, CaseResult::resolution) > 1;
    return byBatch(cases, r -> modelOnInstance(r) + (precisions ? " · " + r.precision() : "")
            + (steps ? " · " + r.inferenceSteps() + " steps" : "") + (resolutions ? " · " + r.resolution() : ""),
        r -> new BatchPoint(r.caseId(), r.batchSize(), r.imagesPerS(), r.timePerImageS()), BatchPoint::batchSize);
  }

  /**
   * Successful LLM cases with a token rate, in lines by model and instance type (and precision where it varies), each
   * by batch size (see {@link #byBatch}).
   */
  static Map<String, List<LlmPoint>> llmLines(List<CaseResult> results) {
    List<CaseResult> cases = results.stream()
        .filter(r -> r.run().rates() instanceof CaseResult.TokenRates t && t.tokensPerS() != null).toList();
    boolean precisions = distinct(cases, CaseResult::precision) > 1;
    return byBatch(cases, r -> modelOnInstance(r) + (precisions ? " · " + r.precision() : ""), r -> {
      LatencySummary ttft = r.latency() == null ? null : r.latency().get("ttft");
      return new LlmPoint(r.caseId(), r.batchSize(), r.tokensPerS(), ttft == null || ttft.p50Ns() <= 0 ? null : ms(ttft.p50Ns()));
    }, LlmPoint::batchSize);
  }

  private static String modelOnInstance(CaseResult r) {
    return Objects.requireNonNullElse(r.modelLabel(), Objects.requireNonNullElse(r.model(), "?")) + " · "
        + Objects.requireNonNullElse(r.actualInstance(), "?");
  }

  /**
   * Cases in lines named by {@code key}, each line's points ordered by batch size. Cases of one key that would share a
   * point (they differ in something the key leaves out, such as a knob or a prompt length) get lines of their own,
   * named by their case id without the batch size.
   */
  private static <P> Map<String, List<P>> byBatch(List<CaseResult> cases, java.util.function.Function<CaseResult, String> key,
      java.util.function.Function<CaseResult, P> point, java.util.function.ToIntFunction<P> batch) {
    Map<String, List<CaseResult>> groups = new LinkedHashMap<>();
    for (CaseResult r : cases) groups.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
    Map<String, List<P>> lines = new LinkedHashMap<>();
    groups.forEach((name, members) -> {
      boolean shared = members.stream().map(CaseResult::batchSize).distinct().count() < members.size();
      for (CaseResult r : members) {
        String line = shared ? r.caseId().replaceFirst("-b" + r.batchSize() + "(?=-|$)", "") : name;
        lines.computeIfAbsent(line, k -> new ArrayList<>()).add(point.apply(r));
      }
    });
    lines.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(batch)));
    return lines;
  }

  private static void batch(RunReport report, Consumer<Chart> out, List<String> notes) {
    Map<String, List<BatchPoint>> lines = batchLines(report.successes());
    if (lines.isEmpty()) {
      notes.add("Throughput and s/image against batch size: no successful image case has a throughput.");
      return;
    }
    out.accept(overBatch(lines, BatchPoint::caseId, BatchPoint::batchSize,
        new Panel<>("images/s", BatchPoint::imagesPerS, v -> number(v) + " images/s", true),
        new Panel<>("s/image", BatchPoint::secondsPerImage, v -> number(v) + " s/image", false),
        "Throughput and s/image against batch size", "the Results table",
        "Images per second over the measured requests (top) and mean seconds per image (bottom).", "batch",
        "Throughput and s/image against batch size, per model and instance", notes));
  }

  private static void llm(RunReport report, Consumer<Chart> out, List<String> notes) {
    if (report.results().stream().noneMatch(r -> r.workload() instanceof Workload.Llm)) return; // no LLM case: no chart, no note
    Map<String, List<LlmPoint>> lines = llmLines(report.successes());
    if (lines.isEmpty()) {
      notes.add("LLM tokens/s and time to first token against batch size: no LLM case succeeded with a token rate.");
      return;
    }
    out.accept(overBatch(lines, LlmPoint::caseId, LlmPoint::batchSize,
        new Panel<>("tokens/s", LlmPoint::tokensPerS, v -> number(v) + " tokens/s", true),
        new Panel<>("TTFT P50 (ms)", LlmPoint::ttftP50Ms, v -> "TTFT P50 " + number(v) + " ms", false),
        "LLM tokens/s and time to first token against batch size", "the LLM latency table",
        "Generated tokens per second over the measured requests (top) and the median time to the first token (bottom).",
        "llm", "LLM tokens/s and time to first token against batch size, per model and instance", notes));
  }

  /**
   * One panel of {@link #overBatch}: its axis label, a point's value (null: no point), a tooltip of the value, and
   * whether its axis starts at 0 (a throughput: a cropped axis makes 1.18 against 1.24 images/s look like 3×).
   */
  private record Panel<P>(String axis, java.util.function.Function<P, Double> value, java.util.function.Function<Double, String> tip,
      boolean fromZero) {
    NumberAxis numberAxis() {
      NumberAxis a = Axes.number(axis);
      if (fromZero) {
        a.setAutoRangeIncludesZero(true);
        a.setAutoRangeStickyZero(true);
      }
      return a;
    }
  }

  /**
   * Two panels (top over bottom) sharing a batch-size axis, one line per entry of {@code lines} (the first
   * {@link #MAX_GROUPS}; a note says where the rest are, {@code tableName}), every point's tooltip naming its case.
   */
  private static <P> Chart overBatch(Map<String, List<P>> lines, java.util.function.Function<P, String> caseId,
      java.util.function.ToIntFunction<P> batch, Panel<P> top, Panel<P> bottom, String title, String tableName,
      String caption, String name, String longTitle, List<String> notes) {
    List<String> shown = lines.keySet().stream().limit(MAX_GROUPS).toList();
    if (shown.size() < lines.size()) {
      notes.add(title + ": the first " + shown.size() + " of " + lines.size() + " lines are drawn; every case's figures are in "
          + tableName + ".");
    }
    Keys keys = new Keys();
    int maxBatch = 1;
    List<XYSeriesCollection> data = List.of(new XYSeriesCollection(), new XYSeriesCollection());
    List<List<List<P>>> drawn = List.of(new ArrayList<>(), new ArrayList<>()); // per panel, per line: the points drawn
    List<Panel<P>> panels = List.of(top, bottom);
    for (String line : shown) {
      String key = keys.of(line);
      for (int k = 0; k < 2; k++) {
        XYSeries series = new XYSeries(key, false, true);
        List<P> points = new ArrayList<>();
        for (P p : lines.get(line)) {
          Double v = panels.get(k).value().apply(p);
          if (v == null) continue;
          series.add(batch.applyAsInt(p), v);
          points.add(p);
        }
        data.get(k).addSeries(series);
        drawn.get(k).add(points);
      }
      for (P p : lines.get(line)) maxBatch = Math.max(maxBatch, batch.applyAsInt(p));
    }
    NumberAxis x = Axes.integer("batch size");
    x.setRange(0.5, maxBatch + 0.5);
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
    plot.setGap(14);
    List<XYLineAndShapeRenderer> renderers = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      int panel = k;
      XYLineAndShapeRenderer r = batchRenderer(k == 0, (ds, s, i) ->
          label(caseId.apply(drawn.get(panel).get(s).get(i))) + ": " + panels.get(panel).tip().apply(ds.getYValue(s, i)));
      plot.add(new XYPlot(data.get(k), null, panels.get(k).numberAxis(), r), 1);
      renderers.add(r);
    }
    JFreeChart chart = Svg.styled(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    // after styling: the theme clears the renderers' series paints
    for (XYLineAndShapeRenderer r : renderers) {
      for (int i = 0; i < shown.size(); i++) {
        r.setSeriesPaint(i, colour(i));
        r.setSeriesStroke(i, Svg.LINE);
        r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
      }
    }
    Svg.caption(chart, caption);
    return Svg.render(chart, name, longTitle, WIDTH, 440);
  }

  private static XYLineAndShapeRenderer batchRenderer(boolean legend, org.jfree.chart.labels.XYToolTipGenerator tips) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    r.setDrawSeriesLineAsPath(true);
    r.setDefaultSeriesVisibleInLegend(legend);
    r.setDefaultToolTipGenerator(tips);
    return r;
  }

  // ---- cost per 1000 images --------------------------------------------------------------------------------------

  /** The cheapest cost of one model on one instance type at one lifecycle, and the case that has it. */
  record CostBar(String instance, String model, String lifecycle, BigDecimal usd, String caseId) {}

  /**
   * Per instance type (the one priced), model and lifecycle ({@code spot}, {@code on-demand}), the lowest cost per
   * 1000 images of the successful image cases, in the order instance types and models first appear.
   */
  static List<CostBar> cheapest(List<CaseResult> results) {
    Map<List<String>, CostBar> bars = new LinkedHashMap<>();
    for (CaseResult r : results) {
      if (!(r.cost() instanceof CaseResult.ImageCost cost)) continue; // per 1000 images: diffusion cases only
      String instance = r.where() != null && r.where().pricedAs() != null ? r.where().pricedAs() : r.actualInstance();
      String model = Objects.requireNonNullElse(r.modelLabel(), Objects.requireNonNullElse(r.model(), "?"));
      for (String lifecycle : List.of("spot", "on-demand")) {
        BigDecimal usd = lifecycle.equals("spot") ? cost.cost1000ImagesSpotUsd() : cost.cost1000ImagesOndemandUsd();
        if (usd == null) continue;
        List<String> key = Arrays.asList(instance, model, lifecycle);
        CostBar known = bars.get(key);
        if (known == null || usd.compareTo(known.usd()) < 0) bars.put(key, new CostBar(instance, model, lifecycle, usd, r.caseId()));
      }
    }
    return List.copyOf(bars.values());
  }

  private static void cost(RunReport report, Consumer<Chart> out, List<String> notes) {
    List<CostBar> bars = cheapest(report.successes());
    if (bars.isEmpty()) {
      notes.add("Cost per 1000 images: no successful image case has a price.");
      return;
    }
    List<String> models = bars.stream().map(CostBar::model).distinct().toList();
    List<String> instances = bars.stream().map(CostBar::instance).distinct().toList();
    List<String> shownModels = models.subList(0, Math.min(models.size(), MAX_COST_MODELS));
    List<String> shownInstances = instances.subList(0, Math.min(instances.size(), MAX_INSTANCES));
    if (shownModels.size() < models.size() || shownInstances.size() < instances.size()) {
      notes.add("Cost per 1000 images: " + shownModels.size() + " of " + models.size() + " models on " + shownInstances.size()
          + " of " + instances.size() + " instance types are drawn; every case's costs are in summary.csv.");
    }
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    Keys seriesKeys = new Keys();
    Keys categoryKeys = new Keys();
    Map<String, String> instanceKey = new LinkedHashMap<>();
    shownInstances.forEach(i -> instanceKey.put(i, categoryKeys.of(i)));
    List<Paint> paints = new ArrayList<>();
    Map<String, CostBar> byCell = new LinkedHashMap<>();
    for (int m = 0; m < shownModels.size(); m++) {
      for (String lifecycle : List.of("spot", "on-demand")) {
        String model = shownModels.get(m);
        List<CostBar> row = bars.stream().filter(b -> b.model().equals(model) && b.lifecycle().equals(lifecycle)
            && instanceKey.containsKey(b.instance())).toList();
        if (row.isEmpty()) continue;
        String series = seriesKeys.of(model + " " + lifecycle);
        paints.add(lifecycle.equals("spot") ? lighter(colour(m)) : colour(m));
        for (CostBar b : row) {
          data.addValue(b.usd(), series, instanceKey.get(b.instance()));
          byCell.put(series + "\u0000" + instanceKey.get(b.instance()), b);
        }
      }
    }
    JFreeChart chart = Svg.styled(ChartFactory.createBarChart("Cost per 1000 images by instance type and lifecycle", null,
        "USD per 1000 images", data, PlotOrientation.VERTICAL, true, false, false));
    String elsewhere = report.successes().stream().filter(r -> r.where() != null && r.where().pricedElsewhere())
        .map(r -> r.where().measuredOn()).filter(Objects::nonNull).distinct().findFirst().orElse(null);
    Svg.caption(chart, "Each model's cheapest configuration per instance type, model load included"
        + (elsewhere == null ? "." : "; priced, not measured: timed on " + label(elsewhere.replaceFirst("^local \\((.*)\\)$", "local $1")) + "."));
    CategoryPlot plot = chart.getCategoryPlot();
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    for (int i = 0; i < paints.size(); i++) renderer.setSeriesPaint(i, paints.get(i));
    renderer.setItemMargin(0.04);
    renderer.setMaximumBarWidth(0.12);
    renderer.setDefaultToolTipGenerator((ds, row, column) -> {
      CostBar b = byCell.get(ds.getRowKey(row) + "\u0000" + ds.getColumnKey(column));
      return b == null ? null : label(b.model()) + " on " + label(b.instance()) + ", " + b.lifecycle() + ": $"
          + b.usd().toPlainString() + " per 1000 images (" + label(b.caseId()) + ")";
    });
    if (data.getRowCount() * data.getColumnCount() <= 16) {
      renderer.setDefaultItemLabelGenerator(new org.jfree.chart.labels.CategoryItemLabelGenerator() {
        @Override
        public String generateRowLabel(org.jfree.data.category.CategoryDataset ds, int row) {
          return ds.getRowKey(row).toString();
        }

        @Override
        public String generateColumnLabel(org.jfree.data.category.CategoryDataset ds, int column) {
          return ds.getColumnKey(column).toString();
        }

        @Override
        public String generateLabel(org.jfree.data.category.CategoryDataset ds, int row, int column) {
          Number v = ds.getValue(row, column);
          return v == null ? null : "$" + number(v.doubleValue());
        }
      });
      renderer.setDefaultItemLabelsVisible(true);
      renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    }
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setStandardTickUnits(new org.jfree.chart.axis.NumberTickUnitSource(false, Svg.TICKS));
    y.setUpperMargin(0.15);
    CategoryAxis x = plot.getDomainAxis();
    if (data.getColumnCount() > 5) x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    out.accept(Svg.render(chart, "cost", "Cost per 1000 images by instance type and lifecycle", WIDTH, HEIGHT));
  }

  // ---- cost against latency, the Pareto frontier -----------------------------------------------------------------

  /** A case on the cost-versus-latency chart: its e2e P95 and its cost per 1000 images at the lifecycle it ran as. */
  record CostLatency(CaseResult result, double p95Ms, double usd) {}

  static List<CostLatency> costLatency(List<CaseResult> results) {
    List<CostLatency> points = new ArrayList<>();
    for (CaseResult r : results) {
      if (!(r.cost() instanceof CaseResult.ImageCost cost) || cost.cost1000ImagesActualUsd() == null) continue;
      if (!MemoryFit.fits(r)) continue; // its cost is not achievable on the instance it is priced as
      LatencySummary e2e = r.latency() == null ? null : r.latency().get("e2e");
      if (e2e == null) continue;
      points.add(new CostLatency(r, ms(e2e.p95Ns()), cost.cost1000ImagesActualUsd().doubleValue()));
    }
    return points;
  }

  /**
   * The frontier: no other case is both as fast (P95) and as cheap and better on one; by latency ascending. Only valid
   * cases (VALID, HOST-BOUND) can be on it, as only they count in {@code genbench best}: an INVALID case is drawn, but
   * neither joins the frontier nor pushes a valid case off it.
   */
  static List<CostLatency> frontier(List<CostLatency> points) {
    return ParetoFrontier.of(points.stream().filter(p -> CostAnalysis.valid(p.result())).toList(), CostLatency::p95Ms, CostLatency::usd);
  }

  private static void pareto(RunReport report, Consumer<Chart> out, List<String> notes) {
    List<CostLatency> points = costLatency(report.successes());
    if (points.size() < 2) {
      notes.add("Cost against latency: needs two or more successful, priced image cases (this run has " + points.size() + ").");
      return;
    }
    List<CostLatency> frontier = frontier(points);
    XYSeriesCollection line = new XYSeriesCollection();
    XYSeries f = new XYSeries("Pareto frontier", false, true);
    frontier.forEach(p -> f.add(p.p95Ms(), p.usd()));
    if (!frontier.isEmpty()) line.addSeries(f); // no valid case: no line, and no legend entry for one
    Map<String, List<CostLatency>> byVerdict = new LinkedHashMap<>();
    for (String v : List.of("VALID", "HOST-BOUND", "INVALID", "not judged")) byVerdict.put(v, new ArrayList<>());
    for (CostLatency p : points) byVerdict.get(p.result().verdict() == null ? "not judged" : p.result().verdict().label()).add(p);
    XYSeriesCollection dots = new XYSeriesCollection();
    List<List<CostLatency>> dotPoints = new ArrayList<>();
    List<Color> dotColours = new ArrayList<>();
    Map<String, Color> verdictColour = Map.of("VALID", Svg.GOOD, "HOST-BOUND", Svg.WARN, "INVALID", Svg.BAD, "not judged", Svg.MUTED);
    byVerdict.forEach((verdict, list) -> {
      if (list.isEmpty()) return;
      XYSeries s = new XYSeries(verdict, false, true);
      list.forEach(p -> s.add(p.p95Ms(), p.usd()));
      dots.addSeries(s);
      dotPoints.add(list);
      dotColours.add(verdictColour.get(verdict));
    });
    String lifecycles = points.stream().map(p -> p.result().lifecycle()).filter(Objects::nonNull).distinct()
        .map(l -> l.equals("ondemand") ? "on-demand" : l).reduce((a, b) -> a + ", " + b).orElse("as run");
    JFreeChart chart = Svg.styled(ChartFactory.createScatterPlot("Cost against latency: the Pareto frontier", null, null, dots,
        PlotOrientation.VERTICAL, true, false, false));
    boolean invalid = points.stream().anyMatch(p -> !CostAnalysis.valid(p.result()));
    Svg.caption(chart, "Each successful image case by verdict. " + (frontier.isEmpty()
        ? "No case is valid, so there is no frontier (INVALID cases are left out of it, as genbench best leaves them out)."
        : "Dashed: the frontier, valid cases no other valid case beats on both P95 and cost (named below)"
            + (invalid ? "; INVALID cases are drawn but never on it, as genbench best leaves them out." : ".")));
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer points0 = new XYLineAndShapeRenderer(false, true);
    for (int i = 0; i < dotColours.size(); i++) {
      points0.setSeriesPaint(i, dotColours.get(i));
      points0.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
    }
    if (points.size() <= MAX_TOOLTIPS) points0.setDefaultToolTipGenerator((ds, s, i) -> {
      CostLatency p = dotPoints.get(s).get(i);
      return label(p.result().caseId()) + ": P95 " + number(p.p95Ms()) + " ms, $" + number(p.usd()) + " per 1000 images ("
          + ds.getSeriesKey(s) + ")";
    });
    plot.setRenderer(0, points0);
    XYLineAndShapeRenderer frontierLine = new XYLineAndShapeRenderer(true, false);
    frontierLine.setDrawSeriesLineAsPath(true);
    frontierLine.setSeriesPaint(0, Svg.INK);
    frontierLine.setSeriesStroke(0, Svg.DASHED);
    plot.setDataset(1, line);
    plot.setRenderer(1, frontierLine);
    double xlo = points.stream().mapToDouble(CostLatency::p95Ms).min().orElse(1);
    double xhi = points.stream().mapToDouble(CostLatency::p95Ms).max().orElse(1);
    double ylo = points.stream().mapToDouble(CostLatency::usd).min().orElse(1);
    double yhi = points.stream().mapToDouble(CostLatency::usd).max().orElse(1);
    plot.setDomainAxis(Axes.auto("e2e P95 latency (ms)", xlo, xhi));
    plot.setRangeAxis(Axes.auto("USD per 1000 images (" + lifecycles + ")", ylo, yhi));
    if (plot.getRangeAxis() instanceof NumberAxis n) n.setUpperMargin(0.12); // room for the frontier's numbers
    // numbers by the dots and the names under the chart: long case ids side by side on the plot would overlap
    int named = Math.min(frontier.size(), MAX_FRONTIER_LABELS);
    for (int i = named - 1; i >= 0; i--) { // a bottom title goes above the ones before it: the last first reads 1, 2, …
      CostLatency p = frontier.get(i);
      XYTextAnnotation number = new XYTextAnnotation(Integer.toString(i + 1), p.p95Ms(), p.usd());
      number.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
      number.setPaint(Svg.INK);
      number.setTextAnchor(i % 2 == 0 ? TextAnchor.BOTTOM_LEFT : TextAnchor.TOP_LEFT);
      number.setToolTipText(label(p.result().caseId()));
      plot.addAnnotation(number);
      org.jfree.chart.title.TextTitle name = new org.jfree.chart.title.TextTitle((i + 1) + "  " + label(p.result().caseId())
          + "  (P95 " + number(p.p95Ms()) + " ms, $" + number(p.usd()) + ")", new Font(Font.SANS_SERIF, Font.PLAIN, 10));
      name.setPosition(org.jfree.chart.ui.RectangleEdge.BOTTOM);
      name.setHorizontalAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
      name.setTextAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
      name.setPaint(Svg.INK);
      name.setPadding(new RectangleInsets(0, 8, 1, 4));
      chart.addSubtitle(name);
    }
    if (frontier.size() > MAX_FRONTIER_LABELS) {
      notes.add("Cost against latency: " + frontier.size() + " cases are on the frontier; the " + MAX_FRONTIER_LABELS
          + " fastest are named on the chart; every case's P95 and cost are in the Results table and summary.csv.");
    }
    out.accept(Svg.render(chart, "pareto", "Cost against latency, with the Pareto frontier's cases named", WIDTH, HEIGHT + 15 * named));
  }

  // ---- GPU utilisation and power over time -----------------------------------------------------------------------

  /**
   * A case's telemetry over time: points (s since its worker started, GPU utilisation %, power W; NaN where not
   * sampled), the measured window (s; NaN when no window says it was measuring), and whether later trials were left
   * out (each trial's clock starts again; the first is drawn).
   */
  record Trace(List<double[]> points, double measuredFrom, double measuredTo, boolean laterTrialsLeftOut) {}

  static Trace trace(List<Telemetry> telemetry) {
    List<Telemetry> first = new ArrayList<>();
    boolean cut = false;
    for (Telemetry t : telemetry) {
      if (!first.isEmpty() && t.tNs() < first.get(first.size() - 1).tNs()) {
        cut = true;
        break;
      }
      first.add(t);
    }
    double from = Double.NaN, to = Double.NaN;
    for (Telemetry t : first) {
      if (Boolean.TRUE.equals(t.measuring())) {
        if (Double.isNaN(from)) from = t.tNs() / 1e9;
        to = t.tNs() / 1e9;
      }
    }
    List<double[]> points = new ArrayList<>();
    for (int i : thinned(first.size())) {
      Telemetry t = first.get(i);
      points.add(new double[] {t.tNs() / 1e9, t.gpuUtilPct() == null ? Double.NaN : t.gpuUtilPct(),
          t.powerW() == null ? Double.NaN : t.powerW()});
    }
    return new Trace(points, from, to, cut);
  }

  private static void telemetry(RunReport report, Consumer<Chart> out, List<String> notes) {
    List<CaseResult> cases = report.successes().stream().filter(r -> report.series(r.caseId()).telemetry().stream()
        .anyMatch(t -> t.gpuUtilPct() != null || t.powerW() != null)).toList();
    if (cases.isEmpty()) {
      String backend = report.backend();
      notes.add("GPU utilisation and power: no case sampled GPU telemetry" + (backend == null ? "" : " (backend " + backend + ")") + ".");
      return;
    }
    List<CaseResult> shown = cases.subList(0, Math.min(cases.size(), MAX_TELEMETRY));
    if (shown.size() < cases.size()) {
      notes.add("GPU utilisation and power: drawn for the first " + shown.size() + " of " + cases.size() + " cases with"
          + " telemetry; every case's means are in the GPU telemetry table, its samples in its events.jsonl.");
    }
    for (int k = 0; k < shown.size(); k++) out.accept(telemetryChart(shown.get(k), report.series(shown.get(k).caseId()).telemetry(), k + 1));
  }

  private static Chart telemetryChart(CaseResult r, List<Telemetry> telemetry, int n) {
    Trace trace = trace(telemetry);
    XYSeriesCollection util = new XYSeriesCollection();
    XYSeriesCollection power = new XYSeriesCollection();
    XYSeries u = new XYSeries("GPU utilisation (%)", false, true);
    XYSeries w = new XYSeries("power (W)", false, true);
    for (double[] p : trace.points()) {
      if (!Double.isNaN(p[1])) u.add(p[0], p[1]);
      if (!Double.isNaN(p[2])) w.add(p[0], p[2]);
    }
    util.addSeries(u);
    power.addSeries(w);
    String title = "GPU utilisation and power: " + r.caseId();
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart("GPU utilisation and power over time", null, null,
        util, PlotOrientation.VERTICAL, true, false, false));
    Svg.subject(chart, label(r.caseId()));
    Svg.caption(chart, "Sampled by NVML over the case's worker" + (trace.laterTrialsLeftOut() ? " (its first trial)" : "")
        + "; the shaded span is the measured requests.");
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer left = new XYLineAndShapeRenderer(true, false);
    left.setDrawSeriesLineAsPath(true);
    left.setSeriesPaint(0, colour(0));
    left.setSeriesStroke(0, Svg.LINE);
    plot.setRenderer(0, left);
    NumberAxis pct = Axes.number("GPU utilisation (%)");
    pct.setRange(0, 105);
    plot.setRangeAxis(0, pct);
    plot.setDataset(1, power);
    XYLineAndShapeRenderer right = new XYLineAndShapeRenderer(true, false);
    right.setDrawSeriesLineAsPath(true);
    right.setSeriesPaint(0, colour(3));
    right.setSeriesStroke(0, Svg.LINE);
    plot.setRenderer(1, right);
    NumberAxis watts = Axes.number("power (W)");
    watts.setAutoRangeIncludesZero(true);
    plot.setRangeAxis(1, watts);
    plot.mapDatasetToRangeAxis(1, 1);
    plot.setDomainAxis(Axes.number("time since the worker started (s)"));
    if (!Double.isNaN(trace.measuredFrom())) {
      IntervalMarker measured = new IntervalMarker(trace.measuredFrom(), Math.max(trace.measuredTo(), trace.measuredFrom()));
      measured.setPaint(new Color(0x0072B2));
      measured.setAlpha(0.08f);
      plot.addDomainMarker(measured, Layer.BACKGROUND);
    }
    return Svg.render(chart, "telemetry-" + n, title, WIDTH, 320);
  }

  // ---- shared ----------------------------------------------------------------------------------------------------

  private static LatencySummary e2e(List<Sample> samples) {
    return LatencySummary.of(samples.stream().mapToLong(Sample::e2eNs).toArray());
  }

  private static double ms(long ns) {
    return ns / 1e6;
  }

  /** Indices 0..n-1, evenly thinned to at most {@link #MAX_POINTS}, the last always kept. */
  static int[] thinned(int n) {
    if (n <= MAX_POINTS) return java.util.stream.IntStream.range(0, n).toArray();
    int[] idx = new int[MAX_POINTS];
    for (int k = 0; k < MAX_POINTS; k++) idx[k] = (int) Math.round((double) k * (n - 1) / (MAX_POINTS - 1));
    return idx;
  }

  private static Color colour(int i) {
    return Svg.PALETTE[i % Svg.PALETTE.length];
  }

  private static Color lighter(Color c) {
    return new Color((c.getRed() + 2 * 255) / 3, (c.getGreen() + 2 * 255) / 3, (c.getBlue() + 2 * 255) / 3);
  }

  private static int distinct(List<CaseResult> cases, java.util.function.Function<CaseResult, String> f) {
    return (int) cases.stream().map(f).distinct().count();
  }

  private static ValueMarker marker(double at, String text) {
    ValueMarker m = new ValueMarker(at, Svg.MUTED, Svg.DASHED);
    m.setLabel(text);
    m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    m.setLabelPaint(Svg.MUTED);
    m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
    m.setLabelAnchor(RectangleAnchor.RIGHT);
    m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
    m.setLabelOffset(new RectangleInsets(3, 3, 3, 3));
    return m;
  }

  /** Series keys for user-supplied names: made safe by {@link Svg#label} and unique (JFreeChart requires it). */
  static final class Keys {
    private final Set<String> used = new HashSet<>();

    String of(String name) {
      String base = label(name);
      String key = base;
      for (int i = 2; !used.add(key); i++) key = base + " (" + i + ")";
      return key;
    }
  }
}
