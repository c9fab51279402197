package io.genbench.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The history store's behaviour, the same on every database: each subclass gives an empty store of its kind (an SQLite
 * file, a PostgreSQL schema) per test.
 */
abstract class HistoryStoreContract {

  /** A URL of an empty store, fresh for each test. */
  abstract String emptyStoreUrl();

  private String url;

  private HistoryStore open() {
    if (url == null) url = emptyStoreUrl();
    return HistoryStore.open(HistoryLocation.resolve(url, Map.of(), java.nio.file.Path.of("/nonexistent-home")));
  }

  static RunRecord run(String runId, String startedAt) {
    return new RunRecord(RecordedRun.key(runId, startedAt, "host-a"), runId, "/runs/" + runId, Instant.parse(startedAt),
        Instant.parse(startedAt).plusSeconds(600), "onnx-cpu", "cpu", "host-a", "0.1.0", "3c0a3fd", "plan",
        "ab".repeat(32), 2, 2, 1);
  }

  static CaseRecord success(String caseId, String model, String instance, double p50Ms) {
    return new CaseRecord(caseId, model, "SD2.1", instance, instance, "ondemand", new BigDecimal("0.3776"),
        new BigDecimal("1.006"), "catalog", 1, 20, "768x768", "float16", "torch", "NVIDIA H200", "SUCCESS", "VALID",
        p50Ms, p50Ms + 10, p50Ms + 20, 1000 / p50Ms, null, 12_345_678_901L, "cuda-reserved", new BigDecimal("0.01234"),
        new BigDecimal("0.004632"), null, null, 3, 90);
  }

  static CaseRecord outOfMemory(String caseId, String model, String instance) {
    return new CaseRecord(caseId, model, "SDXL", instance, instance, "ondemand", null, null, null, 8, 20, "1024x1024",
        "float32", "torch", "NVIDIA H200", "OOM_SKIPPED", null, null, null, null, null, null, null, null, null, null, null,
        null, 1, 0);
  }

  @Test
  void anEmptyStoreIsMigratedToTheCurrentSchemaOnceAndOpensAgainUnchanged() throws Exception {
    try (HistoryStore store = open()) {
      assertThat(store.runs(HistoryFilter.newest(10))).isEmpty();
    }

    try (HistoryStore again = open()) {
      assertThat(again.runs(HistoryFilter.newest(10))).isEmpty();
    }

    assertThat(query("SELECT version FROM " + HistoryStore.SCHEMA_TABLE + " WHERE success ORDER BY installed_rank"))
        .containsExactly(List.of("1"), List.of("2"));
    assertThat(query("SELECT COUNT(*) FROM " + HistoryStore.SCHEMA_TABLE)).containsExactly(List.of("2"));
  }

  @Test
  void aStoreInADatabaseWithOtherTablesGetsItsOwnTablesBesideThem() throws Exception {
    url = emptyStoreUrl();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE someone_elses (id INTEGER)");
    }

    try (HistoryStore store = open()) {
      store.record(new RecordedRun(run("r1", "2026-11-01T10:00:00Z"), List.of(success("c1", "m", "g5.xlarge", 100))));

      assertThat(store.runs(HistoryFilter.newest(10))).extracting(RunRecord::runId).containsExactly("r1");
    }
    assertThat(query("SELECT COUNT(*) FROM someone_elses")).containsExactly(List.of("0"));
  }

  @Test
  void recordingARunAgainReplacesItsRowsRatherThanAddingAny() {
    try (HistoryStore store = open()) {
      RunRecord r = run("20261121-101500-plan", "2026-11-21T10:15:00Z");
      store.record(new RecordedRun(r, List.of(success("a", "m", "g5.xlarge", 100), outOfMemory("b", "m", "g5.xlarge"))));

      store.record(new RecordedRun(r, List.of(success("a", "m", "g5.xlarge", 90))));

      assertThat(store.runs(HistoryFilter.newest(10))).containsExactly(r);
      assertThat(store.cases(r.runKey())).extracting(CaseRecord::caseId, CaseRecord::e2eP50Ms).containsExactly(
          org.assertj.core.groups.Tuple.tuple("a", 90.0));
    }
  }

  @Test
  void aRecordingOfTheSameRunByAnotherProcessAtTheSameMomentIsReplacedNotDuplicated() throws Exception {
    RunRecord r = run("r1", "2026-11-01T10:00:00Z");
    try (HistoryStore store = open(); Connection other = DriverManager.getConnection(url)) {
      other.setAutoCommit(false);
      try (var insert = other.prepareStatement("INSERT INTO genbench_runs (run_key, run_id, run_dir, started_at, recorded_at,"
          + " plan_sha256, cases_planned, cases_finished, cases_success) VALUES (?, 'theirs', '/x', ?, ?, 'x', 0, 0, 0)")) {
        insert.setString(1, r.runKey());
        insert.setString(2, "2026-11-01T10:00:00Z");
        insert.setString(3, "2026-11-01T11:00:00Z");
        insert.executeUpdate();
      }

      // ours finds no row to replace and inserts, waiting on theirs (PostgreSQL) or on its lock (SQLite) until it commits
      var ours = java.util.concurrent.CompletableFuture.runAsync(() -> store.record(new RecordedRun(r, List.of(success("a", "m", "g5.xlarge", 100)))));
      Thread.sleep(500);
      other.commit();
      ours.get(30, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(store.runs(HistoryFilter.newest(10))).containsExactly(r);
    }
  }

  @Test
  void twoRunsWrittenToTheSameDirectoryNameStayTwoRuns() {
    try (HistoryStore store = open()) {
      store.record(new RecordedRun(run("smoke", "2026-11-01T10:00:00Z"), List.of(success("a", "m", "g5.xlarge", 100))));

      store.record(new RecordedRun(run("smoke", "2026-11-02T10:00:00Z"), List.of(success("a", "m", "g5.xlarge", 110))));

      assertThat(store.runs(HistoryFilter.newest(10))).extracting(RunRecord::runId).containsExactly("smoke", "smoke");
      assertThat(store.trend("a", HistoryFilter.newest(10))).extracting(p -> p.result().e2eP50Ms()).containsExactly(100.0, 110.0);
    }
  }

  @Test
  void everyFigureComesBackAsRecordedMoneyExactlyAndMissingFiguresAsNull() {
    try (HistoryStore store = open()) {
      RunRecord r = run("r1", "2026-11-01T10:00:00Z");
      CaseRecord ok = success("a", "stabilityai/stable-diffusion-2-1", "g5.xlarge", 123.456);
      CaseRecord oom = outOfMemory("b", "stabilityai/stable-diffusion-xl-base-1.0", "g5.xlarge");

      store.record(new RecordedRun(r, List.of(ok, oom)));

      assertThat(store.runs(HistoryFilter.newest(1))).containsExactly(r);
      List<CaseRecord> back = store.cases(r.runKey());
      assertThat(back.get(0)).usingRecursiveComparison().withComparatorForType(BigDecimal::compareTo, BigDecimal.class).isEqualTo(ok);
      assertThat(back.get(0).cost1000ImagesOndemandUsd()).hasToString("0.01234");
      assertThat(back.get(1)).isEqualTo(oom);
    }
  }

  @Test
  void listsRunsNewestFirstUpToTheLimit() {
    try (HistoryStore store = open()) {
      for (String day : List.of("03", "01", "04", "02")) {
        store.record(new RecordedRun(run("run-" + day, "2026-11-" + day + "T08:00:00Z"), List.of(success("a", "m", "g5.xlarge", 100))));
      }

      assertThat(store.runs(HistoryFilter.newest(10))).extracting(RunRecord::runId).containsExactly("run-04", "run-03", "run-02", "run-01");
      assertThat(store.runs(HistoryFilter.newest(2))).extracting(RunRecord::runId).containsExactly("run-04", "run-03");
    }
  }

  @Test
  void filtersRunsByAPartOfTheModelOrInstanceIgnoringCaseAndByDates() {
    try (HistoryStore store = open()) {
      store.record(new RecordedRun(run("sd21-g5", "2026-11-01T08:00:00Z"),
          List.of(success("a", "stabilityai/stable-diffusion-2-1", "g5.xlarge", 100))));
      store.record(new RecordedRun(run("sdxl-g6e", "2026-11-02T08:00:00Z"),
          List.of(outOfMemory("b", "stabilityai/stable-diffusion-xl-base-1.0", "g6e.xlarge"))));
      store.record(new RecordedRun(run("sd21-g6e", "2026-11-03T23:59:59Z"),
          List.of(success("c", "stabilityai/stable-diffusion-2-1", "g6e.xlarge", 100))));

      assertThat(ids(store, HistoryFilter.parse("Diffusion-2-1", null, null, null, 10))).containsExactly("sd21-g6e", "sd21-g5");
      assertThat(ids(store, HistoryFilter.parse("sdxl", null, null, null, 10))).containsExactly("sdxl-g6e");
      assertThat(ids(store, HistoryFilter.parse(null, "G6E", null, null, 10))).containsExactly("sd21-g6e", "sdxl-g6e");
      assertThat(ids(store, HistoryFilter.parse("2-1", "g5.", null, null, 10))).containsExactly("sd21-g5");
      assertThat(ids(store, HistoryFilter.parse(null, null, "2026-11-02", "2026-11-03", 10))).containsExactly("sd21-g6e", "sdxl-g6e");
      assertThat(ids(store, HistoryFilter.parse(null, null, null, "2026-11-01T08:00:00Z", 10))).isEmpty();
      // a LIKE wildcard in the filter is an ordinary character
      assertThat(ids(store, HistoryFilter.parse("stable_diffusion", null, null, null, 10))).isEmpty();
      assertThat(ids(store, HistoryFilter.parse("%", null, null, null, 10))).isEmpty();
    }
  }

  @Test
  void aTrendIsTheCaseInTheNewestRunsOldestFirst() {
    try (HistoryStore store = open()) {
      for (int day = 1; day <= 5; day++) {
        store.record(new RecordedRun(run("run-" + day, "2026-11-0" + day + "T08:00:00Z"),
            List.of(success("a", "m", "g5.xlarge", 100 + day), success("other", "m", "g5.xlarge", 1))));
      }

      List<TrendPoint> last3 = store.trend("a", HistoryFilter.newest(3));

      assertThat(last3).extracting(p -> p.run().runId()).containsExactly("run-3", "run-4", "run-5");
      assertThat(last3).extracting(p -> p.result().e2eP50Ms()).containsExactly(103.0, 104.0, 105.0);
      assertThat(store.trend("nope", HistoryFilter.newest(3))).isEmpty();
      assertThat(store.caseIds("OTH", 10)).containsExactly("other");
    }
  }

  @Test
  void theStoreWritesNothingToStdout() {
    PrintStream stdout = System.out;
    var captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (HistoryStore store = open()) {
      store.record(new RecordedRun(run("r1", "2026-11-01T10:00:00Z"), List.of(success("a", "m", "g5.xlarge", 100))));
      store.runs(HistoryFilter.newest(10));
      store.trend("a", HistoryFilter.newest(10));
    } finally {
      System.setOut(stdout);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aLoadRunKeepsItsKindAndItsLevelsInOrderAndRecordingItAgainReplacesThem() {
    RunRecord r = run("load-1", "2026-11-01T10:00:00Z");
    RunRecord load = new RunRecord(r.runKey(), r.runId(), r.runDir(), r.startedAt(), r.finishedAt(), null, null, r.host(), null,
        null, "openai-images sweep 1,2", r.planSha256(), 2, 2, 1, RunRecord.LOAD);
    LoadLevelRecord slow = new LoadLevelRecord(1, "http://a/", "2rps", 2.0, 0, 40, 38, 0.05, 1.9, 30.0, 45.5, 60.25, null, null,
        null, 1.9, null, "INVALID", "fail");
    LoadLevelRecord fast = new LoadLevelRecord(1, "http://a/", "1rps", 1.0, 0, 20, 20, 0.0, 1.0, 20.0, 25.0, 30.0, null, null,
        null, 1.0, null, "VALID", null);

    try (HistoryStore store = open()) {
      store.record(new RecordedRun(load, List.of(), List.of(slow, fast)));
      store.record(new RecordedRun(load, List.of(), List.of(slow, fast)));

      assertThat(store.runs(HistoryFilter.newest(10))).singleElement().satisfies(x -> assertThat(x.kind()).isEqualTo("load"));
      assertThat(store.loadLevels(load.runKey())).containsExactly(slow, fast);
    }
  }

  @Test
  void aLoadTrendHasTheUrlsLevelsOverTheNewestRunsOldestFirstEachRunsLevelsInTheirOrder() {
    String a = "http://127.0.0.1:8000/v1/images/generations";
    String b = "http://127.0.0.1:9000/v1/images/generations";
    try (HistoryStore store = open()) {
      store.record(LoadTrendRuns.run("l-mar", "2026-03-01T09:00:00Z", a, 30, 60));
      store.record(LoadTrendRuns.run("l-jan", "2026-01-01T09:00:00Z", a, 10, 20));
      store.record(LoadTrendRuns.run("l-feb", "2026-02-01T09:00:00Z", a, 20));
      store.record(LoadTrendRuns.run("other", "2026-02-15T09:00:00Z", b, 99));
      store.record(new RecordedRun(run("case-run", "2026-02-20T09:00:00Z"), List.of(success("c1", "m", "g5.xlarge", 100))));

      List<LoadTrendPoint> all = store.loadTrend(a, null, HistoryFilter.newest(10));
      assertThat(all).extracting(p -> p.run().runId() + "/" + p.level().level())
          .containsExactly("l-jan/c1", "l-jan/c2", "l-feb/c1", "l-mar/c1", "l-mar/c2");
      assertThat(all).extracting(p -> p.level().responseP95Ms()).containsExactly(10.0, 20.0, 20.0, 30.0, 60.0);
      assertThat(all).allSatisfy(p -> assertThat(p.run().kind()).isEqualTo("load"));

      // the limit counts runs, not levels: the newest two runs with every level they recorded
      assertThat(store.loadTrend(a, null, HistoryFilter.newest(2))).extracting(p -> p.run().runId() + "/" + p.level().level())
          .containsExactly("l-feb/c1", "l-mar/c1", "l-mar/c2");
      // a level: only runs that recorded it count toward the limit
      assertThat(store.loadTrend(a, "c2", HistoryFilter.newest(10))).extracting(p -> p.run().runId())
          .containsExactly("l-jan", "l-mar");
      assertThat(store.loadTrend(a, "c2", HistoryFilter.newest(1))).extracting(p -> p.run().runId()).containsExactly("l-mar");
      assertThat(store.loadTrend(a, null, HistoryFilter.parse(null, null, "2026-02-01", "2026-02-28", 10)))
          .extracting(p -> p.run().runId()).containsExactly("l-feb");
      assertThat(store.loadTrend(a + "/", null, HistoryFilter.newest(10))).isEmpty();
      assertThat(store.loadTrend(a, "c9", HistoryFilter.newest(10))).isEmpty();

      assertThat(store.loadUrls("", 10)).containsExactly(a, b);
      assertThat(store.loadUrls(":9000", 10)).containsExactly(b);
      assertThat(store.loadLevelLabels(a, 10)).containsExactly("c1", "c2");
    }
  }

  private static List<String> ids(HistoryStore store, HistoryFilter filter) {
    return store.runs(filter).stream().map(RunRecord::runId).toList();
  }

  /** Rows of a query on the test's store, every value as text. */
  private List<List<String>> query(String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.add(String.valueOf(rs.getObject(i)));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
