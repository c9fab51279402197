package io.genbench.analyze;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How one quantile of a latency changed between two runs: candidate quantile / baseline quantile, with a percentile
 * bootstrap confidence interval of that ratio drawn from each run's raw samples. The bootstrap {@link MedianRatio} (the
 * median, {@code genbench compare} of case runs) and the load comparison (P50 / P95 / P99 of each load level) share.
 *
 * <p>Resampling is hierarchical where a run has trials: each bootstrap replicate draws the run's trials with
 * replacement, then each drawn trial's samples with replacement, and takes the quantiles of the pooled draw. A run of one
 * trial is resampled within its samples only. Quantiles are nearest-rank ({@code sorted[ceil(p·n) − 1]}), as every
 * report's. The two runs are resampled independently from one seeded generator (the candidate's draw, then the
 * baseline's, per replicate), so one seed gives one interval. Several quantiles are read off the same replicates.
 *
 * <p>A replicate is not sorted: each drawn sample adds one to the count of its rank in the run's sorted pool, and the
 * quantiles are read off the running sum of counts, so a replicate costs O(n) instead of O(n log n) and yields exactly
 * the values sorting the draw would (ties share a value).
 *
 * @param quantile the quantile compared, in (0, 1], e.g. 0.95
 * @param baselineNs the baseline's quantile over all its samples
 * @param candidateNs the candidate's
 * @param ratio {@code candidateNs / baselineNs}: above 1 is slower
 * @param ciLow lower end of the {@code level} confidence interval of the ratio
 * @param ciHigh upper end
 * @param level the confidence level, e.g. 0.95
 * @param resamples bootstrap replicates
 * @param hierarchical true when either run had trials to resample (trials, then samples within them)
 */
public record QuantileRatio(double quantile, long baselineNs, long candidateNs, double ratio, double ciLow, double ciHigh,
    double level, int resamples, boolean hierarchical) {

  /**
   * The ratio of each of {@code quantiles}, in their order, from the same replicates.
   *
   * @param baselineTrials the baseline's samples (ns) per trial, in trial order (one entry without trials)
   * @param candidateTrials the candidate's
   * @param quantiles each in (0, 1]
   * @param level confidence level, strictly between 0 and 1
   * @param seed seeds the resampling
   * @param resamples bootstrap replicates, ≥ 100
   */
  public static List<QuantileRatio> of(List<long[]> baselineTrials, List<long[]> candidateTrials, double[] quantiles,
      double level, long seed, int resamples) {
    Pool base = new Pool(present(baselineTrials, "baseline"));
    Pool cand = new Pool(present(candidateTrials, "candidate"));
    if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be between 0 and 1, was " + level);
    if (resamples < 100) throw new IllegalArgumentException("resamples must be >= 100, was " + resamples);
    if (quantiles.length == 0) throw new IllegalArgumentException("no quantile to compare");
    for (double q : quantiles) {
      if (!(q > 0 && q <= 1)) throw new IllegalArgumentException("a quantile must be in (0, 1], was " + q);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[][] ratios = new double[quantiles.length][resamples];
    long[] c = new long[quantiles.length];
    long[] b = new long[quantiles.length];
    for (int r = 0; r < resamples; r++) {
      cand.replicate(random, quantiles, c);
      base.replicate(random, quantiles, b);
      for (int q = 0; q < quantiles.length; q++) ratios[q][r] = (double) c[q] / b[q];
    }
    double tail = (1 - level) / 2;
    boolean hierarchical = base.trials.length > 1 || cand.trials.length > 1;
    List<QuantileRatio> out = new ArrayList<>();
    for (int q = 0; q < quantiles.length; q++) {
      Arrays.sort(ratios[q]);
      long bq = rank(base.sorted, quantiles[q]);
      long cq = rank(cand.sorted, quantiles[q]);
      out.add(new QuantileRatio(quantiles[q], bq, cq, (double) cq / bq, quantile(ratios[q], tail), quantile(ratios[q], 1 - tail),
          level, resamples, hierarchical));
    }
    return out;
  }

  /** Faster or slower when the whole interval lies beyond ± {@code noisePct} % of 1, else no significant difference. */
  public MedianRatio.Change change(double noisePct) {
    if (ciHigh < 1 - noisePct / 100) return MedianRatio.Change.FASTER;
    if (ciLow > 1 + noisePct / 100) return MedianRatio.Change.SLOWER;
    return MedianRatio.Change.NO_SIGNIFICANT_DIFFERENCE;
  }

  /** True when the candidate is significantly slower by more than {@code pct} %: the interval's lower end is above 1 + pct/100. */
  public boolean slowerBeyond(double pct) {
    return ciLow > 1 + pct / 100;
  }

  /** How the interval was drawn, for reports ({@code what}: e.g. {@code medians}). */
  public String method(String what) {
    return String.format(Locale.ROOT, "percentile bootstrap of the ratio of %s, %d resamples, %s", what, resamples,
        hierarchical ? "hierarchical: trials resampled with replacement, then samples within each drawn trial"
            : "samples resampled with replacement within each run");
  }

  private static long[][] present(List<long[]> trials, String which) {
    long[][] out = trials.stream().filter(t -> t != null && t.length > 0).toArray(long[][]::new);
    if (out.length == 0) throw new IllegalArgumentException("the " + which + " has no samples");
    return out;
  }

  /** Nearest rank, {@code sorted[ceil(p·n) − 1]}, as {@link LatencySummary#rank}. */
  private static long rank(long[] sorted, double p) {
    return LatencySummary.rank(sorted, p);
  }

  /** The {@code p} quantile of sorted replicates, nearest-rank as the report's percentiles. */
  private static double quantile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  /** One run's samples: per trial, each sample's rank in the sorted pool of all of them. */
  private static final class Pool {
    final long[][] trials;
    final long[] sorted;
    final int[][] ranks;
    final int[] counts;

    Pool(long[][] trials) {
      this.trials = trials;
      int n = 0;
      for (long[] t : trials) n += t.length;
      long[] values = new long[n];
      int[] trialOf = new int[n];
      int[] indexOf = new int[n];
      int at = 0;
      for (int t = 0; t < trials.length; t++) {
        for (int i = 0; i < trials[t].length; i++, at++) {
          values[at] = trials[t][i];
          trialOf[at] = t;
          indexOf[at] = i;
        }
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) order[i] = i;
      Arrays.sort(order, (x, y) -> Long.compare(values[x], values[y]));
      sorted = new long[n];
      ranks = new int[trials.length][];
      for (int t = 0; t < trials.length; t++) ranks[t] = new int[trials[t].length];
      for (int r = 0; r < n; r++) {
        int i = order[r];
        sorted[r] = values[i];
        ranks[trialOf[i]][indexOf[i]] = r;
      }
      counts = new int[n];
    }

    /** One replicate's quantiles into {@code out}: trials drawn with replacement (when several), then samples within each. */
    void replicate(SplittableRandom random, double[] quantiles, long[] out) {
      Arrays.fill(counts, 0);
      int drawn = 0;
      if (trials.length == 1) {
        drawn = draw(ranks[0], random);
      } else {
        int[][] chosen = new int[trials.length][];
        for (int i = 0; i < trials.length; i++) chosen[i] = ranks[random.nextInt(trials.length)];
        for (int[] t : chosen) drawn += draw(t, random);
      }
      for (int q = 0; q < quantiles.length; q++) {
        int k = Math.max(1, Math.min(drawn, (int) Math.ceil(quantiles[q] * drawn)));
        int cum = 0;
        int r = 0;
        while (cum + counts[r] < k) cum += counts[r++];
        out[q] = sorted[r];
      }
    }

    private int draw(int[] from, SplittableRandom random) {
      for (int i = 0; i < from.length; i++) counts[from[random.nextInt(from.length)]]++;
      return from.length;
    }
  }
}
