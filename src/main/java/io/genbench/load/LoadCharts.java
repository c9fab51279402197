package io.genbench.load;

import io.genbench.chart.Axes;
import io.genbench.chart.Chart;
import io.genbench.chart.ChartRuntime;
import io.genbench.chart.Svg;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A load run's charts, from its raw records: response time over the run, offered and achieved rate per second, the
 * response-time CDF per level, response time against offered load (P50/P95/P99 per target), and TTFT / ITL CDFs for
 * LLM runs. A chart that cannot be drawn becomes a note.
 */
record LoadCharts(List<Chart> drawn, List<String> notes) {
  static final int WIDTH = 720;
  static final int HEIGHT = 400;
  private static final int MAX_POINTS = 4000;

  static LoadCharts of(List<LevelRun> runs, List<LevelStats> stats, boolean tokens) {
    Optional<String> unavailable = ChartRuntime.unavailable();
    if (unavailable.isPresent()) return new LoadCharts(List.of(), List.of(unavailable.get()));
    List<Chart> drawn = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try {
      attempt("Response time over the run", notes, () -> drawn.add(overTime(runs)));
      attempt("Offered and achieved rate", notes, () -> drawn.add(rates(runs)));
      attempt("Response-time CDF", notes, () -> drawn.add(cdf("cdf-response", "Response-time CDF per level", runs, false)));
      if (stats.size() > 1) attempt("Response time against offered load", notes, () -> drawn.add(againstLoad(stats)));
      if (tokens) {
        attempt("TTFT CDF", notes, () -> drawn.add(cdf("cdf-ttft", "TTFT CDF per level", runs, true)));
        attempt("ITL CDF", notes, () -> drawn.add(itl(runs)));
      }
    } catch (LinkageError | InternalError e) {
      return new LoadCharts(List.of(), List.of(ChartRuntime.unavailable(e)));
    }
    return new LoadCharts(drawn, notes);
  }

  private static void attempt(String what, List<String> notes, Runnable chart) {
    try {
      chart.run();
    } catch (RuntimeException e) {
      notes.add(what + ": not drawn (" + e + ").");
    }
  }

  private static String name(LevelRun r, int targets) {
    return targets > 1 ? "T" + (r.target() + 1) + " " + r.level().label() : r.level().label();
  }

  private static int targets(List<LevelRun> runs) {
    return (int) runs.stream().mapToInt(LevelRun::target).distinct().count();
  }

  private static Chart overTime(List<LevelRun> runs) {
    long t0 = runs.stream().mapToLong(LevelRun::startNs).min().orElse(0);
    Map<String, XYSeries> series = new LinkedHashMap<>();
    int total = runs.stream().mapToInt(r -> r.records().size()).sum();
    int stride = Math.max(1, total / MAX_POINTS);
    int k = 0;
    for (LevelRun run : runs) {
      XYSeries s = series.computeIfAbsent(name(run, targets(runs)), n -> new XYSeries(n, true, true));
      for (RequestRecord r : sorted(run.records())) {
        if (r.warmup() || !r.ok() || k++ % stride != 0) continue;
        s.add((r.scheduledNs() - t0) / 1e9, r.responseNs() / 1e6);
      }
    }
    return draw("response-over-time", "Response time over the run", "seconds since the start (by scheduled time)",
        "response time (ms)", series.values(), false, true, "Each point one successful measured request"
            + (stride > 1 ? " (every " + stride + "th)" : "") + "; response = done - scheduled.");
  }

  private static Chart rates(List<LevelRun> runs) {
    long t0 = runs.stream().mapToLong(LevelRun::startNs).min().orElse(0);
    TreeMap<Long, int[]> perSecond = new TreeMap<>();
    for (LevelRun run : runs) {
      for (RequestRecord r : run.records()) {
        perSecond.computeIfAbsent((r.scheduledNs() - t0) / 1_000_000_000L, s -> new int[2])[0]++;
        if (r.ok()) perSecond.computeIfAbsent((r.doneNs() - t0) / 1_000_000_000L, s -> new int[2])[1]++;
      }
    }
    XYSeries offered = new XYSeries("offered (scheduled/s)", true, true);
    XYSeries achieved = new XYSeries("achieved (successes/s)", true, true);
    perSecond.forEach((s, c) -> {
      offered.add(s + 0.5, c[0]);
      achieved.add(s + 0.5, c[1]);
    });
    return draw("rates", "Offered and achieved rate over the run", "seconds since the start", "requests per second",
        List.of(offered, achieved), true, false, "Requests scheduled and requests completed successfully, per second.");
  }

  private static Chart cdf(String chartName, String title, List<LevelRun> runs, boolean ttft) {
    List<XYSeries> series = new ArrayList<>();
    for (LevelRun run : runs) {
      long[] v = run.records().stream().filter(r -> !r.warmup() && r.ok()).mapToLong(ttft ? RequestRecord::ttftNs : RequestRecord::responseNs)
          .filter(x -> x >= 0).sorted().toArray();
      if (v.length > 0) series.add(cdfSeries(name(run, targets(runs)), v));
    }
    return draw(chartName, title, ttft ? "TTFT (ms, first token - sent)" : "response time (ms)", "fraction of requests", series,
        true, false, "Empirical CDF of the successful measured requests.");
  }

  private static Chart itl(List<LevelRun> runs) {
    List<XYSeries> series = new ArrayList<>();
    for (LevelRun run : runs) {
      List<Long> gaps = new ArrayList<>();
      for (RequestRecord r : run.records()) {
        if (r.warmup() || !r.ok()) continue;
        for (int i = 1; i < r.chunkNs().length; i++) gaps.add(r.chunkNs()[i] - r.chunkNs()[i - 1]);
      }
      if (!gaps.isEmpty()) series.add(cdfSeries(name(run, targets(runs)), gaps.stream().mapToLong(Long::longValue).sorted().toArray()));
    }
    return draw("cdf-itl", "Inter-token latency CDF per level", "ITL (ms, every gap between chunks)", "fraction of gaps", series,
        true, false, "Every gap between consecutive token chunks, pooled over requests.");
  }

  private static XYSeries cdfSeries(String name, long[] sorted) {
    XYSeries s = new XYSeries(name, true, true);
    int stride = Math.max(1, sorted.length / 500);
    for (int i = 0; i < sorted.length; i += stride) s.add(sorted[i] / 1e6, (i + 1) / (double) sorted.length);
    s.add(sorted[sorted.length - 1] / 1e6, 1.0);
    return s;
  }

  private static Chart againstLoad(List<LevelStats> stats) {
    List<XYSeries> series = new ArrayList<>();
    boolean closed = stats.stream().allMatch(s -> s.concurrency() > 0);
    Map<Integer, List<LevelStats>> byTarget = new TreeMap<>();
    for (LevelStats s : stats) byTarget.computeIfAbsent(s.target(), t -> new ArrayList<>()).add(s);
    byTarget.forEach((t, list) -> {
      for (String p : List.of("p50", "p95", "p99")) {
        XYSeries s = new XYSeries((byTarget.size() > 1 ? "T" + (t + 1) + " " : "") + p.toUpperCase(java.util.Locale.ROOT), true, true);
        for (LevelStats l : list) {
          double x = closed ? l.concurrency() : l.offeredRate();
          if (l.response() != null && Double.isFinite(x)) s.add(x, l.response().get(p) / 1e6);
        }
        if (!s.isEmpty()) series.add(s);
      }
    });
    return draw("response-vs-load", "Response time against offered load", closed ? "concurrency" : "offered rate (req/s)",
        "response time (ms)", series, true, true, "Nearest-rank percentiles of response time per level.");
  }

  private static List<RequestRecord> sorted(List<RequestRecord> records) {
    RequestRecord[] a = records.toArray(RequestRecord[]::new);
    Arrays.sort(a, (x, y) -> Long.compare(x.scheduledNs(), y.scheduledNs()));
    return List.of(a);
  }

  private static Chart draw(String name, String title, String x, String y, java.util.Collection<XYSeries> series, boolean lines,
      boolean shapes, String caption) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<String> names = new ArrayList<>();
    for (XYSeries s : series) {
      data.addSeries(s);
      names.add(String.valueOf(s.getKey()));
    }
    if (data.getSeriesCount() == 0) throw new IllegalStateException("no data");
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart(title, null, null, data, PlotOrientation.VERTICAL, true, false, false));
    Svg.caption(chart, caption);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(lines, shapes);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, Svg.PALETTE[i % Svg.PALETTE.length]);
      renderer.setSeriesStroke(i, Svg.LINE);
      renderer.setSeriesShape(i, new Ellipse2D.Double(-2, -2, 4, 4));
    }
    renderer.setDefaultToolTipGenerator((ds, s, i) -> names.get(s) + ": " + Svg.number(ds.getXValue(s, i)) + ", "
        + Svg.number(ds.getYValue(s, i)));
    plot.setRenderer(renderer);
    ValueAxis xAxis = Axes.number(x);
    plot.setDomainAxis(xAxis);
    plot.setRangeAxis(Axes.number(y));
    return Svg.render(chart, name, title, WIDTH, HEIGHT);
  }
}
