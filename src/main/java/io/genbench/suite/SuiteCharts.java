package io.genbench.suite;

import static io.genbench.chart.Svg.label;
import static io.genbench.chart.Svg.number;

import io.genbench.chart.Axes;
import io.genbench.chart.Chart;
import io.genbench.chart.ChartRuntime;
import io.genbench.chart.Svg;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The suite's charts, from its measured records only: speed-up against GPU count beside ideal scaling (tp and
 * pipeline-diffusion, from the {@code speedup} {@link SuiteReport} derives against the 1-GPU run), the one-way p2p
 * bandwidth matrix of the bandwidth experiment at its largest message, and collective bus bandwidth against message
 * size. A chart without data is a note. Drawn into {@code charts/} beside the suite's report.md.
 *
 * @param drawn the charts, in report order
 * @param notes one line per chart not drawn
 */
public record SuiteCharts(List<Chart> drawn, List<String> notes) {
  static final int WIDTH = 640;
  static final int HEIGHT = 380;

  public SuiteCharts {
    drawn = List.copyOf(drawn);
    notes = List.copyOf(notes);
  }

  /**
   * Draws every chart the suite's records allow; never throws for a chart's sake: a JVM that cannot draw (no
   * java.desktop module) gets one note, {@link ChartRuntime#unavailable()}, in place of them all.
   */
  public static SuiteCharts of(SuiteReport report) {
    Optional<String> unavailable = ChartRuntime.unavailable();
    if (unavailable.isPresent()) return new SuiteCharts(List.of(), List.of(unavailable.get()));
    List<Chart> drawn = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try {
      List<Row.Values> records = report.runs().stream().flatMap(r -> r.records().stream()).map(Row::values).toList();
      String simulated = report.runs().stream().anyMatch(r -> r.start() != null && r.start().simulate())
          ? " Simulated: CPU processes with gloo, not GPUs." : "";
      attempt("Scaling", drawn, notes, (d, n) -> scaling(records, simulated, d, n));
      attempt("Bandwidth matrix", drawn, notes, (d, n) -> bandwidth(records, simulated, d, n));
      attempt("Collective bus bandwidth", drawn, notes, (d, n) -> collectives(records, simulated, d, n));
    } catch (LinkageError | InternalError e) {
      return new SuiteCharts(List.of(), List.of(ChartRuntime.unavailable(e)));
    }
    return new SuiteCharts(drawn, notes);
  }

  /** Draws one chart with its notes, or, when it throws, only a note that it was not drawn (never both). */
  static void attempt(String what, List<Chart> drawn, List<String> notes, BiConsumer<List<Chart>, List<String>> chart) {
    List<Chart> ownCharts = new ArrayList<>();
    List<String> ownNotes = new ArrayList<>();
    try {
      chart.accept(ownCharts, ownNotes);
    } catch (RuntimeException e) {
      notes.add(what + ": not drawn (" + e + ").");
      return;
    }
    drawn.addAll(ownCharts);
    notes.addAll(ownNotes);
  }

  /** One scaling line: its name and its (GPUs, speed-up) points by GPU count. */
  record Line(String name, List<double[]> points) {}

  /**
   * The scaling lines: tp per model and batch size by {@code tp_size}, pipeline-diffusion by {@code gpu_count}, each a
   * record's {@code speedup} (its throughput over the 1-GPU run's). Lines with one point (no 1-GPU run to compare
   * with, or no larger one) are left out.
   */
  static List<Line> scalingLines(List<Row.Values> records) {
    Map<String, List<double[]>> lines = new LinkedHashMap<>();
    for (Row.Values r : records) {
      if (r.speedup() == null) continue;
      String name;
      double gpus;
      if (r.kind().equals("tp")) {
        name = "tp · " + r.model() + " · batch " + r.batchSize();
        gpus = r.tpSize();
      } else if (r.kind().equals("pipeline")) {
        name = "pipeline-diffusion";
        gpus = r.gpuCount();
      } else {
        continue;
      }
      lines.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {gpus, r.speedup()});
    }
    List<Line> out = new ArrayList<>();
    lines.forEach((name, points) -> {
      points.sort((a, b) -> Double.compare(a[0], b[0]));
      if (points.size() >= 2) out.add(new Line(name, points));
    });
    return out;
  }

  private static void scaling(List<Row.Values> records, String simulated, List<Chart> drawn, List<String> notes) {
    List<Line> lines = scalingLines(records);
    if (lines.isEmpty()) {
      notes.add("Scaling against ideal: no tp or pipeline-diffusion result at 1 GPU and at more to compare.");
      return;
    }
    List<Line> shown = lines.subList(0, Math.min(lines.size(), 8));
    XYSeriesCollection data = new XYSeriesCollection();
    double most = 1;
    List<String> names = new ArrayList<>();
    for (Line l : shown) {
      XYSeries s = new XYSeries(label(l.name()), false, true);
      for (double[] p : l.points()) {
        s.add(p[0], p[1]);
        most = Math.max(most, p[0]);
      }
      data.addSeries(s);
      names.add(label(l.name()));
    }
    XYSeries ideal = new XYSeries("ideal (speed-up = GPUs)", false, true);
    ideal.add(1, 1);
    ideal.add(most, most);
    XYSeriesCollection idealData = new XYSeriesCollection(ideal);
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart("Scaling against ideal", null, null, data,
        PlotOrientation.VERTICAL, true, false, false));
    Svg.caption(chart, "Throughput over the 1-GPU run's (tp: decode tokens/s; pipeline: steady-state samples/s)." + simulated);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    renderer.setDrawSeriesLineAsPath(true);
    for (int i = 0; i < shown.size(); i++) {
      renderer.setSeriesPaint(i, Svg.PALETTE[i % Svg.PALETTE.length]);
      renderer.setSeriesStroke(i, Svg.LINE);
      renderer.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
    }
    renderer.setDefaultToolTipGenerator((ds, s, i) -> names.get(s) + ": " + number(ds.getXValue(s, i)) + " GPUs, speed-up "
        + number(ds.getYValue(s, i)) + " (" + number(100 * ds.getYValue(s, i) / ds.getXValue(s, i)) + " % of ideal)");
    plot.setRenderer(0, renderer);
    XYLineAndShapeRenderer idealLine = new XYLineAndShapeRenderer(true, false);
    idealLine.setSeriesPaint(0, Svg.MUTED);
    idealLine.setSeriesStroke(0, Svg.DASHED);
    plot.setDataset(1, idealData);
    plot.setRenderer(1, idealLine);
    NumberAxis x = Axes.integer("GPUs (tensor-parallel size, pipeline stages)");
    x.setRange(0.5, most + 0.5);
    plot.setDomainAxis(x);
    NumberAxis y = Axes.number("speed-up over 1 GPU");
    y.setAutoRangeIncludesZero(true);
    plot.setRangeAxis(y);
    if (shown.size() < lines.size()) notes.add("Scaling against ideal: the first 8 of " + lines.size() + " lines are drawn.");
    drawn.add(Svg.render(chart, "scaling", "Scaling against ideal", WIDTH, HEIGHT));
  }

  /** The bandwidth matrix: GPUs, the message size, and GB/s by [source][destination] (NaN where not measured). */
  record Matrix(int gpus, long bytes, String method, double[][] gbPerS) {}

  /** One-way transfers of the bandwidth experiment at its largest message: p2p where measured, else copy; null if none. */
  static Matrix matrix(List<Row.Values> records) {
    for (String method : List.of("p2p", "copy")) {
      List<Row.Values> rows = records.stream().filter(r -> r.kind().equals("transfer") && r.method().equals(method)
          && r.direction().equals("one") && r.bandwidthGbS() != null).toList();
      if (rows.isEmpty()) continue;
      long bytes = rows.stream().mapToLong(Row.Values::bytesOrZero).max().orElseThrow();
      int gpus = 1 + rows.stream().mapToInt(r -> Math.max(r.src(), r.dst())).max().orElseThrow();
      double[][] m = new double[gpus][gpus];
      for (double[] row : m) java.util.Arrays.fill(row, Double.NaN);
      for (Row.Values r : rows) {
        if (r.bytesOrZero() == bytes) m[r.src()][r.dst()] = r.bandwidthGbS();
      }
      return new Matrix(gpus, bytes, method, m);
    }
    return null;
  }

  private static void bandwidth(List<Row.Values> records, String simulated, List<Chart> drawn, List<String> notes) {
    Matrix m = matrix(records);
    if (m == null) {
      notes.add("Bandwidth matrix: no bandwidth experiment ran (its one-way transfers draw it).");
      return;
    }
    int cells = 0;
    double max = 0;
    for (double[] row : m.gbPerS()) for (double v : row) if (!Double.isNaN(v)) {
      cells++;
      max = Math.max(max, v);
    }
    double[][] xyz = new double[3][cells];
    int k = 0;
    for (int src = 0; src < m.gpus(); src++) {
      for (int dst = 0; dst < m.gpus(); dst++) {
        double v = m.gbPerS()[src][dst];
        if (Double.isNaN(v)) continue;
        xyz[0][k] = dst;
        xyz[1][k] = src;
        xyz[2][k++] = v;
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("GB/s", xyz);
    NumberAxis x = Axes.integer("destination GPU");
    x.setRange(-0.5, m.gpus() - 0.5);
    NumberAxis y = Axes.integer("source GPU");
    y.setRange(-0.5, m.gpus() - 0.5);
    y.setInverted(true);
    XYBlockRenderer renderer = new XYBlockRenderer();
    double top = max > 0 ? max : 1;
    Blues scale = new Blues(top);
    renderer.setPaintScale(scale);
    renderer.setDefaultToolTipGenerator((ds, s, i) -> "GPU " + (int) ds.getYValue(s, i) + " → GPU " + (int) ds.getXValue(s, i)
        + ": " + number(((DefaultXYZDataset) ds).getZValue(s, i)) + " GB/s");
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    JFreeChart chart = Svg.styled(new JFreeChart("Bandwidth matrix (" + m.method() + ", one way)", JFreeChart.DEFAULT_TITLE_FONT,
        plot, false));
    Svg.caption(chart, "GB/s from each source GPU to each destination at " + size(m.bytes()) + ", the largest message."
        + simulated);
    // after styling: the theme would paint every annotation in one colour
    for (int i = 0; i < cells; i++) {
      XYTextAnnotation value = new XYTextAnnotation(number(xyz[2][i]), xyz[0][i], xyz[1][i]);
      value.setFont(new Font(Font.SANS_SERIF, Font.BOLD, m.gpus() > 8 ? 8 : 11));
      value.setPaint(xyz[2][i] > top / 2 ? Color.WHITE : Svg.INK);
      value.setTextAnchor(TextAnchor.CENTER);
      plot.addAnnotation(value);
    }

    PaintScaleLegend legend = new PaintScaleLegend(scale, Axes.number("GB/s"));
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(4, 8, 4, 4));
    legend.setStripWidth(10);
    chart.addSubtitle(legend);
    int side = Math.max(300, Math.min(560, 90 + 60 * m.gpus()));
    drawn.add(Svg.render(chart, "bandwidth", "Bandwidth matrix, one way, at the largest message", WIDTH, side + 70));
  }

  /** White to blue over [0, top] GB/s. */
  private record Blues(double top) implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return top;
    }

    @Override
    public Paint getPaint(double value) {
      double f = Math.max(0, Math.min(1, value / top));
      return new Color((int) Math.round(0xEA + (0x08 - 0xEA) * f), (int) Math.round(0xF2 + (0x4C - 0xF2) * f),
          (int) Math.round(0xFB + (0x8A - 0xFB) * f));
    }
  }

  private static void collectives(List<Row.Values> records, String simulated, List<Chart> drawn, List<String> notes) {
    Map<String, XYSeries> series = new LinkedHashMap<>();
    TreeSet<Integer> ranks = new TreeSet<>();
    records.stream().filter(r -> r.kind().equals("collective")).forEach(r -> ranks.add(r.ranks()));
    double lo = Double.MAX_VALUE, hi = 0, blo = Double.MAX_VALUE, bhi = 0;
    for (Row.Values r : records) {
      if (!r.kind().equals("collective") || r.busbwGbS() == null) continue;
      double bytes = r.bytesOrZero(), busbw = r.busbwGbS();
      if (bytes <= 0 || busbw <= 0) continue;
      String name = r.operation() + (ranks.size() > 1 ? " × " + r.ranks() : "");
      series.computeIfAbsent(name, n -> new XYSeries(label(n), true, true)).add(bytes, busbw);
      lo = Math.min(lo, bytes);
      hi = Math.max(hi, bytes);
      blo = Math.min(blo, busbw);
      bhi = Math.max(bhi, busbw);
    }
    if (series.isEmpty()) {
      notes.add("Collective bus bandwidth: no collectives experiment ran.");
      return;
    }
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart("Collective bus bandwidth against message size", null, null,
        data, PlotOrientation.VERTICAL, true, false, false));
    Svg.caption(chart, "busbw by nccl-tests' definitions; time = median of the slowest rank." + simulated);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    renderer.setDrawSeriesLineAsPath(true);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, Svg.PALETTE[i % Svg.PALETTE.length]);
      renderer.setSeriesStroke(i, Svg.LINE);
      renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }
    renderer.setDefaultToolTipGenerator((ds, s, i) -> ds.getSeriesKey(s) + ": " + size((long) ds.getXValue(s, i)) + ", busbw "
        + number(ds.getYValue(s, i)) + " GB/s");
    plot.setRenderer(renderer);
    plot.setDomainAxis(lo < hi ? Axes.log("message size (bytes)", lo, hi) : Axes.number("message size (bytes)"));
    plot.setRangeAxis(Axes.auto("bus bandwidth (GB/s)", blo, bhi));
    drawn.add(Svg.render(chart, "collectives", "Collective bus bandwidth against message size", WIDTH, HEIGHT));
  }

  /** Bytes as people say them: 1 GiB, 64 MiB, 4 KiB, 512 B. */
  static String size(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1 && v % 1024 == 0) {
      v /= 1024;
      u++;
    }
    return number(v) + " " + units[u];
  }

  /** The charts by their file ({@code charts/<name>.svg}). */
  public Map<String, Chart> byFile() {
    Map<String, Chart> m = new LinkedHashMap<>();
    drawn.forEach(c -> m.put(c.file(), c));
    return m;
  }
}
