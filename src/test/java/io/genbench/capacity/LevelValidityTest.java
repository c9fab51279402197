package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class LevelValidityTest {
  private static final LevelValidity.Rules RULES = LevelValidity.Rules.DEFAULT;

  private static LevelFigures level(int requests, double durationS, Double offered, double lagS, double cpu) {
    List<RequestTimes> list = new ArrayList<>();
    for (int i = 0; i < requests; i++) list.add(RequestTimes.image(0.1, 0.1, 1));
    return LevelFigures.of(list, new LevelFacts(offered, durationS, lagS, cpu), Slo.NONE);
  }

  @Test
  void aLevelThatMeetsEveryRuleIsValid() {
    LevelValidity v = LevelValidity.judge(level(600, 60, 10.0, 0.001, 0.2), RULES);

    assertThat(v.valid()).isTrue();
    assertThat(v.describe()).isEqualTo("VALID");
  }

  @Test
  void achievingLessThan98PercentOfTheOfferedRateIsInvalid() {
    assertThat(LevelValidity.judge(level(588, 60, 10.0, 0.001, 0.2), RULES).valid()).isTrue(); // 98.0 %
    LevelValidity v = LevelValidity.judge(level(587, 60, 10.0, 0.001, 0.2), RULES);

    assertThat(v.valid()).isFalse();
    assertThat(v.reasons()).singleElement().asString().startsWith("achieved 9.783 req/s of the 10 req/s offered (97.8 %, below 98 %)");
  }

  @Test
  void aClosedLoopLevelIsNotJudgedAgainstAnOfferedRate() {
    assertThat(LevelValidity.judge(level(100, 60, null, 0.001, 0.2), RULES).valid()).isTrue();
  }

  @Test
  void aLateGeneratorASaturatedOneAndAShortLevelAreEachNamed() {
    LevelValidity v = LevelValidity.judge(level(20, 5, 4.0, 0.010, 0.95), RULES);

    assertThat(v.valid()).isFalse();
    assertThat(v.reasons()).hasSize(4);
    assertThat(v.reasons().get(0)).startsWith("dispatch lag P99 10 ms is not under 10 ms");
    assertThat(v.reasons().get(1)).startsWith("the generator used 95 % of the machine's CPU (at most 90 %)");
    assertThat(v.reasons().get(2)).startsWith("measured 5 s, shorter than the minimum 10 s; raise the level duration");
    assertThat(v.reasons().get(3)).isEqualTo("20 requests, fewer than the minimum 50; raise the level duration (at 4 req/s it takes 12.5 s)");
    assertThat(v.describe()).startsWith("INVALID: dispatch lag");
  }

  @Test
  void unmeasuredCpuIsNotHeldAgainstALevel() {
    assertThat(LevelValidity.judge(level(600, 60, 10.0, 0.001, Double.NaN), RULES).valid()).isTrue();
  }

  @Test
  void theMinimumLengthOfALevelCoversBothTheDurationAndTheCount() {
    assertThat(RULES.minimumSecondsAt(0.37)).isCloseTo(50 / 0.37, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(RULES.minimumSecondsAt(1000)).isEqualTo(10);
  }
}
