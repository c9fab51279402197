package io.genbench.execute;

import io.genbench.plan.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The warm-up rule, written once: warm-up runs at least {@code minIterations}, then goes on until timing is steady,
 * stopped early only by {@code maxIterations} or {@code maxNs} (counted from the start of warm-up; the minimum count
 * always runs). Steady: the last {@code window} iteration times each lie within {@code tolerance} (a fraction) of
 * their median, and that median lies within {@code tolerance} of the fastest median of any window so far (a median, so
 * one lucky fast iteration cannot keep warm-up going to its maximum; a window that is still getting faster is its own
 * fastest and only its spread judges it). Fewer than
 * {@code window} iterations are never steady, so a minimum below the window still warms up {@code window} times
 * unless a maximum stops it first.
 *
 * <p>A pure function of the times fed to it: the executor feeds each warm-up iteration's e2e time and asks
 * {@link #done(long)} with the time spent in warm-up so far.
 */
public final class SteadyState {
  private final int minIterations;
  private final int maxIterations;
  private final long maxNs;
  private final int window;
  private final double tolerance;
  private final List<Long> e2eNs = new ArrayList<>();
  private double fastestMedianNs = Double.MAX_VALUE;

  public SteadyState(int minIterations, int maxIterations, long maxNs, int window, double tolerance) {
    if (minIterations < 0 || maxIterations < minIterations) {
      throw new IllegalArgumentException("need 0 <= minIterations <= maxIterations, was " + minIterations + ", " + maxIterations);
    }
    if (window < 1) throw new IllegalArgumentException("window must be >= 1, was " + window);
    if (!(tolerance > 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in (0, 1), was " + tolerance);
    this.minIterations = minIterations;
    this.maxIterations = maxIterations;
    this.maxNs = maxNs;
    this.window = window;
    this.tolerance = tolerance;
  }

  /** The rule a run's settings ask for. */
  public static SteadyState of(Settings s) {
    return new SteadyState(s.warmupIterations(), s.maxWarmupIterations(), (long) (s.maxWarmupS() * 1e9),
        Settings.STEADY_WINDOW, s.steadyTolerance());
  }

  /** Records one warm-up iteration's e2e time. */
  public void add(long e2eNs) {
    this.e2eNs.add(e2eNs);
    if (this.e2eNs.size() >= window) fastestMedianNs = Math.min(fastestMedianNs, windowMedian());
  }

  public int iterations() {
    return e2eNs.size();
  }

  public int window() {
    return window;
  }

  public double tolerance() {
    return tolerance;
  }

  /** Whether the last {@link #window()} iterations are steady (see the class comment). */
  public boolean steady() {
    if (e2eNs.size() < window) return false;
    double median = windowMedian();
    for (long t : last()) {
      if (Math.abs(t - median) > tolerance * median) return false;
    }
    return median - fastestMedianNs <= tolerance * fastestMedianNs;
  }

  /** The last window's (max − min) / median; null before {@link #window()} iterations ran. */
  public Double spread() {
    if (e2eNs.size() < window) return null;
    long[] w = last();
    long min = Arrays.stream(w).min().orElseThrow();
    long max = Arrays.stream(w).max().orElseThrow();
    return (max - min) / windowMedian();
  }

  /**
   * Whether warm-up is over after the iterations recorded so far, {@code elapsedNs} after it started: the minimum
   * ran, and timing is steady or the maximum count or time is reached.
   */
  public boolean done(long elapsedNs) {
    int n = e2eNs.size();
    if (n < minIterations) return false;
    return steady() || n >= maxIterations || elapsedNs >= maxNs;
  }

  private long[] last() {
    return e2eNs.subList(e2eNs.size() - window, e2eNs.size()).stream().mapToLong(Long::longValue).toArray();
  }

  private double windowMedian() {
    long[] w = last();
    Arrays.sort(w);
    int m = w.length / 2;
    return w.length % 2 == 1 ? w[m] : (w[m - 1] + w[m]) / 2.0;
  }
}
