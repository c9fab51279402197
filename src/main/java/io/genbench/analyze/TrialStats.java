package io.genbench.analyze;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * How a case's trials (each in a fresh worker, as JMH's forks) agree. Per trial the median e2e; between trials their
 * spread; for the case's median a 95 % confidence interval from the trial medians (Student's t over the N trial
 * medians: each trial is one independent observation of the case, the samples inside a trial are not); and a
 * Kruskal–Wallis test of whether the trials' samples come from one distribution.
 *
 * <p>The trials <em>disagree</em> when both hold: the Kruskal–Wallis test rejects one distribution at
 * {@value #ALPHA}, so the within-trial spread does not explain the difference, and the trial medians spread by more
 * than {@value #PRACTICAL_PCT} % of their median, so the difference is big enough to change a decision.
 *
 * @param n trials with samples
 * @param mediansNs each trial's median e2e, in trial order
 * @param medianNs the median of the trial medians
 * @param spreadPct (max − min) of the trial medians, % of {@code medianNs}
 * @param ciLowNs lower end of the 95 % confidence interval of the case's median (null with one trial)
 * @param ciHighNs upper end (null with one trial)
 * @param kruskalWallisP p-value of the Kruskal–Wallis test over the trials' samples (null with one trial)
 * @param disagree the trials disagree by more than their own spread explains
 */
public record TrialStats(int n, List<Long> mediansNs, long medianNs, double spreadPct, Double ciLowNs, Double ciHighNs,
    Double kruskalWallisP, boolean disagree) {
  public static final double ALPHA = 0.01;
  /**
   * A fresh process moves a GPU case by a few percent (cuDNN's algorithm choice, memory placement): 2.3–2.5 % between
   * trials of CUDA-graphed SD 2.1 on one H200 (bench/RESULTS.md §8), where the eager, launch-bound case moved 30 %.
   */
  public static final double PRACTICAL_PCT = 5.0;

  public TrialStats {
    mediansNs = List.copyOf(mediansNs);
  }

  /** @param trials each trial's raw samples (ns), in trial order; trials without samples are left out */
  public static TrialStats of(List<long[]> trials) {
    List<long[]> present = trials.stream().filter(t -> t.length > 0).toList();
    if (present.isEmpty()) throw new IllegalArgumentException("no trial has samples");
    List<Long> medians = new ArrayList<>();
    for (long[] t : present) medians.add(LatencySummary.of(t).p50Ns());
    long[] sorted = medians.stream().mapToLong(Long::longValue).sorted().toArray();
    long median = LatencySummary.of(sorted).p50Ns();
    double spread = median == 0 ? 0 : 100.0 * (sorted[sorted.length - 1] - sorted[0]) / median;
    int n = present.size();
    if (n < 2) return new TrialStats(n, medians, median, spread, null, null, null, false);
    double mean = medians.stream().mapToDouble(Long::doubleValue).average().orElseThrow();
    double ss = medians.stream().mapToDouble(m -> (m - mean) * (m - mean)).sum();
    double se = Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    double t = new TDistribution(null, n - 1).inverseCumulativeProbability(0.975);
    double p = kruskalWallisP(present);
    boolean disagree = p < ALPHA && spread > PRACTICAL_PCT;
    return new TrialStats(n, medians, median, spread, mean - t * se, mean + t * se, p, disagree);
  }

  /** Kruskal–Wallis H with the tie correction, against χ² with k − 1 degrees of freedom. */
  static double kruskalWallisP(List<long[]> groups) {
    int total = groups.stream().mapToInt(g -> g.length).sum();
    long[][] all = new long[total][];
    int i = 0;
    for (int g = 0; g < groups.size(); g++) {
      for (long v : groups.get(g)) all[i++] = new long[] {v, g};
    }
    Arrays.sort(all, (a, b) -> Long.compare(a[0], b[0]));
    double[] rankSum = new double[groups.size()];
    double ties = 0;
    for (int lo = 0; lo < total; ) {
      int hi = lo;
      while (hi + 1 < total && all[hi + 1][0] == all[lo][0]) hi++;
      double rank = (lo + hi) / 2.0 + 1; // mean of ranks lo+1 .. hi+1
      for (int k = lo; k <= hi; k++) rankSum[(int) all[k][1]] += rank;
      double tieSize = hi - lo + 1;
      ties += tieSize * tieSize * tieSize - tieSize;
      lo = hi + 1;
    }
    double h = 0;
    for (int g = 0; g < groups.size(); g++) h += rankSum[g] * rankSum[g] / groups.get(g).length;
    h = 12.0 / ((double) total * (total + 1)) * h - 3.0 * (total + 1);
    double correction = 1 - ties / ((double) total * total * total - total);
    if (correction <= 0) return 1.0; // every sample equal: nothing to tell apart
    h /= correction;
    return 1 - new ChiSquaredDistribution(null, groups.size() - 1).cumulativeProbability(Math.max(0, h));
  }

  /** E.g. {@code 3 trials, medians 22.2 / 37.1 / 23.0 ms, spread 67.1 %, 95 % CI of the median 5.1–49.4 ms}. */
  public String describe() {
    String ms = String.join(" / ", mediansNs.stream().map(m -> String.format(Locale.ROOT, "%.1f", m / 1e6)).toList());
    String ci = ciLowNs == null ? "" : String.format(Locale.ROOT, ", 95 %% CI of the median %.1f–%.1f ms", ciLowNs / 1e6, ciHighNs / 1e6);
    return String.format(Locale.ROOT, "%d trials, medians %s ms, spread %.1f %%%s", n, ms, spreadPct, ci);
  }
}
