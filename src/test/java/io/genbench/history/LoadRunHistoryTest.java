package io.genbench.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.load.LoadRuns;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A load run's record: one run of kind load, one row per level, read from the directory genbench load wrote. */
final class LoadRunHistoryTest {
  @TempDir
  Path tmp;

  private HistoryStore store() {
    return HistoryStore.open(HistoryLocation.resolve("jdbc:sqlite:" + tmp.resolve("h.sqlite"), Map.of(), tmp));
  }

  @Test
  void aLoadRunIsRecordedAsKindLoadWithItsLevelsAndRecordingItAgainReplacesIt() {
    Path dir = LoadRuns.synthetic(tmp.resolve("20261201-100000-load"), "http://127.0.0.1:1/v1/images/generations", 1, 20, 60);

    RecordedRun recorded = RecordedRun.ofLoad(dir);
    try (HistoryStore store = store()) {
      store.record(recorded);
      store.record(RecordedRun.ofLoad(dir));

      List<RunRecord> runs = store.runs(HistoryFilter.parse(null, null, null, null, 10));
      assertThat(runs).singleElement().satisfies(r -> {
        assertThat(r.kind()).isEqualTo("load");
        assertThat(r.runId()).isEqualTo("20261201-100000-load");
        assertThat(r.casesFinished()).isEqualTo(1);
        assertThat(r.planName()).isEqualTo("openai-images concurrency 1");
        assertThat(r.startedAt()).isNotNull().isBeforeOrEqualTo(r.finishedAt());
      });
      assertThat(store.loadLevels(runs.getFirst().runKey())).singleElement().satisfies(l -> {
        assertThat(l.level()).isEqualTo("c1");
        assertThat(l.url()).isEqualTo("http://127.0.0.1:1/v1/images/generations");
        assertThat(l.requests()).isEqualTo(60);
        assertThat(l.ok()).isEqualTo(60);
        assertThat(l.errorRate()).isEqualTo(0.0);
        assertThat(l.responseP50Ms()).isBetween(15.0, 25.0);
        assertThat(l.responseP99Ms()).isGreaterThanOrEqualTo(l.responseP50Ms());
        assertThat(l.ttftP50Ms()).isNotNull();
        assertThat(l.concurrency()).isEqualTo(1);
        assertThat(l.offeredRps()).isNull();
      });
      assertThat(HistoryFormat.TABLE.runs(runs)).contains("| 20261201-100000-load | load |");
      assertThat(HistoryFormat.CSV.runs(runs).lines().toList().get(0)).endsWith(",cases_success,kind");
    }
  }

  @Test
  void aCaseRunStillReadsAsKindRun() {
    try (HistoryStore store = store()) {
      store.record(new RecordedRun(HistoryStoreContract.run("r1", "2026-11-01T10:00:00Z"), List.of()));

      assertThat(store.runs(HistoryFilter.parse(null, null, null, null, 10))).singleElement()
          .satisfies(r -> assertThat(r.kind()).isEqualTo("run"));
    }
  }

  @Test
  void aStoreAtSchemaOneKeepsItsRunsAsKindRunWhenMigrated() throws Exception {
    String url = "jdbc:sqlite:" + tmp.resolve("old.sqlite");
    org.flywaydb.core.Flyway.configure(HistoryStore.class.getClassLoader()).dataSource(url, null, null)
        .locations(HistoryStore.MIGRATIONS).table(HistoryStore.SCHEMA_TABLE).target("1").load().migrate();
    try (var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
      s.executeUpdate("INSERT INTO genbench_runs (run_key, run_id, run_dir, started_at, recorded_at, plan_sha256,"
          + " cases_planned, cases_finished, cases_success) VALUES ('k', 'old-run', '/r', '2026-11-01T10:00:00Z',"
          + " '2026-11-01T10:10:00Z', 'ab', 1, 1, 1)");
    }

    try (HistoryStore store = HistoryStore.open(HistoryLocation.resolve(url, Map.of(), tmp))) {
      assertThat(store.runs(HistoryFilter.parse(null, null, null, null, 10))).singleElement()
          .satisfies(r -> assertThat(r.kind()).isEqualTo("run"));
    }
  }

  @Test
  void onlyADirectoryWithLoadYamlResultsAndRequestsIsALoadRun() throws Exception {
    Path dir = LoadRuns.synthetic(tmp.resolve("l"), "http://127.0.0.1:1/", 1, 20, 5);

    assertThat(RecordedRun.isLoadRun(dir)).isTrue();
    java.nio.file.Files.delete(dir.resolve("requests.csv"));
    assertThat(RecordedRun.isLoadRun(dir)).isFalse();
  }
}
