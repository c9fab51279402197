package io.genbench.cli;

import io.genbench.history.HistoryLocation;
import io.genbench.run.HistoryRecord;
import picocli.CommandLine.Option;

/**
 * {@code --history-url} and {@code --no-history} of the commands that finish a run ({@code run}, {@code report}): the
 * run is recorded in the history when its views are written ({@link HistoryRecord}).
 */
final class RunHistoryOptions extends HistoryOptions {

  @Option(names = "--no-history", description = "do not record the run in the history (genbench history record RUN_DIR does it later)")
  boolean off;

  /** The store to record into, checked before anything runs (a bad URL is a usage error); null with --no-history. */
  HistoryLocation checked() {
    return HistoryRecord.where(off, url);
  }
}
