package io.genbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.cost.PriceCatalog;
import io.genbench.measure.CaseAnalyzer;
import io.genbench.measure.Measurements;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.TestCase;
import io.genbench.report.ConsoleSummary;
import io.genbench.report.MarkdownReport;
import io.genbench.report.ReportFormat;
import io.genbench.report.ResultsCsv;
import io.genbench.report.ResultsJson;
import io.genbench.report.RunReport;
import io.genbench.report.SummaryCsv;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Derives results from raw events and writes every view of a run directory. */
final class Reports {
  private Reports() {}

  /** Analyzes one finished case from its events and stores {@code result.json}. */
  static CaseResult finishCase(RunDirectory dir, String caseId) {
    Measurements measurements = Measurements.of(dir.readEvents(caseId));
    CaseResult result = CaseAnalyzer.analyze(caseId, measurements, dir.logTail(caseId, 20));
    if (!measurements.samples().isEmpty()) {
      RunDirectory.writeAtomic(dir.caseDir(caseId).resolve("latency.hlog"), io.genbench.measure.LatencyLog.of(measurements.samples()));
    }
    try {
      RunDirectory.writeAtomic(dir.caseDir(caseId).resolve(RunDirectory.RESULT), Json.PRETTY.writeValueAsString(result));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  /**
   * Recomputes every finished case from its events (rewriting its result.json) and writes summary.csv,
   * results.json, results.csv, report.md and report.html. Cases of the plan that never finished are left out.
   */
  static RunReport rebuild(RunDirectory dir) {
    Plan plan = PlanFile.read(dir.file(RunDirectory.PLAN));
    List<CaseResult> results = new ArrayList<>();
    for (TestCase c : plan.cases()) {
      if (!dir.isDone(c.id())) continue;
      try {
        results.add(finishCase(dir, c.id()));
      } catch (RuntimeException e) {
        // one damaged case must not take the whole run's reports with it
        CaseResult stored = stored(dir, c.id());
        System.err.println("genbench: case " + c.id() + ": cannot recompute it from its events (" + e.getMessage() + "); "
            + (stored != null ? "using its stored result.json" : "leaving it out of the reports"));
        if (stored != null) results.add(stored);
      }
    }
    RunReport report = new RunReport(dir.root().getFileName().toString(), environment(dir), results,
        PriceCatalog.bundled().description());
    RunDirectory.writeAtomic(dir.file("summary.csv"), SummaryCsv.render(results));
    RunDirectory.writeAtomic(dir.file("results.json"), ResultsJson.render(report));
    RunDirectory.writeAtomic(dir.file("results.csv"), ResultsCsv.render(results));
    RunDirectory.writeAtomic(dir.file("report.md"), MarkdownReport.render(report));
    RunDirectory.writeAtomic(dir.file("report.html"), ReportFormat.HTML.render(report));
    return report;
  }

  private static CaseResult stored(RunDirectory dir, String caseId) {
    try {
      return Json.MAPPER.readValue(dir.caseDir(caseId).resolve(RunDirectory.RESULT).toFile(), CaseResult.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String console(RunReport report) {
    return ConsoleSummary.render(report);
  }

  private static JsonNode environment(RunDirectory dir) {
    try {
      var file = dir.file(RunDirectory.ENVIRONMENT);
      return Files.exists(file) ? Json.MAPPER.readTree(file.toFile()) : Json.MAPPER.createObjectNode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
