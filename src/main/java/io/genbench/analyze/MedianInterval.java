package io.genbench.analyze;

import java.util.Arrays;

/**
 * A distribution-free confidence interval of the median from order statistics (the binomial method, as in Conover's
 * <i>Practical Nonparametric Statistics</i>, §3.2): with {@code n} samples sorted, the interval runs from the
 * {@code j}-th to the {@code (n + 1 − j)}-th smallest, {@code j} the largest rank with {@code P(B < j) ≤ (1 − level) / 2}
 * for {@code B ~ Binomial(n, ½)}. It assumes only that the samples are independent draws of one distribution, so a few
 * preempted iterations widen it by a rank or two instead of inflating it as they inflate a standard deviation.
 *
 * <p>At 95 % it needs at least 6 samples ({@code n = 6}: the minimum and maximum); with fewer there is no interval and
 * {@link #of} returns null. The Python worker computes the same interval (worker/src/genbench_worker/measure/steady.py).
 *
 * @param medianNs the nearest-rank median, {@code sorted[ceil(n/2) − 1]}, as every report's P50
 * @param lowNs the interval's lower end, a sample
 * @param highNs its upper end, a sample
 * @param n the samples
 * @param level the confidence level, e.g. 0.95
 */
public record MedianInterval(long medianNs, long lowNs, long highNs, int n, double level) {
  /** The level every stop rule and verdict uses. */
  public static final double LEVEL = 0.95;

  /** The 95 % interval of the median of {@code samplesNs}, or null with fewer than 6 samples. */
  public static MedianInterval of(long[] samplesNs) {
    return of(samplesNs, LEVEL);
  }

  /** The {@code level} interval of the median of {@code samplesNs}, or null when there are too few samples for it. */
  public static MedianInterval of(long[] samplesNs, double level) {
    if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be between 0 and 1, was " + level);
    int n = samplesNs.length;
    int j = lowerRank(n, level);
    if (j < 1) return null;
    long[] sorted = samplesNs.clone();
    Arrays.sort(sorted);
    return new MedianInterval(sorted[(n + 1) / 2 - 1], sorted[j - 1], sorted[n - j], n, level);
  }

  /**
   * The 1-based rank {@code j} of the interval's lower end: the largest with {@code P(B ≤ j − 1) ≤ (1 − level) / 2},
   * or 0 when even {@code j = 1} is too wide a bet (too few samples). E.g. 95 %: n = 6 → 1, n = 10 → 2, n = 100 → 40.
   */
  public static int lowerRank(int n, double level) {
    double tail = (1 - level) / 2;
    double logHalfN = -n * Math.log(2);
    double cdf = 0;
    double logChoose = 0; // log C(n, 0)
    int j = 0;
    for (int k = 0; k < n; k++) {
      cdf += Math.exp(logChoose + logHalfN); // P(B ≤ k)
      if (cdf > tail * (1 + 1e-12)) break;
      j = k + 1;
      logChoose += Math.log((double) (n - k) / (k + 1));
    }
    return Math.min(j, (n + 1) / 2);
  }

  /** The interval's larger distance from the median, as a fraction of the median: the ± it holds the median to. */
  public double halfWidth() {
    if (medianNs <= 0) return Double.POSITIVE_INFINITY;
    return Math.max(medianNs - lowNs, highNs - medianNs) / (double) medianNs;
  }

  /** Whether the interval lies within ± {@code pct} % of the median. */
  public boolean within(double pct) {
    return halfWidth() <= pct / 100;
  }
}
