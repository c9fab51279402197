package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.history.HistoryLocation;
import io.genbench.history.HistoryStore;
import io.genbench.history.RecordedRun;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --history-url} and {@code --no-history} of the commands that finish a run ({@code run}, {@code report}): the
 * run is recorded in the history when its views are written. Recording never fails or loses the run: its results are
 * on disk first, and a store that cannot be reached gets a warning that says how to record the run later.
 */
final class RunHistoryOptions extends HistoryOptions {

  @Option(names = "--no-history", description = "do not record the run in the history (genbench history record RUN_DIR does it later)")
  boolean off;

  /** The store to record into, checked before anything runs (a bad URL is a usage error); null with --no-history. */
  HistoryLocation checked() {
    if (off && url != null) throw new UserError("--no-history and " + HistoryLocation.OPTION + " contradict each other: give one.");
    return off ? null : location();
  }

  /** Records the finished run in {@code where} (null: not at all); says on stderr what happened, and never throws. */
  static void record(HistoryLocation where, RunDirectory dir, List<CaseResult> results) {
    if (where == null) return;
    try (HistoryStore store = HistoryStore.open(where)) {
      RecordedRun run = RecordedRun.of(dir, results);
      store.record(run);
      int n = run.cases().size();
      System.err.println("genbench: history: recorded " + run.run().runId() + " (" + n + (n == 1 ? " case" : " cases")
          + ") in " + where.describe());
    } catch (RuntimeException | LinkageError e) { // an unreachable server, a locked file, a driver that cannot load
      String hint = "genbench history record " + dir.root()
          + (where.source().equals(HistoryLocation.OPTION) ? " " + HistoryLocation.OPTION + " '" + where.displayUrl() + "'" : "");
      System.err.println(ErrorHandler.shown("genbench: warning: the run was not recorded in the history: "
          + e.getMessage() + ". Its results are kept in " + dir.root() + "; record it later with: " + hint));
    }
  }
}
