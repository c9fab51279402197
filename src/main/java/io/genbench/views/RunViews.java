package io.genbench.views;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.cost.PriceCatalog;
import io.genbench.measure.CaseAnalyzer;
import io.genbench.measure.Measurements;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.TestCase;
import io.genbench.chart.Chart;
import io.genbench.report.CaseSeries;
import io.genbench.report.Charts;
import io.genbench.report.HtmlReport;
import io.genbench.report.MarkdownReport;
import io.genbench.report.ReportFormat;
import io.genbench.report.ResultsCsv;
import io.genbench.report.ResultsJson;
import io.genbench.report.RunReport;
import io.genbench.report.SummaryCsv;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import io.genbench.store.StorageError;
import io.genbench.wire.FailureKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The views stage of one run directory: derives each case's result from its raw events and writes every view
 * (summary.csv, results.json, results.csv, report.md, report.html). A case is analysed once per instance: the result
 * computed when it ended ({@link #finishCase}) or was repaired is reused by {@link #rebuild()}; cases this instance
 * did not analyse (a fresh instance, as {@code genbench report} uses; cases of an earlier, resumed run) are recomputed
 * from their events. Not for concurrent {@code rebuild}s; {@code finishCase} may come from the runner's thread.
 */
public final class RunViews {
  private static final int LOG_TAIL_LINES = 20;
  /** The folder of the charts, beside report.md. */
  public static final String CHARTS = "charts";

  private final RunDirectory dir;
  private final Map<String, CaseResult> analysed = new ConcurrentHashMap<>();

  public RunViews(RunDirectory dir) {
    this.dir = dir;
  }

  /**
   * Removes what a killed process left in the run directory (its temporary files, a staging directory) and says so on
   * stderr: before a resumed run goes on, and before {@code genbench report} rebuilds the views.
   */
  public static void removeLeftovers(RunDirectory dir) {
    var removed = dir.removeLeftovers();
    if (removed.isEmpty()) return;
    System.err.println("genbench: removed " + removed.size() + " temporary file(s) a killed process left: "
        + String.join(", ", removed.stream().limit(3).map(Path::toString).toList()) + (removed.size() > 3 ? ", ..." : ""));
  }

  /**
   * Analyzes one finished case from its events and stores {@code result.json}, and keeps the result for
   * {@link #rebuild()}. A result that cannot be written (a full disk) is kept in memory and written with the views;
   * the case is not lost.
   */
  public CaseResult finishCase(String caseId) {
    RunDirectory.Log log = dir.readLog(caseId);
    log.damage().forEach(d -> System.err.println("genbench: damaged event log: " + d));
    Measurements measurements = Measurements.of(log.events());
    CaseResult result = CaseAnalyzer.analyze(caseId, measurements, dir.logTail(caseId, LOG_TAIL_LINES));
    store(caseId, measurements, result);
    analysed.put(caseId, result);
    return result;
  }

  private void store(String caseId, Measurements measurements, CaseResult result) {
    if (!measurements.samples().isEmpty()) {
      try {
        dir.write(dir.caseDir(caseId).resolve("latency.hlog"), io.genbench.measure.LatencyLog.of(measurements.samples()));
      } catch (StorageError e) {
        keep(caseId, json(result), e);
        return;
      }
    }
    storeResult(caseId, result);
  }

  private void storeResult(String caseId, CaseResult result) {
    String json = json(result);
    try {
      dir.write(dir.caseDir(caseId).resolve(RunDirectory.RESULT), json);
    } catch (StorageError e) {
      keep(caseId, json, e);
    }
  }

  private void keep(String caseId, String json, StorageError e) {
    dir.keepPending(caseId, json);
    System.err.println("genbench: case " + caseId + " was measured, but " + e.getMessage()
        + ". Its result is kept and written again at the end; its events.jsonl holds it for --resume.");
  }

  private static String json(CaseResult result) {
    try {
      return Json.PRETTY.writeValueAsString(result);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes summary.csv, results.json, results.csv, report.md, report.html and the charts (charts/*.svg, which report.md
   * links and report.html inlines) from every finished case: the result this
   * instance analysed when the case ended (its failure's log tail brought up to date), else one recomputed from the
   * case's events. Cases of the plan that never finished are listed as unfinished (interrupted or not run), and every
   * view says the run is incomplete. The events are the source of truth only where
   * they are whole: a stored result.json stands, with a warning, when the events lost what it was derived from (a
   * damaged line, a missing {@code done}, fewer samples), so a torn log never turns a SUCCESS into a FAILED.
   */
  public RunReport rebuild() {
    Map<String, CaseSeries> series = new LinkedHashMap<>();
    List<RunReport.Unfinished> unfinished = new ArrayList<>();
    List<CaseResult> results = results(true, series, unfinished);
    dir.writePending();
    for (CaseResult r : results) series.computeIfAbsent(r.caseId(), this::series);
    JsonNode environment = environment();
    RunReport report = new RunReport(dir.root().getFileName().toString(), environment, results,
        PriceCatalog.bundled().description(), interference(results), series, unfinished, timeShare(results, unfinished, environment));
    Charts charts = Charts.of(report);
    dir.write(dir.file(ReportFormat.CSV.fileName()), SummaryCsv.render(results));
    dir.write(dir.file(ReportFormat.JSON.fileName()), ResultsJson.render(report));
    dir.write(dir.file("results.csv"), ResultsCsv.render(results));
    writeCharts(charts);
    dir.write(dir.file(ReportFormat.MD.fileName()), MarkdownReport.render(report, charts));
    dir.write(dir.file(ReportFormat.HTML.fileName()), HtmlReport.render(report, charts));
    return report;
  }

  /**
   * The report {@link #rebuild()} would write, derived the same way, writing nothing: for {@code genbench report
   * --format F}, which prints one view of a run without touching its files.
   */
  public RunReport read() {
    Map<String, CaseSeries> series = new LinkedHashMap<>();
    List<RunReport.Unfinished> unfinished = new ArrayList<>();
    List<CaseResult> results = results(false, series, unfinished);
    for (CaseResult r : results) series.computeIfAbsent(r.caseId(), this::series);
    JsonNode environment = environment();
    return new RunReport(dir.root().getFileName().toString(), environment, results,
        PriceCatalog.bundled().description(), interference(results), series, unfinished, timeShare(results, unfinished, environment));
  }

  /**
   * Where the run's wall time went, from the events of every case that has them (finished or interrupted), against
   * environment.json's {@code started_at} to {@code finished_at}; that wall time is left unknown for a resumed run (it
   * holds the pause) and one not finished. Null when no case's events can be read.
   */
  private io.genbench.report.TimeShare timeShare(List<CaseResult> results, List<RunReport.Unfinished> unfinished, JsonNode env) {
    Map<String, List<io.genbench.wire.WorkerEvent>> events = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>(results.stream().map(CaseResult::caseId).toList());
    unfinished.stream().filter(u -> RunReport.INTERRUPTED.equals(u.state())).forEach(u -> ids.add(u.caseId()));
    for (String id : ids) {
      try {
        events.put(id, dir.readLog(id).events());
      } catch (RuntimeException e) {
        // a case whose events cannot be read is left out of the breakdown, as it is recomputed from its result.json
      }
    }
    if (events.isEmpty()) return null;
    return io.genbench.report.TimeShare.of(events, wallNs(env));
  }

  /** started_at to finished_at of environment.json, or null: either missing, or the run was resumed. */
  private Long wallNs(JsonNode env) {
    if (env == null || !env.hasNonNull("started_at") || !env.hasNonNull("finished_at")) return null;
    try (var files = Files.list(dir.root())) {
      if (files.anyMatch(f -> f.getFileName().toString().startsWith("environment.resumed-"))) return null;
    } catch (IOException e) {
      return null;
    }
    try {
      var d = java.time.Duration.between(java.time.Instant.parse(env.get("started_at").asText()),
          java.time.Instant.parse(env.get("finished_at").asText()));
      return d.isNegative() ? null : d.toNanos();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** charts/&lt;name&gt;.svg for each chart drawn; an SVG there from an earlier build that is not drawn now goes. */
  private void writeCharts(Charts charts) {
    Map<String, String> files = new LinkedHashMap<>();
    for (Chart c : charts.drawn()) files.put(c.name() + ".svg", c.document());
    RunDirectory.replaceFiles(dir.inside(dir.file(CHARTS)), files, ".svg");
  }

  /** A case's raw series for the charts, read from its events; none when they cannot be read. */
  private CaseSeries series(String caseId) {
    try {
      return series(Measurements.of(dir.readLog(caseId).events()));
    } catch (RuntimeException e) {
      return CaseSeries.EMPTY;
    }
  }

  private static CaseSeries series(Measurements m) {
    return new CaseSeries(m.samples(), m.telemetry());
  }

  /**
   * Every finished case's result as {@link #rebuild()} derives it (recomputed from its events, or the stored result.json
   * where the events cannot prove a different one), in plan order, writing nothing: for commands that read a run,
   * such as {@code genbench compare} and {@code genbench best}.
   */
  public List<CaseResult> results() {
    return results(false, new LinkedHashMap<>(), new ArrayList<>());
  }

  /**
   * Stores the result of a case measured alone for the interference check (in {@link RunDirectory#INTERFERENCE}), which
   * marks it done there for a resumed run; returns it.
   */
  public CaseResult finishAlone(String caseId) {
    RunDirectory alone = dir.sub(RunDirectory.INTERFERENCE);
    CaseResult result = CaseAnalyzer.analyze(caseId, Measurements.of(alone.readEvents(caseId)), alone.logTail(caseId, LOG_TAIL_LINES));
    alone.write(alone.caseDir(caseId).resolve(RunDirectory.RESULT), json(result));
    return result;
  }

  /** Seeds the interference check's bootstrap, so a rebuilt report prints the same interval. */
  static final long INTERFERENCE_SEED = 20261130L;

  /**
   * The neighbour-interference check of a run on several GPUs: every case measured again alone (in
   * {@link RunDirectory#INTERFERENCE}) against the same case beside its neighbours in the run, as a ratio of e2e
   * medians with a 95 % bootstrap interval. Empty when the run had none.
   */
  public List<RunReport.Interference> interference(List<CaseResult> results) {
    RunDirectory alone = dir.sub(RunDirectory.INTERFERENCE);
    List<RunReport.Interference> out = new ArrayList<>();
    for (CaseResult r : results) {
      if (r.status() != io.genbench.result.CaseStatus.SUCCESS || r.where() == null || r.where().beside() == null) continue;
      if (!alone.isDone(r.caseId())) continue;
      try {
        Measurements m = Measurements.of(alone.readEvents(r.caseId()));
        if (m.failure() != null || m.samples().isEmpty()) continue;
        List<long[]> aloneSamples = List.of(m.samples().stream().mapToLong(io.genbench.wire.WorkerEvent.Sample::e2eNs).toArray());
        var ratio = io.genbench.analyze.MedianRatio.of(aloneSamples, e2eByTrial(r.caseId()), 0.95, INTERFERENCE_SEED,
            io.genbench.analyze.MedianRatio.RESAMPLES);
        out.add(new RunReport.Interference(r.caseId(), r.where().beside().gpus(), r.where().beside().neighboursMax(),
            ratio.candidateMedianNs() / 1e6, ratio.baselineMedianNs() / 1e6, ratio.ratio(), ratio.ciLow(), ratio.ciHigh(),
            ratio.level(), ratio.change().label(), ratio.method()));
      } catch (RuntimeException e) {
        System.err.println("genbench: interference check of " + r.caseId() + " cannot be read (" + e.getMessage() + "); left out");
      }
    }
    return out;
  }

  /**
   * A finished case's measured e2e samples (ns) per trial, in trial order (one entry without trials), read from its
   * events; empty when it has none.
   */
  public List<long[]> e2eByTrial(String caseId) {
    Measurements m = Measurements.of(dir.readEvents(caseId));
    return m.samplesByTrial().values().stream()
        .map(t -> t.stream().mapToLong(io.genbench.wire.WorkerEvent.Sample::e2eNs).toArray()).toList();
  }

  /** The results, and in {@code series} the raw series of each case recomputed here (its events were read anyway). */
  private List<CaseResult> results(boolean write, Map<String, CaseSeries> series, List<RunReport.Unfinished> unfinished) {
    Plan plan = PlanFile.read(dir.file(RunDirectory.PLAN));
    List<CaseResult> results = new ArrayList<>();
    for (TestCase c : plan.cases()) {
      String state = dir.isDone(c.id()) ? null : unfinishedState(c.id());
      if (state != null) {
        unfinished.add(new RunReport.Unfinished(c.id(), state));
        continue;
      }
      CaseResult known = analysed.get(c.id());
      if (known != null) {
        results.add(write ? withCurrentLogTail(c.id(), known) : known);
        continue;
      }
      CaseResult stored = stored(c.id());
      try {
        RunDirectory.Log log = dir.readLog(c.id());
        log.damage().forEach(d -> System.err.println("genbench: damaged event log: " + d));
        Measurements m = Measurements.of(log.events());
        series.put(c.id(), series(m));
        CaseResult recomputed = CaseAnalyzer.analyze(c.id(), m, dir.logTail(c.id(), LOG_TAIL_LINES));
        String lost = stored == null ? null : lost(log, m, stored);
        if (lost != null) {
          System.err.println("genbench: case " + c.id() + ": its events.jsonl " + lost + "; keeping its stored result.json ("
              + stored.status() + ") rather than recomputing a worse one");
          results.add(stored);
        } else {
          if (write) store(c.id(), m, recomputed);
          results.add(recomputed);
        }
      } catch (RuntimeException e) {
        // one damaged case must not take the whole run's reports with it
        System.err.println("genbench: case " + c.id() + ": cannot recompute it from its events (" + e.getMessage() + "); "
            + (stored != null ? "using its stored result.json" : "leaving it out of the reports"));
        if (stored != null) results.add(stored);
      }
    }
    return results;
  }

  /**
   * Why a case without result.json has no result: {@link RunReport#NOT_RUN} without events, {@link RunReport#INTERRUPTED}
   * when its events do not end the case (or are damaged); null when they are complete (killed between its last event
   * and its result.json), so its result is derived from them, as {@link #repair} does.
   */
  private String unfinishedState(String caseId) {
    if (!dir.hasEvents(caseId)) return RunReport.NOT_RUN;
    try {
      RunDirectory.Log log = dir.readLog(caseId);
      Measurements m = Measurements.of(log.events());
      return m.done() && log.damage().isEmpty() && m.spec() != null ? null : RunReport.INTERRUPTED;
    } catch (RuntimeException e) {
      return RunReport.INTERRUPTED;
    }
  }

  /**
   * The worker may write more of a failed case's log after the case ended (its stderr is not ordered with its events):
   * the views show the tail as it is now, and result.json is brought up to date with it.
   */
  private CaseResult withCurrentLogTail(String caseId, CaseResult result) {
    if (!(result.outcome() instanceof CaseResult.Failed)) return result;
    CaseResult current = result.withLogTail(dir.logTail(caseId, LOG_TAIL_LINES));
    if (current != result) storeResult(caseId, current);
    return current;
  }

  /** What the events lack that the stored result has, or null when they prove it (whole, done, as many samples). */
  static String lost(RunDirectory.Log log, Measurements m, CaseResult stored) {
    if (!m.done()) return "has no final done event (" + (log.damage().isEmpty() ? "its tail is missing" : "a damaged line") + ")";
    if (m.samples().size() < stored.iterations()) {
      return "holds " + m.samples().size() + " measured samples where its result.json has " + stored.iterations();
    }
    if (!log.damage().isEmpty()) return "has a damaged line, so it cannot prove a different result";
    return null;
  }

  /**
   * Before a resumed run: a case whose events.jsonl is complete (ends in done, no damaged line) but has no result.json
   * (killed between the two, or a full disk) gets its result derived instead of being run again. Says what it did.
   */
  public void repair(Plan plan) {
    for (TestCase c : plan.cases()) {
      if (dir.isDone(c.id()) || !dir.hasEvents(c.id())) continue;
      RunDirectory.Log log = dir.readLog(c.id());
      Measurements m = Measurements.of(log.events());
      if (!m.done() || !log.damage().isEmpty() || m.spec() == null) continue;
      CaseResult r = CaseAnalyzer.analyze(c.id(), m, dir.logTail(c.id(), LOG_TAIL_LINES));
      store(c.id(), m, r);
      analysed.put(c.id(), r);
      System.err.println("genbench: repaired case " + c.id() + ": its events.jsonl is complete, derived its result.json ("
          + r.status() + ") instead of running it again");
    }
  }

  /**
   * For {@code --retry-failed}: sets aside the result.json of every case that failed for a reason of the run
   * (infrastructure, worker error, timeout), so the run measures it again. Findings (out of memory, unsupported) and
   * memory signals are results and stay. The old result is kept as {@code result.failed-N.json}.
   */
  public int retryFailed(Plan plan) {
    int n = 0;
    for (TestCase c : plan.cases()) {
      CaseResult r = stored(c.id());
      if (r == null || !(r.outcome() instanceof CaseResult.Failed f)) continue;
      var kind = f.failure().kind();
      if (kind != FailureKind.INFRASTRUCTURE && kind != FailureKind.WORKER_ERROR && kind != FailureKind.TIMEOUT
          && kind != FailureKind.BUDGET) continue;
      Path from = dir.caseDir(c.id()).resolve(RunDirectory.RESULT);
      int i = 1;
      while (Files.exists(dir.caseDir(c.id()).resolve("result.failed-" + i + ".json"))) i++;
      try {
        Files.move(from, dir.caseDir(c.id()).resolve("result.failed-" + i + ".json"));
      } catch (IOException e) {
        throw new StorageError(e, from, "set aside");
      }
      analysed.remove(c.id());
      System.err.println("genbench: retrying case " + c.id() + " (it failed: " + kind.wire() + ")");
      n++;
    }
    return n;
  }

  private CaseResult stored(String caseId) {
    try {
      return Json.MAPPER.readValue(dir.caseDir(caseId).resolve(RunDirectory.RESULT).toFile(), CaseResult.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private JsonNode environment() {
    try {
      var file = dir.file(RunDirectory.ENVIRONMENT);
      return Files.exists(file) ? Json.MAPPER.readTree(file.toFile()) : Json.MAPPER.createObjectNode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
