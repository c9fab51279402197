package io.genbench.load;

import io.genbench.analyze.LatencySummary;
import java.util.Arrays;

/**
 * One metric over a level's measured requests, in integer nanoseconds: nearest-rank percentiles on the raw values
 * ({@code sorted[ceil(p·n) − 1]}, as everywhere in genbench), the mean and the max.
 */
public record Distribution(int n, double meanNs, long minNs, long p50Ns, long p90Ns, long p95Ns, long p99Ns, long p999Ns,
    long maxNs) {

  /** The distribution of {@code values}; null when there are none. */
  public static Distribution of(long[] values) {
    if (values.length == 0) return null;
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    LatencySummary s = LatencySummary.of(sorted);
    return new Distribution(s.n(), s.meanNs(), s.minNs(), s.p50Ns(), s.p90Ns(), s.p95Ns(), s.p99Ns(),
        LatencySummary.rank(sorted, 0.999), s.maxNs());
  }

  /** The percentile by name: p50, p90, p95, p99, p99.9, mean or max. */
  public double get(String which) {
    return switch (which) {
      case "p50" -> p50Ns;
      case "p90" -> p90Ns;
      case "p95" -> p95Ns;
      case "p99" -> p99Ns;
      case "p99.9", "p999" -> p999Ns;
      case "mean" -> meanNs;
      case "max" -> maxNs;
      case "min" -> minNs;
      default -> throw new IllegalArgumentException("no statistic " + which);
    };
  }
}
