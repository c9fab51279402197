package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genbench.capacity.LevelFigures;
import io.genbench.capacity.Slo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The capacity figures' window: n open-loop arrivals at rate r read r, not r n / (n - 1). */
class LevelJudgementTest {
  @Test
  void tenArrivalsOneSecondApartReadOnePerSecond() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) records.add(LevelStatsTest.request(i, false, i, i + 0.2));
    LevelFigures f = LevelJudgement.figures(new LevelRun(0, "u", 1, new Level.Open("1rps", new Arrivals.Constant(1)),
        0, 10 * LevelStatsTest.S, 0.1, true, records), false, Slo.NONE);

    assertThat(f.durationS()).isCloseTo(10.0, within(1e-9));
    assertThat(f.achievedRate()).isCloseTo(1.0, within(1e-9));
    assertThat(f.imagesPerSecond()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void aClosedLoopWindowRunsFromTheFirstScheduleToTheLastAnswer() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 4; i++) records.add(LevelStatsTest.request(i, false, i, i + 1));
    LevelFigures f = LevelJudgement.figures(new LevelRun(0, "u", 1, new Level.Closed("c1", 1), 0, 4 * LevelStatsTest.S,
        0.1, true, records), false, Slo.NONE);

    assertThat(f.durationS()).isCloseTo(4.0, within(1e-9));
    assertThat(f.achievedRate()).isCloseTo(1.0, within(1e-9));
  }
}
