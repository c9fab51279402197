package io.genbench.chart;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnitSource;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/** Axes in the shared look, with tick labels in {@link Svg#TICKS} (plain decimals in any locale). */
public final class Axes {
  /** An axis goes logarithmic when its largest value is this many times its smallest. */
  public static final double LOG_RATIO = 10;

  private Axes() {}

  /** A linear axis fitted to the data (zero not forced in). */
  public static NumberAxis number(String label) {
    NumberAxis a = new NumberAxis(label);
    a.setStandardTickUnits(new NumberTickUnitSource(false, Svg.TICKS));
    a.setAutoRangeIncludesZero(false);
    style(a);
    return a;
  }

  /** A linear axis with whole-number ticks only (steps, batch sizes, GPUs). */
  public static NumberAxis integer(String label) {
    NumberAxis a = number(label);
    a.setStandardTickUnits(new NumberTickUnitSource(true, Svg.TICKS));
    return a;
  }

  /**
   * An axis for values from {@code lo} to {@code hi} (both as measured): logarithmic, and saying so in its label, when
   * they span {@link #LOG_RATIO}× or more, else linear from zero.
   */
  public static ValueAxis auto(String label, double lo, double hi) {
    if (lo > 0 && hi / lo >= LOG_RATIO) return log(label, lo, hi);
    NumberAxis a = number(label);
    a.setAutoRangeIncludesZero(true);
    return a;
  }

  /** A logarithmic axis from a little under {@code lo} to a little over {@code hi} (both &gt; 0). */
  public static ValueAxis log(String label, double lo, double hi) {
    LogAxis a = new PlainLogAxis(label + ", log scale");
    a.setSmallestValue(lo / 2);
    a.setLowerBound(lo / 1.25);
    a.setUpperBound(hi * 1.25);
    style(a);
    return a;
  }

  private static void style(ValueAxis a) {
    a.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    a.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    a.setLabelPaint(Svg.INK);
    a.setTickLabelPaint(Svg.MUTED);
  }

  /**
   * A log axis whose ticks are plain number ticks ({@code 2000}, not 2·10³): JFreeChart draws a log axis's own tick
   * labels as attributed text, which JFreeSVG writes as glyph outlines; plain ticks are {@code <text>}.
   */
  static final class PlainLogAxis extends LogAxis {
    PlainLogAxis(String label) {
      super(label);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
      return ticks(getLowerBound(), getUpperBound(), edge);
    }
  }

  /**
   * Ticks at 1…9 × each power of ten in [lo, hi]; labelled at the powers of ten, and at 2× and 5× them when the axis
   * spans at most two decades (else a 800–20,000 ms axis would read only "1000" and "10,000").
   */
  static List<NumberTick> ticks(double lo, double hi, RectangleEdge edge) {
    TextAnchor anchor = edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT
        : edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT
        : edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER;
    boolean narrow = hi / lo <= 100;
    List<NumberTick> ticks = new ArrayList<>();
    for (int k = (int) Math.floor(Math.log10(lo)); k <= (int) Math.ceil(Math.log10(hi)); k++) {
      for (int d = 1; d <= 9; d++) {
        double v = new BigDecimal(d).scaleByPowerOfTen(k).doubleValue();
        if (v < lo || v > hi) continue;
        boolean labelled = d == 1 || (narrow && (d == 2 || d == 5));
        ticks.add(new NumberTick(labelled ? TickType.MAJOR : TickType.MINOR, v, labelled ? Svg.TICKS.format(v) : "", anchor,
            TextAnchor.CENTER, 0.0));
      }
    }
    return ticks;
  }
}
