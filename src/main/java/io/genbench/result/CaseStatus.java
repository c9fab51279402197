package io.genbench.result;

import io.genbench.wire.FailureKind;

/** The {@code status} column of {@code summary.csv}, exactly the seed's values. */
public enum CaseStatus {
  SUCCESS, OOM_SKIPPED, OOM_SIGNAL, OOM_SIGSEGV, TIMEOUT, FAILED;

  /** The status of a case that failed with {@code kind}. */
  public static CaseStatus of(FailureKind kind) {
    return switch (kind) {
      case GPU_OUT_OF_MEMORY -> OOM_SKIPPED;
      case OOM_SIGNAL -> OOM_SIGNAL;
      case OOM_SIGSEGV -> OOM_SIGSEGV;
      case TIMEOUT -> TIMEOUT;
      case UNSUPPORTED, SKIPPED, WORKER_ERROR, INFRASTRUCTURE -> FAILED;
    };
  }

  /** True where the run itself went wrong (exit code 3), false for successes and findings. */
  public boolean isFailure() {
    return this != SUCCESS && this != OOM_SKIPPED;
  }
}
