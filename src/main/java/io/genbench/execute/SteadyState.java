package io.genbench.execute;

import io.genbench.plan.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The warm-up rule, written once: warm-up runs at least {@code minIterations}; each iteration after them is {@link
 * #offer offered}: when the window it completes (the last {@code window} times, itself the newest) is steady, it is the
 * first measured iteration and warm-up is over, else it is one more warm-up. Warm-up also stops, without a first
 * measured iteration, at {@code maxIterations} warm-ups or after {@code maxNs} (counted from the start of warm-up; the
 * minimum count always runs). Steady: the last {@code window} iteration times each lie within {@code tolerance} (a
 * fraction) of their median, and that median lies within {@code tolerance} of the fastest median of any window so far
 * (a median, so one lucky fast iteration cannot keep warm-up going to its maximum; a window that is still getting
 * faster is its own fastest and only its spread judges it). Fewer than {@code window} iterations are never steady, so a
 * minimum below the window still runs {@code window − 1} warm-ups unless a maximum stops it first. The worker applies
 * the same rule (worker/src/genbench_worker/scenarios/__init__.py, warm_up).
 *
 * <p>A pure function of the times fed to it: the executor offers each iteration's e2e time and asks {@link
 * #done(long)} with the time spent in warm-up so far before running the next.
 */
public final class SteadyState {
  private final int minIterations;
  private final int maxIterations;
  private final long maxNs;
  private final int window;
  private final double tolerance;
  private final List<Long> e2eNs = new ArrayList<>();
  private Long firstMeasuredNs;

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

  /**
   * One iteration's e2e time: true when it is the first measured iteration (the minimum ran and the window it
   * completes is steady; warm-up is over), false when it is a warm-up (recorded as one).
   */
  public boolean offer(long e2eNs) {
    if (firstMeasuredNs != null) throw new IllegalStateException("warm-up is over: its first measured iteration was offered");
    if (this.e2eNs.size() >= minIterations) {
      List<Long> with = new ArrayList<>(this.e2eNs);
      with.add(e2eNs);
      if (steady(with)) {
        firstMeasuredNs = e2eNs;
        return true;
      }
    }
    add(e2eNs);
    return false;
  }

  /** Records one warm-up iteration's e2e time. */
  public void add(long e2eNs) {
    this.e2eNs.add(e2eNs);
  }

  /** The warm-up iterations (the first measured one, when there is one, not counted). */
  public int iterations() {
    return e2eNs.size();
  }

  public int window() {
    return window;
  }

  public double tolerance() {
    return tolerance;
  }

  /** Whether the last {@link #window()} times are steady (see the class comment): the first measured one's included. */
  public boolean steady() {
    return steady(judged());
  }

  private boolean steady(List<Long> times) {
    if (times.size() < window) return false;
    double median = median(times.subList(times.size() - window, times.size()));
    for (long t : times.subList(times.size() - window, times.size())) {
      if (Math.abs(t - median) > tolerance * median) return false;
    }
    double fastest = Double.MAX_VALUE;
    for (int end = window; end <= times.size(); end++) fastest = Math.min(fastest, median(times.subList(end - window, end)));
    return median - fastest <= tolerance * fastest;
  }

  /** The last window's (max − min) / median, the first measured time included; null with fewer times than the window. */
  public Double spread() {
    List<Long> times = judged();
    if (times.size() < window) return null;
    List<Long> w = times.subList(times.size() - window, times.size());
    long min = w.stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = w.stream().mapToLong(Long::longValue).max().orElseThrow();
    return (max - min) / median(w);
  }

  /**
   * Whether warm-up is over after the iterations offered so far, {@code elapsedNs} after it started: its first measured
   * iteration came, or the maximum count ran, or the minimum ran and the time is up.
   */
  public boolean done(long elapsedNs) {
    int n = e2eNs.size();
    return firstMeasuredNs != null || n >= maxIterations || (n >= minIterations && elapsedNs >= maxNs);
  }

  private List<Long> judged() {
    if (firstMeasuredNs == null) return e2eNs;
    List<Long> with = new ArrayList<>(e2eNs);
    with.add(firstMeasuredNs);
    return with;
  }

  private static double median(List<Long> times) {
    long[] w = times.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(w);
    int m = w.length / 2;
    return w.length % 2 == 1 ? w[m] : (w[m - 1] + w[m]) / 2.0;
  }
}
