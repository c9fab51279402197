package io.genbench.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Recorded load runs for trend tests, built directly (no run directory): known figures, known start times. */
public final class LoadTrendRuns {
  private LoadTrendRuns() {}

  /**
   * A load run of kind {@code load} against {@code url}: one closed-loop level {@code c1}, {@code c2}, … per given response
   * P95 (ms); P50 = P95 − 5, P99 = P95 + 5, achieved = 1000 / P95 × users, images/s the same, no errors, VALID.
   */
  public static RecordedRun run(String runId, String startedAt, String url, double... p95Ms) {
    RunRecord run = new RunRecord(RecordedRun.key(runId, startedAt, "host-a"), runId, "/runs/" + runId, Instant.parse(startedAt),
        Instant.parse(startedAt).plusSeconds(60), "load", null, "host-a", "0.1.0", "3c0a3fd", "openai-images sweep",
        "cd".repeat(32), p95Ms.length, p95Ms.length, p95Ms.length, RunRecord.LOAD);
    List<LoadLevelRecord> levels = new ArrayList<>();
    for (int i = 0; i < p95Ms.length; i++) {
      int users = i + 1;
      double rate = 1000 / p95Ms[i] * users;
      levels.add(new LoadLevelRecord(1, url, "c" + users, null, users, 100, 100, 0.0, rate, p95Ms[i] - 5, p95Ms[i], p95Ms[i] + 5,
          null, null, null, rate, null, "VALID", null));
    }
    return new RecordedRun(run, List.of(), levels);
  }
}
