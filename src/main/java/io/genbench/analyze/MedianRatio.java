package io.genbench.analyze;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How one case's median e2e changed between two runs: candidate median / baseline median, with a percentile bootstrap
 * confidence interval of that ratio drawn from each run's raw samples.
 *
 * <p>Resampling is hierarchical where a run has trials: each bootstrap replicate draws the run's trials with
 * replacement, then each drawn trial's samples with replacement, and takes the median of the pooled draw; so the
 * between-trial spread (a fresh process moves a GPU case by a few percent) widens the interval as it should. A run of
 * one trial is resampled within its samples only. Medians are nearest-rank ({@code sorted[ceil(n/2) − 1]}), as every
 * report's. The two runs are resampled independently from one seeded generator, so one seed gives one interval.
 *
 * @param baselineMedianNs the baseline's median e2e over all its samples
 * @param candidateMedianNs the candidate's median e2e over all its samples
 * @param ratio {@code candidateMedianNs / baselineMedianNs}: above 1 is slower
 * @param ciLow lower end of the {@code level} confidence interval of the ratio
 * @param ciHigh upper end
 * @param level the confidence level, e.g. 0.95
 * @param resamples bootstrap replicates
 * @param hierarchical true when either run had trials to resample (trials, then samples within them)
 */
public record MedianRatio(long baselineMedianNs, long candidateMedianNs, double ratio, double ciLow, double ciHigh, double level,
    int resamples, boolean hierarchical) {
  /** Enough replicates that a 95 % percentile interval's ends move by well under 1 % of its width between seeds. */
  public static final int RESAMPLES = 2000;

  /** Which way the change goes, decided by whether the interval excludes 1. */
  public enum Change {
    FASTER("faster"), SLOWER("slower"), NO_SIGNIFICANT_DIFFERENCE("no significant difference");

    private final String label;

    Change(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * @param baselineTrials the baseline's e2e samples (ns) per trial, in trial order (one entry without trials)
   * @param candidateTrials the candidate's
   * @param level confidence level, strictly between 0 and 1
   * @param seed seeds the resampling
   * @param resamples bootstrap replicates, ≥ 100
   */
  public static MedianRatio of(List<long[]> baselineTrials, List<long[]> candidateTrials, double level, long seed, int resamples) {
    long[][] base = present(baselineTrials, "baseline");
    long[][] cand = present(candidateTrials, "candidate");
    if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be between 0 and 1, was " + level);
    if (resamples < 100) throw new IllegalArgumentException("resamples must be >= 100, was " + resamples);
    long baseMedian = median(pool(base));
    long candMedian = median(pool(cand));
    SplittableRandom random = new SplittableRandom(seed);
    double[] ratios = new double[resamples];
    for (int b = 0; b < resamples; b++) {
      ratios[b] = (double) median(resample(cand, random)) / median(resample(base, random));
    }
    Arrays.sort(ratios);
    double tail = (1 - level) / 2;
    return new MedianRatio(baseMedian, candMedian, (double) candMedian / baseMedian, quantile(ratios, tail),
        quantile(ratios, 1 - tail), level, resamples, base.length > 1 || cand.length > 1);
  }

  /** Faster or slower when the interval excludes 1, else no significant difference. */
  public Change change() {
    return change(0);
  }

  /**
   * Faster or slower when the whole interval lies beyond ± {@code noisePct} % of 1, else no significant difference: a
   * noise threshold, as criterion.rs has, for runs that each held their median only to ± {@code noisePct} %
   * ({@code target_ci_pct}); a smaller change is below what they were measured to resolve, however narrow the
   * bootstrap interval (which sees each run's own samples, not how a second run of the same machine moves).
   */
  public Change change(double noisePct) {
    if (ciHigh < 1 - noisePct / 100) return Change.FASTER;
    if (ciLow > 1 + noisePct / 100) return Change.SLOWER;
    return Change.NO_SIGNIFICANT_DIFFERENCE;
  }

  /** True when the candidate is significantly slower by more than {@code pct} %: the interval's lower end is above 1 + pct/100. */
  public boolean slowerBeyond(double pct) {
    return ciLow > 1 + pct / 100;
  }

  /** How the interval was drawn, for reports. */
  public String method() {
    return String.format(Locale.ROOT, "percentile bootstrap of the ratio of medians, %d resamples, %s", resamples,
        hierarchical ? "hierarchical: trials resampled with replacement, then samples within each drawn trial"
            : "samples resampled with replacement within each run");
  }

  private static long[][] present(List<long[]> trials, String which) {
    long[][] out = trials.stream().filter(t -> t != null && t.length > 0).toArray(long[][]::new);
    if (out.length == 0) throw new IllegalArgumentException("the " + which + " has no samples");
    return out;
  }

  private static long[] pool(long[][] trials) {
    return Arrays.stream(trials).flatMapToLong(Arrays::stream).toArray();
  }

  /** One replicate: trials drawn with replacement (when there are several), then samples within each drawn trial. */
  private static long[] resample(long[][] trials, SplittableRandom random) {
    if (trials.length == 1) return draw(trials[0], trials[0].length, random, new long[trials[0].length], 0);
    long[][] drawn = new long[trials.length][];
    int total = 0;
    for (int i = 0; i < trials.length; i++) {
      drawn[i] = trials[random.nextInt(trials.length)];
      total += drawn[i].length;
    }
    long[] out = new long[total];
    int at = 0;
    for (long[] t : drawn) at = drawn(t, random, out, at);
    return out;
  }

  private static int drawn(long[] from, SplittableRandom random, long[] into, int at) {
    draw(from, from.length, random, into, at);
    return at + from.length;
  }

  private static long[] draw(long[] from, int n, SplittableRandom random, long[] into, int at) {
    for (int i = 0; i < n; i++) into[at + i] = from[random.nextInt(from.length)];
    return into;
  }

  /** Nearest-rank median, {@code sorted[ceil(n/2) − 1]}; sorts {@code values} in place. */
  static long median(long[] values) {
    Arrays.sort(values);
    return values[(values.length + 1) / 2 - 1];
  }

  /** The {@code p} quantile of sorted replicates, nearest-rank as the report's percentiles. */
  private static double quantile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
}
