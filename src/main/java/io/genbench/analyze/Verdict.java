package io.genbench.analyze;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a measurement can be trusted, with the reasons it cannot, as MLPerf LoadGen's VALID / INVALID.
 *
 * @param valid true when no rule was broken
 * @param notes one sentence per broken rule, with what to change
 */
public record Verdict(boolean valid, List<String> notes) {
  /** Fewer measured iterations than this make P90+ a single observation. */
  public static final int MIN_SAMPLES = 5;
  /** A coefficient of variation above this means the run was disturbed. */
  public static final double MAX_CV = 0.10;

  public Verdict {
    notes = List.copyOf(notes);
  }

  /** Applies the validity rules to the end-to-end latency of a case. */
  public static Verdict of(LatencySummary e2e) {
    List<String> notes = new ArrayList<>();
    if (e2e == null) return new Verdict(false, List.of("no measured iterations"));
    if (e2e.n() < MIN_SAMPLES) {
      notes.add("only " + e2e.n() + " measured iterations: P90 and above are the maximum; raise min_iterations to " + MIN_SAMPLES + " or more");
    }
    if (e2e.cv() > MAX_CV) {
      notes.add(String.format(java.util.Locale.ROOT, "e2e unstable: std is %.0f%% of the mean; raise min_duration_s or quiet the machine",
          100 * e2e.cv()));
    }
    return new Verdict(notes.isEmpty(), notes);
  }

  public String label() {
    return valid ? "VALID" : "INVALID";
  }
}
