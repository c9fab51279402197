package io.genbench.cli;

/**
 * The exit statuses of every command, named once: scripts and CI read them (each command's help lists those it uses).
 */
enum ExitCode {
  /** Done: every case succeeded (or is a finding), something meets the constraints, no regression. */
  OK(0),
  /** A bug, or the disk or a history store failed: the message names the file or store and the remedy. */
  INTERNAL(1),
  /** Bad input: an unknown option value, a missing file, a plan that does not parse. Nothing was run. */
  USAGE(2),
  /** {@code run}: a case failed for a reason of the run (worker error, timeout, infrastructure). */
  CASES_FAILED(3),
  /** {@code best}: no configuration meets every constraint (the reasons are still printed). */
  NOTHING_MEETS(3),
  /** {@code compare --fail-on-regression}: a case is significantly slower by more than the threshold. */
  REGRESSION(4);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }
}
