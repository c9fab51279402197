package io.genbench.run;

import io.genbench.Printable;
import io.genbench.Secrets;
import io.genbench.UserError;
import io.genbench.history.HistoryLocation;
import io.genbench.history.HistoryStore;
import io.genbench.history.RecordedRun;
import io.genbench.history.RunRecord;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import java.nio.file.Path;
import java.util.List;

/**
 * A finished run's record in the history ({@code run} and {@code report} write it when its views are written).
 * Recording never fails or loses the run: its results are on disk first, and a store that cannot be reached gets a
 * warning that says how to record the run later.
 */
public final class HistoryRecord {
  private HistoryRecord() {}

  /**
   * The store to record into, checked before anything runs (a bad URL is a usage error); null with {@code --no-history}.
   *
   * @param off {@code --no-history}
   * @param url {@code --history-url}, or null for the environment's or the default store
   */
  public static HistoryLocation where(boolean off, String url) {
    if (off && url != null) throw new UserError("--no-history and " + HistoryLocation.OPTION + " contradict each other: give one.");
    return off ? null : HistoryLocation.resolve(url, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** Records the finished run in {@code where} (null: not at all); says on stderr what happened, and never throws. */
  public static void write(HistoryLocation where, RunDirectory dir, List<CaseResult> results) {
    write(where, dir.root(), () -> RecordedRun.of(dir, results));
  }

  /** Records the finished load run in {@code dir} (genbench load's), as {@link #write} does a case run. */
  public static void writeLoad(HistoryLocation where, Path dir) {
    write(where, dir, () -> RecordedRun.ofLoad(dir));
  }

  private static void write(HistoryLocation where, Path root, java.util.function.Supplier<RecordedRun> recorded) {
    if (where == null) return;
    try (HistoryStore store = HistoryStore.open(where)) {
      RecordedRun run = recorded.get();
      store.record(run);
      int n = run.run().kind().equals(RunRecord.LOAD) ? run.levels().size() : run.cases().size();
      String noun = run.run().kind().equals(RunRecord.LOAD) ? " level" : " case";
      System.err.println("genbench: history: recorded " + run.run().runId() + " (" + n + noun + (n == 1 ? "" : "s")
          + ") in " + where.describe());
    } catch (RuntimeException | LinkageError e) { // an unreachable server, a locked file, a driver that cannot load
      String hint = "genbench history record " + root
          + (where.source().equals(HistoryLocation.OPTION) ? " " + HistoryLocation.OPTION + " '" + where.displayUrl() + "'" : "");
      // as every message is printed: credentials masked, control characters made visible
      System.err.println(Printable.text(Secrets.redact("genbench: warning: the run was not recorded in the history: "
          + e.getMessage() + ". Its results are kept in " + root + "; record it later with: " + hint)));
    }
  }
}
