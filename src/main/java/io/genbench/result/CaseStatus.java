package io.genbench.result;

/** The {@code status} column of {@code summary.csv}, exactly the seed's values. */
public enum CaseStatus {
  SUCCESS, OOM_SKIPPED, OOM_SIGNAL, OOM_SIGSEGV, TIMEOUT, FAILED;

  /** True where the run itself went wrong (exit code 3), false for successes and findings. */
  public boolean isFailure() {
    return this != SUCCESS && this != OOM_SKIPPED;
  }
}
