package io.genbench.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.Executor;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RunViewsTest {
  private static final TestCase SD = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 2, new Resolution(512, 512), Precision.FLOAT16);
  private static final Plan PLAN = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(SD));

  @TempDir
  Path tmp;

  @Test
  void aCaseAnalysedWhenItEndedIsReusedByTheRebuildAtTheEndOfTheRun() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, PlanFile.toYaml(PLAN, "test")));
    var views = new RunViews(dir);
    writeEvents(dir, 3);
    CaseResult ended = views.finishCase(SD.id());
    Files.delete(dir.caseDir(SD.id()).resolve(RunDirectory.EVENTS));
    writeEvents(dir, 5); // had the rebuild analysed the case again, it would count 5 iterations

    var report = views.rebuild();

    assertThat(report.results()).singleElement().isEqualTo(ended);
    assertThat(ended.iterations()).isEqualTo(3);
  }

  @Test
  void aFreshInstanceRecomputesEveryCaseFromItsEvents() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, PlanFile.toYaml(PLAN, "test")));
    writeEvents(dir, 3);
    new RunViews(dir).finishCase(SD.id());
    Files.delete(dir.caseDir(SD.id()).resolve(RunDirectory.EVENTS));
    writeEvents(dir, 5);

    var report = new RunViews(RunDirectory.open(dir.root())).rebuild();

    assertThat(report.results()).singleElement().satisfies(r -> {
      assertThat(r.iterations()).isEqualTo(5);
      assertThat(r.status()).isEqualTo(CaseStatus.SUCCESS);
    });
  }

  @Test
  void aReusedFailureShowsTheWorkerLogLinesWrittenAfterTheCaseEnded() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, PlanFile.toYaml(PLAN, "test")));
    var views = new RunViews(dir);
    writeEvents(dir, 0);
    views.finishCase(SD.id());
    dir.appendLog(SD.id(), "Traceback: written late");

    var report = views.rebuild();

    assertThat(report.results()).singleElement().satisfies(r -> assertThat(r.failure().logTail()).contains("Traceback: written late"));
    assertThat(dir.caseDir(SD.id()).resolve(RunDirectory.RESULT)).content().contains("Traceback: written late");
  }

  @Test
  void theReportLinksChartsDrawnFromTheEventsAndARebuildRemovesOnesNoLongerDrawn() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, PlanFile.toYaml(PLAN, "test")));
    writeEvents(dir, 5);
    Path stale = dir.file("charts/telemetry-9.svg");
    Files.createDirectories(stale.getParent());
    Files.writeString(stale, "<svg/>");
    var views = new RunViews(dir);
    views.finishCase(SD.id());

    views.rebuild();

    assertThat(dir.file("charts/latency.svg")).content().startsWith("<?xml").contains("<svg ", SD.id());
    assertThat(dir.file("charts/steps.svg")).exists();
    assertThat(stale).doesNotExist();
    String md = Files.readString(dir.file("report.md"));
    assertThat(md).contains("](charts/latency.svg)", "](charts/steps.svg)");
    java.util.regex.Matcher links = java.util.regex.Pattern.compile("\\]\\((charts/[^)]+)\\)").matcher(md);
    while (links.find()) assertThat(dir.root().resolve(links.group(1))).as(links.group(1)).exists();
    assertThat(Files.readString(dir.file("report.html"))).contains("<figure id=\"chart-latency\"><svg ");
  }

  @Test
  void theTimeBreakdownTakesTheRunsWallTimeFromItsEnvironmentAndShowsItInTheReport() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, PlanFile.toYaml(PLAN, "test"),
        RunDirectory.ENVIRONMENT, "{\"started_at\":\"2026-12-06T10:00:00Z\",\"finished_at\":\"2026-12-06T10:00:20Z\"}"));
    writeEvents(dir, 10, new WorkerEvent.Timing(SD.id(), 4_000_000_000L, 1_000_000_000L));

    var report = new RunViews(dir).rebuild();

    assertThat(report.timeShare().wallNs()).isEqualTo(20_000_000_000L);
    assertThat(report.timeShare().measuredNs()).isEqualTo(1_000_000_000L);
    assertThat(Files.readString(dir.file("report.md"))).contains("measured 5 % of 20 s wall: start 5 %");
  }

  @Test
  void aResumedRunsWallTimeHoldsThePauseSoTheCasesHeldTimeIsTheBase() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, PlanFile.toYaml(PLAN, "test"),
        RunDirectory.ENVIRONMENT, "{\"started_at\":\"2026-12-06T10:00:00Z\",\"finished_at\":\"2026-12-07T10:00:20Z\"}",
        "environment.resumed-1.json", "{}"));
    writeEvents(dir, 10, new WorkerEvent.Timing(SD.id(), 4_000_000_000L, 1_000_000_000L));

    var report = new RunViews(dir).read();

    assertThat(report.timeShare().wallNs()).isNull();
    assertThat(report.timeShare().line()).startsWith("measured 25 % of 4 GPU-s held by cases");
  }

  private static void writeEvents(RunDirectory dir, int samples, WorkerEvent... beforeDone) {
    String id = SD.id();
    try (var log = dir.startCase(id)) {
      log.append(new WorkerEvent.CaseSpec(id, Executor.workerCase(SD, Settings.DEFAULT, false, null, null, "torch")));
      log.append(new WorkerEvent.Hello(id, "test", 1, null, null, null, null, "cuda", List.of(), null, "test"));
      for (int i = 0; i < samples; i++) {
        log.append(new WorkerEvent.Sample(id, i, "measure", 100_000_000L, 10_000_000L, List.of(40_000_000L, 40_000_000L),
            10_000_000L, 1, null, null, null, null));
      }
      for (WorkerEvent e : beforeDone) log.append(e);
      log.append(new WorkerEvent.Done(id));
    }
  }
}
