package io.genbench.chart;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One drawn chart.
 *
 * @param name the file stem, {@code [a-z0-9-]+}: the chart is written to {@code charts/<name>.svg} beside the report,
 *     and the ids inside its SVG start with it, so several charts can share one HTML page
 * @param title what it shows, plain text (the alt text of its image; escaped wherever it is written)
 * @param svg the {@code <svg>} element, well-formed XML with its namespace, width, height and viewBox
 */
public record Chart(String name, String title, String svg) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

  public Chart {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(svg, "svg");
    if (name == null || !NAME.matcher(name).matches()) throw new IllegalArgumentException("chart name must match [a-z0-9-]+, was " + name);
  }

  /** Where the chart is written, relative to the report: {@code charts/<name>.svg}. */
  public String file() {
    return "charts/" + name + ".svg";
  }

  /** The content of {@link #file()}: an XML declaration and the SVG element. */
  public String document() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg + "\n";
  }
}
