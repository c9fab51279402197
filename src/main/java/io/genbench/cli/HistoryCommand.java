package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.history.HistoryFilter;
import io.genbench.history.HistoryFormat;
import io.genbench.history.HistoryStore;
import io.genbench.history.LoadMetric;
import io.genbench.history.LoadTrendPoint;
import io.genbench.history.RecordedRun;
import io.genbench.history.RunRecord;
import io.genbench.history.TrendChart;
import io.genbench.history.TrendPoint;
import io.genbench.store.RunDirectory;
import io.genbench.views.RunViews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench history}: the runs recorded over time, and one case's figures across them. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"The run history: every finished run is recorded (at the end of genbench run and genbench load, and by genbench report)"
        + " in a store, by default the SQLite file ~/.genbench/history.sqlite ($XDG_DATA_HOME/genbench/history.sqlite where set; created on first use), or a PostgreSQL"
        + " database shared by a team: --history-url or GENBENCH_HISTORY_URL. Recording a run again replaces it.",
        "list shows runs (kind run, or load for genbench load), newest first; trend shows one case's figures over runs, as a table and an SVG chart (trend --load URL: a load"
            + " target's levels over load runs); record"
            + " adds existing run directories (from their results, nothing is run)."},
    subcommands = {HistoryCommand.ListRuns.class, HistoryCommand.Trend.class, HistoryCommand.RecordRuns.class},
    footer = {"", "Examples:", "  genbench history list", "  genbench history list --model sdxl --since 2026-11-01 --limit 50",
        "  genbench history trend sd-2-1-g5xlarge-b1-s20-float16 --chart trend.svg",
        "  genbench history trend --load http://127.0.0.1:8000/v1/images/generations --level c8 --metric response_p95,images_per_s",
        "  genbench history record results/20261121-101500-plan results/smoke results/20261122-093000-load",
        "  genbench history list --history-url jdbc:postgresql://db:5432/genbench",
        "", "Exit codes: 0 done; 1 the store cannot be opened, read or written (it and the cause are named); 2 bad input"
        + " (a bad URL, date or format, a case id or load URL or level that no recorded run has, an unknown --metric, a directory that"
        + " is not a run)."})
final class HistoryCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    throw new UserError("Missing required subcommand: genbench history list | trend CASE_ID | trend --load URL | record RUN_DIR... (see"
        + " genbench history --help).");
  }

  /** Filters shared by list and trend. */
  static final class Filters {
    @Option(names = "--instance", paramLabel = "TYPE", description = "runs with a case whose requested or actual instance type contains TYPE, e.g. g5.xlarge or g6e")
    String instance;

    @Option(names = "--since", paramLabel = "DATE", description = "runs started on or after DATE (2026-11-21, a UTC day) or an instant (2026-11-21T10:15:00Z)")
    String since;

    @Option(names = "--until", paramLabel = "DATE", description = "runs started on or before DATE (the whole UTC day), or before an instant")
    String until;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT", description = "table | csv | json (default: ${DEFAULT-VALUE})")
    String format;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Lists recorded runs, newest first: when, where, on what, how many cases succeeded (ok), finished"
          + " (done) and were planned, the plan and the genbench that ran them."},
      footer = {"", "Examples:", "  genbench history list", "  genbench history list --model sdxl --instance g6e --since 2026-11-01",
          "  genbench history list --until 2026-11-30 --limit 100 --format csv > runs.csv"})
  static final class ListRuns implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", description = "runs with a case whose model id or label contains MODEL, e.g. sdxl, stable-diffusion-2-1")
    String model;

    @Mixin
    Filters filters;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "at most N runs, the newest (default: ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    HistoryOptions history;

    @Override
    public Integer call() {
      HistoryFormat format = HistoryFormat.parse(filters.format);
      HistoryFilter filter = HistoryFilter.parse(model, filters.instance, filters.since, filters.until, limit);
      try (HistoryStore store = history.open()) {
        List<RunRecord> runs = store.runs(filter);
        System.out.print(format.runs(runs));
        System.out.flush();
        if (runs.isEmpty()) System.err.println("genbench: no recorded run matches, in " + store.location().describe());
      }
      return 0;
    }
  }

  @Command(name = "trend", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"One case's figures over the recorded runs, oldest first: status, verdict, e2e P50/P95/P99,"
          + " images/s (tokens/s), peak memory, cost per 1000 images (per million tokens) on-demand and spot; with"
          + " --chart, an SVG chart of latency and throughput against each run's start.",
          "With --load URL instead of a case: the target URL's levels over the recorded load runs (genbench load), oldest"
              + " run first, each run's levels in the order they ran: level, verdict, SLO, measured requests and the --metric"
              + " figures (the table; csv and json carry every figure)."},
      footer = {"", "Examples:", "  genbench history trend sd-2-1-g5xlarge-b1-s20-float16",
          "  genbench history trend sd-2-1-g5xlarge-b1-s20-float16 --chart sd21.svg",
          "  genbench history trend sdxl-g6exlarge-b1-s20-float16 --since 2026-11-01",
          "  genbench history trend sdxl-g6exlarge-b1-s20-float16 --format csv > sdxl.csv",
          "  genbench history trend --load http://127.0.0.1:8000/v1/images/generations",
          "  genbench history trend --load http://gpu-1:8000/v1/chat/completions --level 4rps --metric ttft_p99,tokens_per_s"})
  static final class Trend implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CASE_ID", description = "a case id, e.g. sd-2-1-g5xlarge-b1-s20-float16 (see a run's summary.csv)")
    String caseId;

    @Option(names = "--load", paramLabel = "URL", description = "instead of a case: a load target's URL, exactly as genbench load was"
        + " given it (a load run's levels.csv has it; a URL no run recorded lists the recorded ones that contain it)")
    String loadUrl;

    @Option(names = "--level", paramLabel = "LABEL", description = "with --load: only this level, by its label (e.g. c8, 2.5rps)")
    String level;

    @Option(names = "--metric", paramLabel = "NAME", split = ",", description = "with --load: the figures the table shows, in"
        + " this order, repeatable or comma-separated: response_p50, response_p95, response_p99, ttft_p50, ttft_p99, tpot_p50,"
        + " offered_rps, achieved_rps, images_per_s, tokens_per_s, error_rate (default: response_p50, response_p95,"
        + " response_p99, achieved_rps, error_rate)")
    List<String> metrics;

    @Mixin
    Filters filters;

    @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "at most N runs, the newest (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--chart", paramLabel = "FILE.svg", description = "also write the chart, as SVG, to FILE.svg")
    Path chart;

    @Mixin
    HistoryOptions history;

    @Override
    public Integer call() {
      if (loadUrl != null) return load();
      if (caseId == null) throw new UserError("genbench history trend needs a CASE_ID or --load URL (see genbench history trend --help)");
      if (level != null || metrics != null) {
        throw new UserError((level != null ? "--level" : "--metric") + " applies to load trends: give --load URL, not case " + caseId);
      }
      HistoryFormat format = HistoryFormat.parse(filters.format);
      HistoryFilter filter = HistoryFilter.parse(null, filters.instance, filters.since, filters.until, limit);
      if (chart != null && !chart.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".svg")) {
        throw new UserError("--chart writes SVG: give a file name ending in .svg, was '" + chart + "'");
      }
      try (HistoryStore store = history.open()) {
        List<TrendPoint> points = store.trend(caseId, filter);
        if (points.isEmpty()) throw new UserError(notFound(store, caseId));
        System.out.print(format.trend(caseId, points));
        System.out.flush();
        if (chart != null) {
          TrendChart.write(chart, caseId, points);
          System.err.println("genbench: chart: " + chart);
        }
      }
      return 0;
    }

    private Integer load() {
      if (caseId != null) throw new UserError("give a CASE_ID or --load URL, not both (was " + caseId + " and --load " + loadUrl + ")");
      if (filters.instance != null) throw new UserError("--instance applies to case trends: a load run records no instance type");
      if (chart != null) throw new UserError("--chart draws case trends only; for a load URL use --format csv and chart that");
      List<LoadMetric> shown = LoadMetric.parse(metrics);
      HistoryFormat format = HistoryFormat.parse(filters.format);
      HistoryFilter filter = HistoryFilter.parse(null, null, filters.since, filters.until, limit);
      String url = loadUrl.strip();
      String label = level == null ? null : level.strip();
      try (HistoryStore store = history.open()) {
        List<LoadTrendPoint> points = store.loadTrend(url, label, filter);
        if (points.isEmpty()) throw new UserError(loadNotFound(store, url, label));
        System.out.print(format.loadTrend(url, shown, points));
        System.out.flush();
      }
      return 0;
    }

    private static String loadNotFound(HistoryStore store, String url, String label) {
      String where = " in " + store.location().describe();
      List<String> levels = store.loadLevelLabels(url, 20);
      if (label != null && !levels.isEmpty() && !levels.contains(label)) {
        return "No recorded load run of " + url + " has level '" + label + "'" + where + " (within the filters). Its recorded"
            + " levels: " + String.join(", ", levels);
      }
      if (!levels.isEmpty()) return "No recorded load run of " + url + where + " is within the filters (--since, --until)";
      List<String> like = store.loadUrls(url, 10);
      if (!like.isEmpty()) return "No recorded load run has URL " + url + where + ". Recorded URLs that contain it: " + String.join(", ", like);
      List<String> any = store.loadUrls("", 10);
      return "No recorded load run has URL " + url + where + (any.isEmpty()
          ? ": no load run is recorded yet (genbench load records one; genbench history record LOAD_RUN_DIR adds an old one)."
          : ". Recorded load URLs include: " + String.join(", ", any));
    }

    private static String notFound(HistoryStore store, String caseId) {
      List<String> like = store.caseIds(caseId, 10);
      String where = " in " + store.location().describe();
      if (!like.isEmpty()) return "No recorded run has case " + caseId + where + " (within the filters). Case ids that contain it: " + String.join(", ", like);
      List<String> any = store.caseIds("", 10);
      return "No recorded run has case " + caseId + where + (any.isEmpty() ? ": no case is recorded yet (genbench history record RUN_DIR)."
          : " (within the filters). Recorded case ids include: " + String.join(", ", any));
    }
  }

  @Command(name = "record", mixinStandardHelpOptions = true,
      description = {"Records existing run directories in the history, from their results (recomputed from the events as"
          + " genbench report does; nothing is run or written to the run). A run recorded before is replaced. A load run"
          + " directory (genbench load's) is recorded from its results.json, one row per level."},
      footer = {"", "Examples:", "  genbench history record results/20261121-101500-plan", "  genbench history record results/*",
          "  genbench history record results/smoke --history-url jdbc:sqlite:team.sqlite"})
  static final class RecordRuns implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories, e.g. results/20261121-101500-plan")
    List<Path> runDirs;

    @Mixin
    HistoryOptions history;

    @Override
    public Integer call() {
      List<java.util.function.Supplier<RecordedRun>> dirs = new ArrayList<>();
      for (Path p : runDirs) { // every directory is checked before anything is recorded
        if (!Files.isDirectory(p)) throw new UserError("the run directory " + p + " does not exist");
        if (RecordedRun.isLoadRun(p)) {
          dirs.add(() -> RecordedRun.ofLoad(p));
        } else {
          RunDirectory dir = RunDirectory.open(p);
          dirs.add(() -> RecordedRun.of(dir, new RunViews(dir).results()));
        }
      }
      try (HistoryStore store = history.open()) {
        for (var dir : dirs) {
          RecordedRun run = dir.get();
          store.record(run);
          RunRecord r = run.run();
          System.out.println(r.kind().equals(RunRecord.LOAD)
              ? "recorded load run " + r.runId() + ": " + r.casesSuccess() + " of " + r.casesFinished() + " levels VALID"
              : "recorded " + r.runId() + ": " + r.casesSuccess() + " of " + r.casesFinished() + " finished cases SUCCESS ("
                  + r.casesPlanned() + " planned)");
        }
        System.err.println("genbench: history store: " + store.location().describe());
      }
      return 0;
    }
  }
}
