package io.genbench.analyze;

import java.util.Arrays;

/**
 * Distribution of one latency over the measured iterations, in integer nanoseconds.
 *
 * <p>Percentiles are nearest-rank on the raw samples: {@code sorted[ceil(p·n) − 1]}, so every percentile is an
 * observed value. The standard deviation is the sample standard deviation (n − 1); 0 when n = 1.
 *
 * @param n number of samples, ≥ 1
 * @param meanNs arithmetic mean
 * @param stdNs sample standard deviation
 */
public record LatencySummary(int n, double meanNs, double stdNs, long minNs, long maxNs, long p50Ns, long p90Ns, long p95Ns,
    long p99Ns) {

  /** The definition every report states. */
  public static final String DEFINITION = "percentiles are nearest-rank on the raw samples, sorted[ceil(p*n) - 1];"
      + " std is the sample standard deviation (n - 1); warm-up iterations are never included";

  /** Summarises the samples; null when there are none. */
  public static LatencySummary of(long[] samples) {
    if (samples.length == 0) return null;
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double sum = 0;
    for (long v : sorted) sum += v;
    double mean = sum / n;
    double squares = 0;
    for (long v : sorted) squares += (v - mean) * (v - mean);
    double std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0.0;
    return new LatencySummary(n, mean, std, sorted[0], sorted[n - 1], rank(sorted, 0.50), rank(sorted, 0.90),
        rank(sorted, 0.95), rank(sorted, 0.99));
  }

  /** Nearest rank: {@code sorted[ceil(p·n) − 1]}. */
  public static long rank(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Coefficient of variation, std / mean. */
  public double cv() {
    return meanNs == 0 ? 0 : stdNs / meanNs;
  }
}
