package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code genbench report RUN --format time} (what bench/time-share prints) on a committed run from before timing events. */
final class ReportTimeFormatTest {

  @Test
  void printsWhereACommittedRunsWallTimeWentSayingStartAndGapsTogether() {
    Cli out = Cli.run("report", "bench/example-h200-verdicts", "--format", "time");

    assertThat(out.exitCode()).as(out.toString()).isZero();
    assertThat(out.out()).startsWith("case ").contains("sdxl-p5e48xlarge-b1-s20-float16 ")
        .contains("worker start and gaps are not told apart")
        .endsWith("measured 44 % of 207 s wall: builds 29 %, warm-up 15 %, start and other 12 %\n");
  }
}
