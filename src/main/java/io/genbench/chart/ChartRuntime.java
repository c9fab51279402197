package io.genbench.chart;

import java.util.Optional;

/**
 * Whether this JVM can draw charts, asked once before drawing any, so that a JVM that cannot gets one note instead of a
 * failure per chart. Loads no AWT class itself: a Java runtime without the {@code java.desktop} module (a jlinked one)
 * fails in {@link Svg}, and is answered here.
 */
public final class ChartRuntime {
  private static Optional<String> unavailable;

  private ChartRuntime() {}

  /**
   * Empty when charts can be drawn (text measured in the chart font); else the one line a report shows in place of its
   * charts.
   */
  public static synchronized Optional<String> unavailable() {
    if (unavailable == null) {
      try {
        Svg.probe();
        unavailable = Optional.empty();
      } catch (RuntimeException | LinkageError | InternalError e) {
        unavailable = Optional.of(unavailable(e));
      }
    }
    return unavailable;
  }

  /** The line a report shows in place of its charts when drawing them failed with {@code e}. */
  public static String unavailable(Throwable e) {
    return "No chart was drawn: this Java runtime cannot draw them (" + e + "). Every figure is in the tables; a JDK"
        + " with the java.desktop module draws the charts with genbench report.";
  }
}
