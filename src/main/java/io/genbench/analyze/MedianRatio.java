package io.genbench.analyze;

import java.util.List;
import java.util.Locale;

/**
 * How one case's median e2e changed between two runs: candidate median / baseline median, with a percentile bootstrap
 * confidence interval of that ratio drawn from each run's raw samples ({@link QuantileRatio}'s bootstrap at 0.5).
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
    QuantileRatio q = QuantileRatio.of(baselineTrials, candidateTrials, new double[] {0.5}, level, seed, resamples).getFirst();
    return new MedianRatio(q.baselineNs(), q.candidateNs(), q.ratio(), q.ciLow(), q.ciHigh(), level, resamples, q.hierarchical());
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
}
