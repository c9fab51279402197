package io.genbench.suite;

import io.genbench.chart.Chart;
import io.genbench.report.HtmlReport;
import io.genbench.store.RunDirectory;
import io.genbench.suite.SuiteCharts;
import io.genbench.suite.SuiteReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A suite run's report.html: its report.md as one self-contained page with the charts inline, as a run's report.html
 * is (the suite package draws and writes the Markdown; the page is the report package's, so it is put together here).
 */
public final class SuiteHtml {
  public static final String FILE = "report.html";

  private SuiteHtml() {}

  /** Writes {@code dir/report.html} from the suite's report; returns its path. */
  public static Path write(Path dir, SuiteReport report) {
    SuiteCharts charts = report.charts(); // as report.md drew them
    Map<String, Chart> byFile = new LinkedHashMap<>();
    charts.drawn().forEach(c -> byFile.put(c.file(), c));
    Path file = dir.resolve(FILE);
    RunDirectory.writeAtomic(file, HtmlReport.standalone("genbench suite " + dir.getFileName(), report.markdown(charts), byFile));
    return file;
  }
}
