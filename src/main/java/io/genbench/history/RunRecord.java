package io.genbench.history;

import java.time.Instant;

/**
 * One recorded run: a row of {@code genbench_runs}.
 *
 * @param runKey identifies the run across re-recordings: a hash of its id, start time and host (see {@link RecordedRun})
 * @param runId the run directory's name, e.g. {@code 20261121-101500-plan}
 * @param runDir the run directory's absolute path when it was recorded
 * @param startedAt when the run started (environment.json), to the second
 * @param finishedAt when it finished, or null for a run that never finished
 * @param backend {@code onnx-cpu}, {@code torch}, {@code diffusers}, or null where unknown
 * @param device the device the cases ran on, or null
 * @param host the host name, or null
 * @param genbenchVersion the genbench version that ran it, or null
 * @param gitCommit the genbench commit that ran it ({@code -dirty} with local changes), or null
 * @param planName the plan file's name without extension, else the plan's mode, else null
 * @param planSha256 SHA-256 of plan.yaml's bytes, hex: runs of one plan share it
 * @param casesPlanned cases in the plan
 * @param casesFinished cases with a result
 * @param casesSuccess cases with status SUCCESS
 * @param kind {@code run} (genbench run: cases) or {@code load} (genbench load: for it the three counts above are of
 *     its levels, and {@code casesSuccess} counts the VALID ones)
 */
public record RunRecord(String runKey, String runId, String runDir, Instant startedAt, Instant finishedAt, String backend,
    String device, String host, String genbenchVersion, String gitCommit, String planName, String planSha256,
    int casesPlanned, int casesFinished, int casesSuccess, String kind) {
  /** A case run ({@code genbench run}). */
  public static final String RUN = "run";
  /** A load run ({@code genbench load}). */
  public static final String LOAD = "load";

  /** A case run's record. */
  public RunRecord(String runKey, String runId, String runDir, Instant startedAt, Instant finishedAt, String backend,
      String device, String host, String genbenchVersion, String gitCommit, String planName, String planSha256,
      int casesPlanned, int casesFinished, int casesSuccess) {
    this(runKey, runId, runDir, startedAt, finishedAt, backend, device, host, genbenchVersion, gitCommit, planName, planSha256,
        casesPlanned, casesFinished, casesSuccess, RUN);
  }
}
