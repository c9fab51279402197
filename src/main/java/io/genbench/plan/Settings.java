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
 * @param maxWarmupIterations warm-up goes on past {@code warmupIterations} until timing is steady, at most this many
 *     iterations, ≥ warmupIterations
 * @param maxWarmupS ... and at most this many seconds (the minimum count always runs), > 0
 * @param steadyTolerance steady: the last {@link #STEADY_WINDOW} warm-up iterations each within this fraction of their
 *     median, and that median within it of the fastest median of any earlier window; in (0, 1)
 */
public record Settings(int warmupIterations, int minIterations, int maxIterations, double minDurationS, double timeoutS, long seed,
    int maxWarmupIterations, double maxWarmupS, double steadyTolerance) {

  /** How many consecutive warm-up iterations must agree for timing to count as steady. */
  public static final int STEADY_WINDOW = 3;
  public static final int DEFAULT_MAX_WARMUP_ITERATIONS = 30;
  public static final double DEFAULT_MAX_WARMUP_S = 60.0;
  public static final double DEFAULT_STEADY_TOLERANCE = 0.05;

  /**
   * Defaults for GPU runs: enough samples for a P99 to be an actual observation at n ≥ 100 is not the goal here; stability
   * is. The same as the worker's {@code Case} defaults (worker/src/genbench_worker/case.py; {@code WorkerCaseTest} checks).
   */
  public static final Settings DEFAULT = new Settings(2, 10, 100, 5.0, 1800, 42);

  /** Settings with the default steady-state rule (the warm-up count is its minimum). */
  public Settings(int warmupIterations, int minIterations, int maxIterations, double minDurationS, double timeoutS, long seed) {
    this(warmupIterations, minIterations, maxIterations, minDurationS, timeoutS, seed,
        Math.max(warmupIterations, DEFAULT_MAX_WARMUP_ITERATIONS), DEFAULT_MAX_WARMUP_S, DEFAULT_STEADY_TOLERANCE);
  }

  public Settings {
    if (warmupIterations < 0) throw new IllegalArgumentException("warmup_iterations must be >= 0, was " + warmupIterations);
    if (minIterations < 1) throw new IllegalArgumentException("min_iterations must be >= 1, was " + minIterations);
    if (maxIterations < minIterations) {
      throw new IllegalArgumentException("max_iterations (" + maxIterations + ") must be >= min_iterations (" + minIterations + ")");
    }
    if (minDurationS < 0) throw new IllegalArgumentException("min_duration_s must be >= 0, was " + minDurationS);
    if (!(timeoutS > 0) || Double.isInfinite(timeoutS)) throw new IllegalArgumentException("timeout_s must be a finite number > 0, was " + timeoutS);
    if (maxWarmupIterations < warmupIterations) {
      throw new IllegalArgumentException("max_warmup_iterations (" + maxWarmupIterations + ") must be >= warmup_iterations (" + warmupIterations + ")");
    }
    if (!(maxWarmupS > 0) || Double.isInfinite(maxWarmupS)) throw new IllegalArgumentException("max_warmup_s must be a finite number > 0, was " + maxWarmupS);
    if (!(steadyTolerance > 0 && steadyTolerance < 1)) throw new IllegalArgumentException("steady_tolerance must be between 0 and 1 (a fraction), was " + steadyTolerance);
  }
}
