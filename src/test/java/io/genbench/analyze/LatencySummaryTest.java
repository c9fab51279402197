package io.genbench.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

final class LatencySummaryTest {

  @Test
  void percentilesAreNearestRankOnTheRawSamples() {
    long[] samples = new long[100];
    for (int i = 0; i < 100; i++) samples[i] = 100 - i; // 100..1, unsorted

    LatencySummary s = LatencySummary.of(samples);

    assertThat(s.p50Ns()).isEqualTo(50);
    assertThat(s.p90Ns()).isEqualTo(90);
    assertThat(s.p95Ns()).isEqualTo(95);
    assertThat(s.p99Ns()).isEqualTo(99);
    assertThat(s.minNs()).isEqualTo(1);
    assertThat(s.maxNs()).isEqualTo(100);
    assertThat(s.n()).isEqualTo(100);
  }

  @Test
  void smallSamplesTakeTheCeilingRank() {
    LatencySummary s = LatencySummary.of(new long[] {30, 10, 20, 40});

    assertThat(s.p50Ns()).isEqualTo(20); // ceil(0.5*4)-1 = 1
    assertThat(s.p90Ns()).isEqualTo(40); // ceil(3.6)-1 = 3
    assertThat(s.meanNs()).isEqualTo(25.0);
    assertThat(s.stdNs()).isCloseTo(12.9099, within(1e-3));
  }

  @Test
  void oneSampleHasZeroSpread() {
    LatencySummary s = LatencySummary.of(new long[] {7});

    assertThat(s.stdNs()).isZero();
    assertThat(s.p99Ns()).isEqualTo(7);
  }

  @Test
  void noSamplesHaveNoSummary() {
    assertThat(LatencySummary.of(new long[0])).isNull();
  }

  @Test
  void anUnstableRunIsInvalid() {
    Verdict v = Verdict.of(LatencySummary.of(new long[] {100, 100, 100, 100, 300}));

    assertThat(v.valid()).isFalse();
    assertThat(v.notes()).anyMatch(n -> n.contains("unstable"));
  }

  @Test
  void aSteadyRunWithEnoughSamplesIsValid() {
    assertThat(Verdict.of(LatencySummary.of(new long[] {100, 101, 99, 100, 100, 102})).valid()).isTrue();
  }
}
