package io.genbench.history;

import io.genbench.store.RunDirectory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The chart of one case's trend, as SVG: end-to-end P50 / P95 / P99 latency (top) and images or tokens per second
 * (bottom) against each run's start time (UTC). Runs where the case has no measurement (failed, out of memory) have no
 * point. Axes start at zero, so a small change looks small.
 */
public final class TrendChart {
  public static final int WIDTH = 900;
  public static final int HEIGHT = 600;

  /** P50, P95, P99: one hue, the median darkest; throughput apart. Readable on white and in greyscale. */
  private static final Color[] LATENCY = {new Color(0x08306b), new Color(0x3182bd), new Color(0x9ecae1)};
  private static final Color THROUGHPUT = new Color(0xd95f02);

  private TrendChart() {}

  /** Writes the chart to {@code file} (atomically). */
  public static void write(Path file, String caseId, List<TrendPoint> points) {
    RunDirectory.writeAtomic(file.toAbsolutePath(), svg(caseId, points));
  }

  /** The chart as an SVG document. */
  public static String svg(String caseId, List<TrendPoint> points) {
    boolean tokens = points.stream().anyMatch(p -> p.result().tokens());
    DateAxis time = new DateAxis("run started (UTC)", TimeZone.getTimeZone("UTC"), Locale.ROOT);
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    plot.setGap(12);
    plot.add(plot(axis("e2e latency (ms)"), points, List.of(
        series("P50", points, CaseRecord::e2eP50Ms), series("P95", points, CaseRecord::e2eP95Ms),
        series("P99", points, CaseRecord::e2eP99Ms))), 3);
    plot.add(plot(axis(tokens ? "tokens/s" : "images/s"), points, List.of(
        series(tokens ? "tokens/s" : "images/s", points, tokens ? CaseRecord::tokensPerS : CaseRecord::imagesPerS))), 2);
    // the case id is the user's (a plan names it): escaped as every chart label is
    JFreeChart chart = new JFreeChart(io.genbench.chart.Svg.label(caseId) + " over " + points.size() + (points.size() == 1 ? " run" : " runs"),
        JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
    return g.getSVGDocument();
  }

  private static NumberAxis axis(String label) {
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(true);
    axis.setNumberFormatOverride(NumberFormat.getNumberInstance(Locale.ROOT)); // 1,234.5 whatever the user's locale
    return axis;
  }

  private static XYPlot plot(NumberAxis axis, List<TrendPoint> points, List<XYSeries> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach(data::addSeries);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      renderer.setSeriesPaint(i, series.size() == 1 ? THROUGHPUT : LATENCY[i]);
    }
    XYPlot plot = new XYPlot(data, null, axis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setNoDataMessage(points.isEmpty() ? "no run recorded this case" : "no measured run");
    return plot;
  }

  private static XYSeries series(String name, List<TrendPoint> points, Function<CaseRecord, Double> figure) {
    XYSeries s = new XYSeries(name, false, true); // in run order; two runs may start in the same second
    for (TrendPoint p : points) {
      Double v = figure.apply(p.result());
      if (v != null) s.add(p.run().startedAt().toEpochMilli(), v);
    }
    return s;
  }
}
