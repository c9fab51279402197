package io.genbench.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap interval of a ratio of medians, checked against synthetic runs whose truth is known: lognormal e2e with a
 * 5 % coefficient of variation, 30 samples a run, 200 seeded repetitions (fixed seeds: the rates below are the same on
 * every machine, so the test cannot flake).
 */
final class MedianRatioTest {
  static final int REPETITIONS = 200;
  static final int N = 30;
  static final double CV = 0.05;
  static final double LEVEL = 0.95;

  /** Lognormal samples around 1 s with the given coefficient of variation, scaled by {@code factor}. */
  static long[] lognormal(Random random, int n, double cv, double factor) {
    double sigma = Math.sqrt(Math.log(1 + cv * cv));
    long[] out = new long[n];
    for (int i = 0; i < n; i++) out[i] = Math.round(1e9 * factor * Math.exp(sigma * random.nextGaussian()));
    return out;
  }

  /** How many of the repetitions call the candidate {@code change}, with the candidate {@code factor} × the baseline. */
  static int flagged(double factor, MedianRatio.Change change, int trials) {
    int flagged = 0;
    for (int rep = 0; rep < REPETITIONS; rep++) {
      Random data = new Random(1_000 + rep);
      List<long[]> base = new ArrayList<>();
      List<long[]> cand = new ArrayList<>();
      for (int t = 0; t < trials; t++) {
        base.add(lognormal(data, N, CV, 1.0));
        cand.add(lognormal(data, N, CV, factor));
      }
      if (MedianRatio.of(base, cand, LEVEL, rep, MedianRatio.RESAMPLES).change() == change) flagged++;
    }
    return flagged;
  }

  @Test
  void aPlantedTenPercentSlowdownIsFoundInNearlyEveryRepetition() {
    int found = flagged(1.10, MedianRatio.Change.SLOWER, 1);
    System.out.printf("detection rate of a 10 %% slowdown (CV 5 %%, n=%d): %d/%d%n", N, found, REPETITIONS);

    assertThat(found).isGreaterThanOrEqualTo(REPETITIONS * 98 / 100);
  }

  @Test
  void noChangeIsFlaggedInAboutOneMinusTheLevelOfRepetitions() {
    int falsePositives = flagged(1.0, MedianRatio.Change.SLOWER, 1) + flagged(1.0, MedianRatio.Change.FASTER, 1);
    double rate = (double) falsePositives / REPETITIONS;
    double expected = 1 - LEVEL;
    double tolerance = 3 * Math.sqrt(expected * (1 - expected) / REPETITIONS); // 3 binomial standard errors: 4.6 points
    System.out.printf("false-positive rate with no change (CV 5 %%, n=%d, level %.2f): %d/%d = %.3f (allowed %.3f ± %.3f)%n", N,
        LEVEL, falsePositives, REPETITIONS, rate, expected, tolerance);

    assertThat(rate).isBetween(expected - tolerance, expected + tolerance);
  }

  @Test
  void withTrialsTheSlowdownIsStillFoundAndTheMethodSaysItResampledTrials() {
    Random data = new Random(7);
    List<long[]> base = List.of(lognormal(data, N, CV, 1.0), lognormal(data, N, CV, 1.0), lognormal(data, N, CV, 1.0));
    List<long[]> cand = List.of(lognormal(data, N, CV, 1.1), lognormal(data, N, CV, 1.1), lognormal(data, N, CV, 1.1));

    MedianRatio r = MedianRatio.of(base, cand, LEVEL, 1, MedianRatio.RESAMPLES);

    assertThat(r.change()).isEqualTo(MedianRatio.Change.SLOWER);
    assertThat(r.hierarchical()).isTrue();
    assertThat(r.method()).contains("trials resampled with replacement");
  }

  @Test
  void oneSeedGivesOneInterval() {
    Random data = new Random(3);
    List<long[]> base = List.of(lognormal(data, N, CV, 1.0));
    List<long[]> cand = List.of(lognormal(data, N, CV, 1.02));

    assertThat(MedianRatio.of(base, cand, LEVEL, 42, 1000)).isEqualTo(MedianRatio.of(base, cand, LEVEL, 42, 1000));
  }

  @Test
  void theRatioIsOfNearestRankMediansAndTheIntervalHoldsIt() {
    MedianRatio r = MedianRatio.of(List.of(new long[] {100, 200, 300}), List.of(new long[] {110, 220, 330, 440}), LEVEL, 1, 500);

    assertThat(r.baselineMedianNs()).isEqualTo(200);
    assertThat(r.candidateMedianNs()).isEqualTo(220);
    assertThat(r.ratio()).isEqualTo(1.1);
    assertThat(r.ciLow()).isLessThanOrEqualTo(r.ciHigh());
  }

  @Test
  void slowerBeyondAThresholdNeedsTheLowerEndAboveIt() {
    MedianRatio r = new MedianRatio(100, 110, 1.10, 1.06, 1.14, LEVEL, 2000, false);

    assertThat(r.slowerBeyond(5)).isTrue();
    assertThat(r.slowerBeyond(6)).isFalse();
  }

  @Test
  void aRunWithoutSamplesOrALevelOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> MedianRatio.of(List.of(new long[0]), List.of(new long[] {1}), LEVEL, 1, 500))
        .hasMessageContaining("baseline has no samples");
    assertThatThrownBy(() -> MedianRatio.of(List.of(new long[] {1}), List.of(new long[] {1}), 1.5, 1, 500))
        .hasMessageContaining("level");
  }

  @Test
  void aChangeInsideTheRunsTargetWidthIsNoSignificantDifferenceHoweverNarrowTheInterval() {
    // two runs of the same machine 2 % apart, each tight (±0.5 %): the bootstrap calls it slower; at ±3 % it is noise
    MedianRatio r = new MedianRatio(100, 102, 1.02, 1.015, 1.025, LEVEL, 1000, false);
    MedianRatio big = new MedianRatio(100, 110, 1.10, 1.08, 1.12, LEVEL, 1000, false);

    assertThat(r.change()).isEqualTo(MedianRatio.Change.SLOWER);
    assertThat(r.change(3)).isEqualTo(MedianRatio.Change.NO_SIGNIFICANT_DIFFERENCE);
    assertThat(big.change(3)).isEqualTo(MedianRatio.Change.SLOWER);
    assertThat(new MedianRatio(100, 90, 0.9, 0.88, 0.92, LEVEL, 1000, false).change(3)).isEqualTo(MedianRatio.Change.FASTER);
  }
}
