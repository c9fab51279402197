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
 * @param targetCiPct measuring goes on past {@code minIterations} and {@code minDurationS} until the 95 % confidence
 *     interval of the median e2e lies within ± this many % of the median (a distribution-free interval from order
 *     statistics), stopped early only by {@code maxIterations} or {@code maxMeasureS}; the verdict judges the same
 *     interval against it; in (0, 100]
 * @param maxMeasureS the per-case budget for measured iterations, seconds from the first (the minimum count always runs;
 *     {@code minDurationS} beyond it is not waited for), > 0
 */
public record Settings(int warmupIterations, int minIterations, int maxIterations, double minDurationS, double timeoutS, long seed,
    int maxWarmupIterations, double maxWarmupS, double steadyTolerance, double targetCiPct, double maxMeasureS) {

  /** How many consecutive warm-up iterations must agree for timing to count as steady. */
  public static final int STEADY_WINDOW = 3;
  public static final int DEFAULT_MAX_WARMUP_ITERATIONS = 30;
  public static final double DEFAULT_MAX_WARMUP_S = 60.0;
  public static final double DEFAULT_STEADY_TOLERANCE = 0.05;
  public static final double DEFAULT_TARGET_CI_PCT = 3.0;
  public static final double DEFAULT_MAX_MEASURE_S = 60.0;

  /**
   * Defaults for GPU runs: enough samples for a P99 to be an actual observation at n ≥ 100 is not the goal here; stability
   * is. The same as the worker's {@code Case} defaults (worker/src/genbench_worker/case.py; {@code WorkerCaseTest} checks).
   */
  public static final Settings DEFAULT = new Settings(1, 10, 100, 5.0, 1800, 42);

  /** Settings with the default stop rule for measured iterations. */
  public Settings(int warmupIterations, int minIterations, int maxIterations, double minDurationS, double timeoutS, long seed,
      int maxWarmupIterations, double maxWarmupS, double steadyTolerance) {
    this(warmupIterations, minIterations, maxIterations, minDurationS, timeoutS, seed, maxWarmupIterations, maxWarmupS,
        steadyTolerance, DEFAULT_TARGET_CI_PCT, DEFAULT_MAX_MEASURE_S);
  }

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
    if (!(targetCiPct > 0 && targetCiPct <= 100)) throw new IllegalArgumentException("target_ci_pct must be a percentage in (0, 100], was " + targetCiPct);
    if (!(maxMeasureS > 0) || Double.isInfinite(maxMeasureS)) throw new IllegalArgumentException("max_measure_s must be a finite number > 0, was " + maxMeasureS);
  }
}
