package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.plan.Settings;
import org.junit.jupiter.api.Test;

final class SteadyStateTest {
  private static final long MS = 1_000_000L;
  private static final long HOUR = 3_600_000_000_000L;

  /** Offers iteration times (ms) as the executor does, stopping when the rule says warm-up is over. */
  private static SteadyState warmUp(SteadyState rule, long... ms) {
    long elapsed = 0;
    for (long t : ms) {
      if (rule.done(elapsed)) break;
      rule.offer(t * MS);
      elapsed += t * MS;
    }
    return rule;
  }

  @Test
  void slowFirstIterationsWarmUpUntilTheWindowIsSteady() {
    // the quickstart's symptom: ~60 % slower first iterations, then ~125 ms
    var rule = warmUp(new SteadyState(2, 30, HOUR, 3, 0.05), 330, 203, 206, 182, 126, 124, 125, 125, 125, 125);

    // 126, 124, 125 is the first steady window: its last iteration is the first measured one
    assertThat(rule.steady()).isTrue();
    assertThat(rule.iterations()).isEqualTo(6);
    assertThat(rule.done(0)).isTrue();
    assertThat(rule.spread()).isCloseTo(2.0 / 125, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void alreadySteadyTimingStopsAtTheWindowEvenWhenTheMinimumIsSmaller() {
    var rule = warmUp(new SteadyState(1, 30, HOUR, 3, 0.05), 100, 101, 99, 100, 100);

    assertThat(rule.iterations()).isEqualTo(2); // the third completes the window and is measured
    assertThat(rule.steady()).isTrue();
  }

  @Test
  void theMinimumCountAlwaysRunsEvenWhenSteadyEarlier() {
    var rule = warmUp(new SteadyState(6, 30, HOUR, 3, 0.05), 100, 100, 100, 100, 100, 100, 100, 100);

    assertThat(rule.iterations()).isEqualTo(6);
    assertThat(rule.steady()).isTrue();
    assertThat(rule.done(0)).isTrue(); // the seventh was the first measured
  }

  @Test
  void timingThatNeverSettlesStopsAtTheMaximumCountNotSteady() {
    long[] noisy = new long[50];
    for (int i = 0; i < noisy.length; i++) noisy[i] = i % 2 == 0 ? 100 : 130;
    var rule = warmUp(new SteadyState(2, 10, HOUR, 3, 0.05), noisy);

    assertThat(rule.iterations()).isEqualTo(10);
    assertThat(rule.steady()).isFalse();
    assertThat(rule.done(0)).isTrue();
  }

  @Test
  void theMaximumTimeStopsWarmUpButNeverBeforeTheMinimumCount() {
    // 1 s per iteration against a 2.5 s budget: stops after 3; a minimum of 5 overrides the budget
    var byTime = warmUp(new SteadyState(1, 30, 2_500 * MS, 3, 0.05), 1000, 1300, 1000, 1300, 1000, 1300);
    var byMinimum = warmUp(new SteadyState(5, 30, 2_500 * MS, 3, 0.05), 1000, 1300, 1000, 1300, 1000, 1300, 1000);

    assertThat(byTime.iterations()).isEqualTo(3);
    assertThat(byTime.steady()).isFalse();
    assertThat(byMinimum.iterations()).isEqualTo(5);
  }

  @Test
  void aDownwardDriftOfMoreThanTheTolerancePerIterationIsNeverSteady() {
    // each iteration 6 % faster than the one before: the window looks tight-ish, but its median is not near the fastest
    long[] drift = new long[30];
    double t = 300;
    for (int i = 0; i < drift.length; i++, t *= 0.94) drift[i] = Math.round(t);
    var rule = warmUp(new SteadyState(2, 30, HOUR, 3, 0.05), drift);

    assertThat(rule.iterations()).isEqualTo(30);
    assertThat(rule.steady()).isFalse();
  }

  @Test
  void aTightWindowAboveAnEarlierFastWindowIsNotSteady() {
    // the window agrees with itself at ~120, but the process already ran a whole window at ~100: it got slower
    var rule = new SteadyState(0, 30, HOUR, 3, 0.05);
    for (long t : new long[] {100, 101, 99, 120, 121, 119}) rule.add(t * MS);

    assertThat(rule.steady()).isFalse();
  }

  @Test
  void oneLuckyFastIterationDoesNotKeepWarmUpGoingToItsMaximum() {
    // seen on a busy 2-core machine: one 84 ms warm-up, then a steady ~225 ms
    var rule = new SteadyState(2, 30, HOUR, 3, 0.05);
    boolean[] measured = new boolean[4];
    long[] times = {84, 222, 230, 225};
    for (int i = 0; i < times.length; i++) measured[i] = rule.offer(times[i] * MS);

    assertThat(measured).containsExactly(false, false, false, true);
    assertThat(rule.iterations()).isEqualTo(3);
    assertThat(rule.steady()).isTrue();
    assertThat(rule.done(0)).isTrue();
    assertThatThrownBy(() -> rule.offer(225 * MS)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anIterationBeforeTheMinimumIsAWarmUpEvenWhenItCompletesASteadyWindow() {
    var rule = new SteadyState(3, 30, HOUR, 2, 0.05);

    assertThat(rule.offer(100 * MS)).isFalse();
    assertThat(rule.offer(100 * MS)).isFalse();
    assertThat(rule.offer(100 * MS)).isFalse();
    assertThat(rule.offer(100 * MS)).isTrue();
    assertThat(rule.iterations()).isEqualTo(3);
  }

  @Test
  void fewerIterationsThanTheWindowAreNeverSteadyAndHaveNoSpread() {
    var rule = new SteadyState(0, 30, HOUR, 3, 0.05);
    rule.add(100 * MS);
    rule.add(100 * MS);

    assertThat(rule.steady()).isFalse();
    assertThat(rule.spread()).isNull();
    assertThat(rule.done(0)).isFalse();
  }

  @Test
  void takesItsBoundsFromTheSettings() {
    var rule = SteadyState.of(new Settings(2, 5, 50, 3, 600, 42, 12, 30, 0.1));

    assertThat(rule.window()).isEqualTo(Settings.STEADY_WINDOW);
    assertThat(rule.tolerance()).isEqualTo(0.1);
    long[] noisy = new long[20];
    for (int i = 0; i < noisy.length; i++) noisy[i] = i % 2 == 0 ? 100 : 150;
    assertThat(warmUp(rule, noisy).iterations()).isEqualTo(12);
  }
}
