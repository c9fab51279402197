package io.genbench.report;


/** The formats {@code genbench report --format} writes; each renders a whole {@link RunReport}. */
public enum ReportFormat implements io.genbench.Labeled {
  /** {@code report.md}, see {@link MarkdownReport}. */
  MD("md", "report.md") {
    @Override
    public String render(RunReport report) {
      return MarkdownReport.render(report);
    }
  },
  /** {@code summary.csv}, the seed's 20 columns, see {@link SummaryCsv}. */
  CSV("csv", "summary.csv") {
    @Override
    public String render(RunReport report) {
      return SummaryCsv.render(report.results());
    }
  },
  /** {@code results.json}, every figure, see {@link ResultsJson}. */
  JSON("json", "results.json") {
    @Override
    public String render(RunReport report) {
      return ResultsJson.render(report);
    }
  },
  /** {@code report.html}, the Markdown report as one self-contained page, see {@link HtmlReport}. */
  HTML("html", "report.html") {
    @Override
    public String render(RunReport report) {
      return HtmlReport.render(report);
    }
  },
  /**
   * Where the run's wall time went ({@link TimeShare#text()}), for runs before the {@code timing} event too; printed
   * only ({@code genbench report RUN --format time}): a rebuild writes no file of it.
   */
  TIME("time", "time-share.txt") {
    @Override
    public String render(RunReport report) {
      TimeShare t = report.timeShare();
      return t == null ? "no case has events\n" : t.text();
    }
  };

  private final String label;
  private final String fileName;

  ReportFormat(String label, String fileName) {
    this.label = label;
    this.fileName = fileName;
  }

  /** As users write it: {@code md}, {@code csv}, {@code json}, {@code html}, {@code time}. */
  public String label() {
    return label;
  }

  /** The file this format is written to in the run directory. */
  public String fileName() {
    return fileName;
  }

  public abstract String render(RunReport report);

  /** Parses a label (case-insensitive). */
  public static ReportFormat parse(String value) {
    return io.genbench.Labeled.parseIgnoringCase(ReportFormat.class, value, "report format", null);
  }
}
