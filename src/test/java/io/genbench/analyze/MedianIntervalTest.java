package io.genbench.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

final class MedianIntervalTest {

  @Test
  void theLowerRankIsTheBinomialTablesAt95Percent() {
    // Conover's table: n = 6 → (1, 6), 10 → (2, 9), 20 → (6, 15), 100 → (40, 61); n = 5 has no 95 % interval
    assertThat(new int[] {MedianInterval.lowerRank(5, 0.95), MedianInterval.lowerRank(6, 0.95), MedianInterval.lowerRank(10, 0.95),
        MedianInterval.lowerRank(20, 0.95), MedianInterval.lowerRank(100, 0.95)}).containsExactly(0, 1, 2, 6, 40);
  }

  @Test
  void fewerThanSixSamplesHaveNoInterval() {
    assertThat(MedianInterval.of(new long[] {1, 2, 3, 4, 5})).isNull();
  }

  @Test
  void theIntervalRunsBetweenTheOrderStatisticsAroundTheNearestRankMedian() {
    long[] shuffled = {109, 101, 105, 100, 108, 103, 102, 107, 104, 106};

    MedianInterval i = MedianInterval.of(shuffled);

    assertThat(new long[] {i.medianNs(), i.lowNs(), i.highNs()}).containsExactly(104, 101, 108);
    assertThat(i.halfWidth()).isEqualTo(4 / 104.0);
  }

  @Test
  void aFewPreemptedIterationsMoveTheIntervalByARankNotTheMedian() {
    // 40 iterations at 100 ± 1 ms, 3 of them preempted to 300 ms: the CV is far beyond 10 %, the median is held to ±1 %
    long[] samples = LongStream.range(0, 40).map(k -> k % 13 == 5 ? 300 : 99 + k % 3).toArray();

    MedianInterval i = MedianInterval.of(samples);

    assertThat(LatencySummary.of(samples).cv()).isGreaterThan(Verdict.MAX_CV);
    assertThat(i.within(3)).isTrue();
    assertThat(i.within(0.5)).isFalse();
  }
}
