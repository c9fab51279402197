package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ServerTimingTest {

  @Test
  void genbenchServesOwnHeaderGivesQueueAndCompute() {
    ServerTiming t = ServerTiming.parse("queue;dur=0.041, compute;dur=48.113, e2e;dur=49.020, batch;desc=\"1\"");

    assertThat(t.queueMs()).isEqualTo(0.041);
    assertThat(t.computeMs()).isEqualTo(48.113);
    assertThat(t.present()).isTrue();
  }

  @Test
  void namesAreCaseInsensitiveParametersInAnyOrderQuotedAndSpacedAndHeaderLinesAreJoined() {
    ServerTiming t = ServerTiming.parse(List.of("cache;desc=\"a, b; c\", QUEUE ; desc=\"x;y\" ; DUR = \"2.5\"",
        "Compute;dur=1e1"));

    assertThat(t.queueMs()).isEqualTo(2.5);
    assertThat(t.computeMs()).isEqualTo(10.0);
  }

  @Test
  void aStreamedAnswerWithQueueOnlyLeavesComputeNull() {
    ServerTiming t = ServerTiming.parse("queue;dur=3");

    assertThat(t.queueMs()).isEqualTo(3.0);
    assertThat(t.computeMs()).isNull();
  }

  @Test
  void malformedOrMissingDurationsAreIgnoredAndTheFirstUsableOneWins() {
    assertThat(ServerTiming.parse("queue;dur=abc, compute;dur=-1, queue;dur=NaN, compute;dur=Infinity, queue;dur=0x10"))
        .isEqualTo(ServerTiming.NONE);
    assertThat(ServerTiming.parse("queue, compute;desc=\"no dur\", queue;dur=, queue;dur=4, queue;dur=5, compute;dur=6"))
        .isEqualTo(new ServerTiming(4.0, 6.0));
    assertThat(ServerTiming.parse("e2e;dur=5, batch;desc=\"2\", total;dur=9")).isEqualTo(ServerTiming.NONE);
  }

  @Test
  void garbageNeverThrows() {
    List<String> junk = Arrays.asList(null, "", "   ", ",,,;;;", "\"", "queue;dur=\"", "queue;dur=\"1", ";dur=1", "=;=,=",
        "queue;dur=1\\", "queue;;;dur==2", "q".repeat(10_000), "queue;dur=" + "9".repeat(400), "\u0000queue;dur=1");
    for (String s : junk) assertThat(ServerTiming.parse(s)).as(String.valueOf(s)).isNotNull();
    assertThat(ServerTiming.parse((List<String>) null)).isEqualTo(ServerTiming.NONE);
    assertThat(ServerTiming.parse(List.of())).isEqualTo(ServerTiming.NONE);
    assertThat(ServerTiming.parse("queue;;;dur=2").queueMs()).isEqualTo(2.0);
  }
}
