package io.genbench.cli;

import io.genbench.report.ReportFormat;
import io.genbench.report.RunReport;
import io.genbench.store.RunDirectory;
import io.genbench.suite.SuiteHtml;
import io.genbench.views.RunViews;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench report}: rebuilds every view of a run from its raw events, offline. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Rebuilds every report of a run directory from its raw events, offline.",
        "events.jsonl is the source of truth: each case's result.json, summary.csv, results.json, results.csv,"
            + " report.md and report.html are recomputed from it; then report.md is printed to stdout, and the run"
            + " is recorded in the history (replacing an earlier record of it; --no-history: not). With --format, only"
            + " that view is derived and printed: nothing is written or recorded."},
    footer = {"", "Examples:", "  genbench report results/20261121-101500-plan",
        "  genbench report results/20261121-101500-plan --format csv > summary.csv",
        "  genbench report results/20261121-101500-plan --format html > report.html",
        "  genbench report results/20261121-101500-plan --format time   # where the wall time went",
        "  genbench report results/20261130-202508-suite-quick      # a suite run: report.md from suite.jsonl"})
final class ReportCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_DIR", description = "a run directory, e.g."
      + " results/20261121-101500-sd_only (default: the newest under results/)")
  Path runDir;

  @Option(names = "--format", defaultValue = "md", paramLabel = "FORMAT", description = "md | csv | json | html | time: print this"
      + " view alone, derived from the events, writing nothing and recording nothing (csv is summary.csv; time: where"
      + " the wall time went, per case and for the run). Without it every view is rebuilt, report.md printed and the run"
      + " recorded")
  String format;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin
  RunHistoryOptions history;

  @Override
  public Integer call() {
    runDir = NewestRuns.orNewest(runDir, "RUN_DIR", 0);
    if (java.nio.file.Files.isRegularFile(runDir.resolve(io.genbench.suite.SuiteRun.EVENTS))
        && !java.nio.file.Files.exists(runDir.resolve(RunDirectory.PLAN))) {
      return suite();
    }
    ReportFormat f = ReportFormat.parse(format);
    if (spec.commandLine().getParseResult().hasMatchedOption("--format")) {
      // one view, printed: the run's files and its history record stay as they are
      RunDirectory dir = RunDirectory.open(runDir);
      dir.refuseLinks();
      RunReport report = new RunViews(dir).read();
      if (!report.complete()) System.err.println("genbench: " + report.incompleteNote().replace("RUN_DIR", runDir.toString()));
      System.out.print(f.render(report));
      System.out.flush();
      return 0;
    }
    var historyAt = history.checked();
    RunDirectory dir = RunDirectory.open(runDir);
    dir.refuseLinks();
    RunViews.removeLeftovers(dir);
    RunReport report = new RunViews(dir).rebuild();
    if (!report.complete()) System.err.println("genbench: " + report.incompleteNote().replace("RUN_DIR", runDir.toString()));
    // the file rebuild just wrote, not a second rendering (report.md and report.html would draw every chart again)
    print(dir.file(f.fileName()));
    // where the views are, on stderr: stdout is the chosen format (--format csv > out.csv)
    System.err.println("report: " + dir.file(io.genbench.report.ReportFormat.MD.fileName()));
    System.err.println("html:   " + dir.file(io.genbench.report.ReportFormat.HTML.fileName()));
    io.genbench.run.HistoryRecord.write(historyAt, dir, report.results());
    return 0;
  }

  /**
   * A {@code genbench suite} run directory: its views (results.json, the CSVs, report.md) rebuilt from suite.jsonl, so a
   * suite killed before it wrote them (a timeout, Ctrl-C) still gets a report of what it measured.
   */
  private int suite() {
    if (!java.util.List.of("md", "json", "html").contains(format)) {
      throw new io.genbench.UserError("--format " + format + ": a suite run directory (" + runDir + ") has report.md,"
          + " report.html and results.json; use --format md, html or json (its CSVs are beside them).");
    }
    var report = io.genbench.suite.SuiteRun.writeViews(runDir);
    report.unreadable().ifPresent(why -> System.err.println("genbench: " + why + "."));
    SuiteHtml.write(runDir, report);
    print(runDir.resolve(switch (format) {
      case "md" -> io.genbench.suite.SuiteRun.REPORT;
      case "json" -> io.genbench.suite.SuiteRun.RESULTS;
      default -> SuiteHtml.FILE;
    }));
    return 0;
  }

  private static void print(java.nio.file.Path file) {
    try {
      System.out.print(java.nio.file.Files.readString(file));
    } catch (java.io.IOException e) {
      throw new io.genbench.store.StorageError(e, file, "print the view just written: cannot read");
    }
    System.out.flush();
  }
}