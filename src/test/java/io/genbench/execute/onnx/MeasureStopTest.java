package io.genbench.execute.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class MeasureStopTest {
  private static final long S = 1_000_000_000L;

  /** Feeds iterations of {@code e2e(i)} seconds until the rule says done; returns how many ran. */
  private static int run(MeasureStop stop, java.util.function.IntToLongFunction e2e) {
    long elapsed = 0;
    while (!stop.done(elapsed)) {
      long t = e2e.applyAsLong(stop.iterations());
      stop.add(t);
      elapsed += t;
    }
    return stop.iterations();
  }

  @Test
  void aSteadyMedianStopsAsSoonAsItHasAnIntervalWithinTheTarget() {
    assertThat(run(new MeasureStop(2, 100, 0, 1000 * S, 3), i -> S)).isEqualTo(6);
  }

  @Test
  void minDurationIsWaitedForEvenWhenTheMedianIsSteady() {
    assertThat(run(new MeasureStop(2, 100, 10 * S, 1000 * S, 3), i -> S)).isEqualTo(10);
  }

  @Test
  void aPreemptedFifthOfTheIterationsMeasuresLongerThanAQuietRunButStopsOnItsOwn() {
    int noisy = run(new MeasureStop(2, 1000, 0, 100_000 * S, 3), i -> i % 5 == 4 ? 12 * S / 10 : S);

    assertThat(noisy).isGreaterThan(6).isLessThan(1000);
  }

  @Test
  void theBudgetStopsAMedianThatNeverSettlesOnceTheMinimumRan() {
    // 1, 2, … 7 s repeating: 1+…+7+1 = 29 s after 8, the 9th ends at 31 s, past the 30 s budget
    assertThat(run(new MeasureStop(3, 1000, 0, 30 * S, 1), i -> (1 + i % 7) * S)).isEqualTo(9);
  }

  @Test
  void theMinimumCountRunsWhateverTheBudget() {
    assertThat(run(new MeasureStop(4, 1000, 0, 1, 3), i -> 5 * S)).isEqualTo(4);
  }

  @Test
  void maxIterationsCapsEverything() {
    assertThat(run(new MeasureStop(2, 5, 100 * S, 1000 * S, 3), i -> S)).isEqualTo(5);
  }
}
