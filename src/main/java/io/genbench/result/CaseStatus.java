package io.genbench.result;

import io.genbench.wire.FailureKind;

/**
 * The {@code status} column of {@code summary.csv}: the seed's values, plus {@link #UNSUPPORTED} for a case the chosen
 * backend (or the hardware) cannot run, which is not run and is not a failure.
 */
public enum CaseStatus {
  SUCCESS, OOM_SKIPPED, OOM_SIGNAL, OOM_SIGSEGV, TIMEOUT, FAILED,
  /** The chosen backend cannot run the configuration (float16 on the CPU backend), or the hardware cannot (bf16 on a T4). */
  UNSUPPORTED;

  /** The status of a case that failed with {@code kind}. */
  public static CaseStatus of(FailureKind kind) {
    return switch (kind) {
      case GPU_OUT_OF_MEMORY -> OOM_SKIPPED;
      case OOM_SIGNAL -> OOM_SIGNAL;
      case OOM_SIGSEGV -> OOM_SIGSEGV;
      case TIMEOUT -> TIMEOUT;
      case UNSUPPORTED, SKIPPED -> UNSUPPORTED;
      case BUDGET, WORKER_ERROR, INFRASTRUCTURE -> FAILED;
    };
  }

  /** True where the run itself went wrong (exit code 3), false for successes, findings and unsupported cases. */
  public boolean isFailure() {
    return this != SUCCESS && this != OOM_SKIPPED && this != UNSUPPORTED;
  }
}
