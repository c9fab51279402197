package io.genbench.plan;

/**
 * How each case is measured.
 *
 * @param warmupIterations iterations run before measuring and never measured, ≥ 0
 * @param minIterations measured iterations at least, ≥ 1
 * @param maxIterations measured iterations at most, ≥ minIterations
 * @param minDurationS keep measuring until this many seconds passed (bounded by maxIterations), ≥ 0
 * @param timeoutS a case running longer is killed and recorded as TIMEOUT, > 0
 * @param seed RNG seed for latents and random weights
 */
public record Settings(int warmupIterations, int minIterations, int maxIterations, double minDurationS, double timeoutS, long seed) {

  /** Defaults for GPU runs: enough samples for a P99 to be an actual observation at n ≥ 100 is not the goal here; stability is. */
  public static final Settings DEFAULT = new Settings(2, 10, 100, 5.0, 1800, 42);

  public Settings {
    if (warmupIterations < 0) throw new IllegalArgumentException("warmup_iterations must be >= 0, was " + warmupIterations);
    if (minIterations < 1) throw new IllegalArgumentException("min_iterations must be >= 1, was " + minIterations);
    if (maxIterations < minIterations) {
      throw new IllegalArgumentException("max_iterations (" + maxIterations + ") must be >= min_iterations (" + minIterations + ")");
    }
    if (minDurationS < 0) throw new IllegalArgumentException("min_duration_s must be >= 0, was " + minDurationS);
    if (timeoutS <= 0) throw new IllegalArgumentException("timeout_s must be > 0, was " + timeoutS);
  }
}
