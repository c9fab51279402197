package io.genbench.report;

import io.genbench.chart.Chart;
import io.genbench.chart.ChartRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's charts, drawn once per report build from measured figures only: the case results and each case's raw series
 * ({@link RunReport#series}). In order: e2e latency distribution (a CDF with P50 and P99 marked for up to
 * {@value RunCharts#MAX_LINES} cases, else a box plot of up to {@value RunCharts#MAX_BOXES}), per-step latency over
 * the denoising steps, throughput and s/image against batch size per model and instance, cost per 1000 images by
 * instance type, model and lifecycle, the cost-versus-latency Pareto frontier with its cases named, and GPU
 * utilisation and power over time for up to {@value RunCharts#MAX_TELEMETRY} cases. A chart without data is not
 * drawn: {@link #notes()} says why in one line each.
 *
 * <p>This class needs no AWT: a Java runtime without the {@code java.desktop} module (a jlinked one) gets no charts and
 * one note saying so, never a failed report. A machine without fonts draws them: the jar bundles the font.
 *
 * @param drawn the charts, in report order
 * @param notes one line per chart that was not drawn (no data, too many cases, or a drawing failure), in report order
 */
public record Charts(List<Chart> drawn, List<String> notes) {
  /** No charts and no notes: a report rendered without its charts section. */
  public static final Charts NONE = new Charts(List.of(), List.of());

  public Charts {
    drawn = List.copyOf(drawn);
    notes = List.copyOf(notes);
  }

  /**
   * Draws every chart of the run that has data. Never throws for a chart's sake: a JVM that cannot draw (no
   * java.desktop module) gets one note, {@link ChartRuntime#unavailable()}, in place of them all.
   */
  public static Charts of(RunReport report) {
    Optional<String> unavailable = ChartRuntime.unavailable();
    if (unavailable.isPresent()) return new Charts(List.of(), List.of(unavailable.get()));
    try {
      return RunCharts.draw(report);
    } catch (LinkageError | InternalError e) {
      return new Charts(List.of(), List.of(ChartRuntime.unavailable(e)));
    }
  }

  /** The charts by their file ({@code charts/<name>.svg}). */
  public Map<String, Chart> byFile() {
    Map<String, Chart> m = new LinkedHashMap<>();
    drawn.forEach(c -> m.put(c.file(), c));
    return m;
  }

  /** True when there is nothing to show: no chart and no note. */
  public boolean isEmpty() {
    return drawn.isEmpty() && notes.isEmpty();
  }
}
