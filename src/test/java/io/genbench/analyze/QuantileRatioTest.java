package io.genbench.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class QuantileRatioTest {

  /** The bootstrap written the plain way: materialise each replicate, sort it, read the nearest rank. */
  static double[] sortingBootstrap(List<long[]> base, List<long[]> cand, double p, long seed, int resamples) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] ratios = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      long c = LatencySummary.rank(sorted(draw(cand, random)), p);
      long b = LatencySummary.rank(sorted(draw(base, random)), p);
      ratios[r] = (double) c / b;
    }
    Arrays.sort(ratios);
    return ratios;
  }

  private static long[] draw(List<long[]> trials, SplittableRandom random) {
    List<long[]> chosen = new ArrayList<>();
    if (trials.size() == 1) chosen.add(trials.get(0));
    else for (int i = 0; i < trials.size(); i++) chosen.add(trials.get(random.nextInt(trials.size())));
    long[] out = new long[chosen.stream().mapToInt(t -> t.length).sum()];
    int at = 0;
    for (long[] t : chosen) for (int i = 0; i < t.length; i++) out[at++] = t[random.nextInt(t.length)];
    return out;
  }

  private static long[] sorted(long[] v) {
    Arrays.sort(v);
    return v;
  }

  private static List<long[]> runs(Random random, int trials, int n, long base, int spread) {
    List<long[]> out = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      long[] v = new long[n + t];
      for (int i = 0; i < v.length; i++) v[i] = base + random.nextInt(spread); // ties on purpose
      out.add(v);
    }
    return out;
  }

  @Test
  void countingRanksGivesExactlyTheIntervalsThatSortingEachReplicateGives() {
    Random data = new Random(3);
    for (int trials : new int[] {1, 3}) {
      List<long[]> base = runs(data, trials, 41, 1000, 40);
      List<long[]> cand = runs(data, trials, 37, 1005, 60);

      List<QuantileRatio> fast = QuantileRatio.of(base, cand, new double[] {0.5, 0.95, 0.99}, 0.9, 11, 300);

      double[] p = {0.5, 0.95, 0.99};
      for (int q = 0; q < p.length; q++) {
        double[] oracle = sortingBootstrap(base, cand, p[q], 11, 300);
        assertThat(fast.get(q).ciLow()).as("p" + p[q] + " low, " + trials + " trials").isEqualTo(oracle[(int) Math.ceil(0.05 * 300) - 1]);
        assertThat(fast.get(q).ciHigh()).as("p" + p[q] + " high").isEqualTo(oracle[(int) Math.ceil(0.95 * 300) - 1]);
      }
    }
  }

  @Test
  void aDoubledTailIsSlowerAtP99AndTheSameDistributionCoversOne() {
    Random data = new Random(9);
    long[] base = new long[400];
    long[] same = new long[400];
    long[] slowTail = new long[400];
    for (int i = 0; i < 400; i++) {
      base[i] = 20_000_000 + data.nextInt(2_000_000);
      same[i] = 20_000_000 + data.nextInt(2_000_000);
      slowTail[i] = i % 10 == 0 ? 40_000_000 + data.nextInt(2_000_000) : 20_000_000 + data.nextInt(2_000_000);
    }

    List<QuantileRatio> slow = QuantileRatio.of(List.of(base), List.of(slowTail), new double[] {0.5, 0.99}, 0.95, 1, 1000);
    QuantileRatio equal = QuantileRatio.of(List.of(base), List.of(same), new double[] {0.99}, 0.95, 1, 1000).getFirst();

    assertThat(slow.get(1).change(0)).isEqualTo(MedianRatio.Change.SLOWER);
    assertThat(slow.get(1).ratio()).isGreaterThan(1.8);
    assertThat(equal.ciLow()).isLessThanOrEqualTo(1.0);
    assertThat(equal.ciHigh()).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void aQuantileOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> QuantileRatio.of(List.of(new long[] {1}), List.of(new long[] {1}), new double[] {0}, 0.95, 1, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1]");
  }
}
