package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.history.HistoryLocation;
import io.genbench.history.HistoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a history store that is wrong or away does to the commands: never costs a run, always says what to do. */
final class HistoryFailuresTest {
  /** Loopback port 1: nothing listens there, a connection is refused at once. */
  private static final String AWAY = "jdbc:postgresql://127.0.0.1:1/genbench?user=bench&password=s3cret";

  @TempDir
  Path tmp;

  @Test
  void aStoreThatCannotBeReachedKeepsTheRunAndSaysHowToRecordItLater() {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", OnnxRun.plan(tmp).toString(), "--backend", "onnx", "--threads", "1", "--out", out.toString(),
        "--history-url", AWAY);

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(out.resolve("summary.csv")).isNotEmptyFile();
    assertThat(r.out()).contains("report: ");
    assertThat(r.err()).contains("genbench: warning: the run was not recorded in the history: cannot open the history store"
        + " jdbc:postgresql://127.0.0.1:1/genbench?user=bench&password=*** (from --history-url)")
        .contains("Its results are kept in " + out)
        .contains("record it later with: genbench history record " + out
            + " --history-url 'jdbc:postgresql://127.0.0.1:1/genbench?user=bench&password=***'")
        .doesNotContain("s3cret");
    Cli later = Cli.run("history", "record", out.toString(), "--history-url", "jdbc:sqlite:" + tmp.resolve("h.sqlite"));
    assertThat(later.exitCode()).as(later.err()).isZero();
  }

  @Test
  void aHistoryFileLockedByAnotherProgramCostsAFinishedRunSecondsAndSaysHowToRecordItLater() throws Exception {
    Path file = tmp.resolve("locked.sqlite");
    String url = "jdbc:sqlite:" + file;
    HistoryStore.open(HistoryLocation.resolve(url, Map.of(), tmp)).close(); // the schema exists; now lock it
    Path out = tmp.resolve("run");
    Path plan = OnnxRun.plan(tmp);

    Cli r;
    long finishedAt = 0; // when report.md appeared: the run is complete, only the history record remains
    long returnedAt;
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE"); // as an open sqlite3 shell in a transaction: nobody else reads or writes
      Future<Cli> run = thread.submit(() -> Cli.run("run", plan.toString(), "--backend", "onnx", "--threads", "1",
          "--out", out.toString(), "--history-url", url));
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!run.isDone() && System.nanoTime() < deadline) {
        if (finishedAt == 0 && Files.exists(out.resolve("report.md"))) finishedAt = System.nanoTime();
        Thread.sleep(10);
      }
      returnedAt = System.nanoTime();
      assertThat(run).as("the run returns while the history stays locked").isDone();
      r = run.get();
      s.execute("ROLLBACK");
    } finally {
      thread.shutdownNow();
    }

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(out.resolve("summary.csv")).isNotEmptyFile();
    assertThat(finishedAt).as("report.md was written").isPositive();
    // a bounded wait once the run is done (the busy timeout, tested on its own below), with room for a loaded host's
    // writing of the other report files after report.md
    assertThat(Duration.ofNanos(returnedAt - finishedAt)).isLessThan(Duration.ofSeconds(20));
    assertThat(r.err()).contains("genbench: warning: the run was not recorded in the history: ")
        .contains("locked").contains("record it later with: genbench history record " + out)
        .doesNotContain("interrupted");
  }

  @Test
  void openingALockedStoreFailsWithinItsBusyTimeoutSayingItIsLocked() throws Exception {
    Path file = tmp.resolve("locked.sqlite");
    String url = "jdbc:sqlite:" + file;
    HistoryLocation location = HistoryLocation.resolve(url, Map.of(), tmp);
    HistoryStore.open(location).close();
    try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      long t0 = System.nanoTime();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> HistoryStore.open(location).close())
          .hasMessageContaining("locked").hasMessageContaining("waited " + HistoryStore.BUSY_TIMEOUT.toSeconds() + " s");
      // the busy timeout and a little more: not 10 s per statement, nor Flyway retrying its schema check
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(HistoryStore.BUSY_TIMEOUT.plusSeconds(4));
      s.execute("ROLLBACK");
    }
  }

  @Test
  void anUnsupportedUrlStopsTheRunBeforeAnythingRunsNamingItsSourceAndTheChoices() {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", OnnxRun.plan(tmp).toString(), "--backend", "onnx", "--out", out.toString(), "--history-url", "mysql://db/x");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(out).doesNotExist();
    assertThat(r.err()).contains("Unsupported history store \"mysql://db/x\" (from --history-url). Known: jdbc:sqlite:FILE");
  }

  @Test
  void noHistoryAndAHistoryUrlContradictEachOther() {
    Cli r = Cli.run("report", tmp.toString(), "--no-history", "--history-url", "jdbc:sqlite:x.sqlite");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--no-history and --history-url contradict each other");
  }

  @Test
  void withNoHistoryNothingIsRecorded() {
    Path copy = OnnxRun.copy(tmp, "r", "2026-01-01T09:00:00Z");

    Cli r = Cli.run("report", copy.toString(), "--no-history");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).doesNotContain("history");
  }

  @Test
  void aHistoryCommandWhoseStoreCannotBeReachedExitsOneNamingIt() {
    Cli r = Cli.run("history", "list", "--history-url", AWAY);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("genbench: cannot open the history store jdbc:postgresql://127.0.0.1:1/genbench?user=bench&password=***")
        .doesNotContain("s3cret").doesNotContain("internal error");
  }

  @Test
  void historyWithoutASubcommandSaysWhichExist() {
    Cli r = Cli.run("history");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required subcommand").contains("list").contains("trend").contains("record");
  }

  @Test
  void badFiltersAreUsageErrorsNamingTheOption() {
    String url = "jdbc:sqlite:" + tmp.resolve("h.sqlite");

    assertThat(Cli.run("history", "list", "--since", "yesterday", "--history-url", url).err())
        .contains("--since must be a date (2026-11-21, a whole day in UTC) or an instant (2026-11-21T10:15:00Z), was 'yesterday'");
    assertThat(Cli.run("history", "list", "--limit", "0", "--history-url", url).err()).contains("--limit must be between 1 and");
    assertThat(Cli.run("history", "list", "--format", "md", "--history-url", url).err()).contains("--format must be table, csv or json");
    assertThat(Cli.run("history", "trend", "c", "--chart", "trend.png", "--history-url", url).err()).contains("--chart writes SVG");
  }
}
