package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class ProgressTest {
  private long now;

  @Test
  void eachFinishedCaseShowsTheElapsedTimeAndAnEtaFromTheCasesSoFar() {
    var bytes = new ByteArrayOutputStream();
    var progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, () -> now);

    progress.start(4, 1); // resumed: one case finished earlier, it does not count towards the pace
    progress.caseStarted("a");
    now += 10_000_000_000L;
    progress.caseFinished("a", "SUCCESS");
    progress.caseStarted("b");
    now += 20_000_000_000L;
    progress.caseFinished("b", "SUCCESS");

    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
        "resuming: 1 of 4 cases already finished, skipping them",
        "[2/4] a SUCCESS (10.0 s; elapsed 0:10, ETA 0:20)",
        "[3/4] b SUCCESS (20.0 s; elapsed 0:30, ETA 0:15)");
  }

  @Test
  void longRunsShowHours() {
    assertThat(Progress.clock(3_725_000_000_000L)).isEqualTo("1:02:05");
  }
}
