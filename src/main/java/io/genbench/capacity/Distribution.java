package io.genbench.capacity;

import io.genbench.analyze.LatencySummary;
import java.util.Arrays;

/**
 * One metric over a level's successful requests, seconds. Percentiles are nearest-rank on the raw values, as everywhere
 * in genbench ({@link LatencySummary#DEFINITION}): {@code sorted[ceil(p·n) − 1]}, so each is an observed value.
 *
 * @param n values, ≥ 1
 */
public record Distribution(int n, double mean, double max, double p50, double p90, double p95, double p99, double p999) {

  /** The definition a report states. */
  public static final String DEFINITION = LatencySummary.DEFINITION;

  /** Summarises the values (seconds); null when there are none. */
  public static Distribution of(double[] values) {
    if (values.length == 0) return null;
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (double v : sorted) sum += v;
    return new Distribution(sorted.length, sum / sorted.length, sorted[sorted.length - 1], rank(sorted, 0.50),
        rank(sorted, 0.90), rank(sorted, 0.95), rank(sorted, 0.99), rank(sorted, 0.999));
  }

  /** Nearest rank: {@code sorted[ceil(p·n) − 1]}. */
  static double rank(double[] sorted, double p) {
    long index = (long) Math.ceil(p * sorted.length) - 1; // the same arithmetic as LatencySummary.rank
    return sorted[(int) Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
