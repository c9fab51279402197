package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The quiet-JIT rounds on a fake clock and a fake compilation-time source: no real time passes. */
final class JitQuietTest {
  private static final long MS = 1_000_000L;
  private static final JitQuiet Q = new JitQuiet(0, 0, 300 * MS, 60, 6, 15_000 * MS);

  /** A fake JVM: the clock advances only by sleeps and rounds; compilation time follows a script of (at ms, total ms). */
  private static class FakeJvm {
    long nowNs;
    final List<long[]> script = new ArrayList<>(); // {from ns, total compile ms}, in time order
    final List<Long> roundsAt = new ArrayList<>();

    FakeJvm compiles(long atMs, long totalMs) {
      script.add(new long[] {atMs * MS, totalMs});
      return this;
    }

    long compileMs() {
      long total = 0;
      for (long[] s : script) if (s[0] <= nowNs) total = s[1];
      return total;
    }

    int round(long tookMs) {
      roundsAt.add(nowNs / MS);
      nowNs += tookMs * MS;
      return 100;
    }

    JitQuiet.Result warm(JitQuiet q, long roundMs) {
      LongSupplier c = this::compileMs;
      return q.warm(() -> round(roundMs), c, () -> nowNs, ns -> nowNs += ns);
    }
  }

  @Test
  void itWaitsForTheCompilerQueueToDrainThenStopsAfterARoundThatCompiledLittle() {
    // round 1 (0-1,000 ms) compiles 900 ms, the last of it finishing at 1,200 ms (less than the 300 ms window after the
    // round); round 2 (1,500-2,500 ms) compiles 40 ms more: settled
    FakeJvm jvm = new FakeJvm().compiles(0, 100).compiles(500, 600).compiles(1_200, 1_000).compiles(2_300, 1_040);
    JitQuiet.Result r = jvm.warm(Q, 1_000);

    assertThat(r.compileMs()).containsExactly(900L, 40L);
    assertThat(jvm.roundsAt).as("round 2 starts 300 ms after the last compilation of round 1").containsExactly(0L, 1_500L);
    assertThat(r.sent()).isEqualTo(200);
    assertThat(r.why()).contains("JIT quiet").contains("60 ms");
    assertThat(r.elapsedNs()).isEqualTo(2_800 * MS); // round 2 ends at 2,500, then quiet for 300 ms
  }

  @Test
  void aJitThatNeverQuietsIsCutAtTheTimeBound() {
    FakeJvm jvm = new FakeJvm() {
      @Override
      long compileMs() {
        return nowNs / (10 * MS); // always compiling
      }
    };
    JitQuiet.Result r = jvm.warm(new JitQuiet(0, 0, 300 * MS, 60, 6, 5_000 * MS), 1_000);

    assertThat(r.why()).contains("still compiling").contains("5.0 s");
    assertThat(jvm.roundsAt).containsExactly(0L);
    assertThat(r.elapsedNs()).isBetween(5_000 * MS, 5_000 * MS + JitQuiet.POLL_NS);
  }

  @Test
  void roundsThatKeepCompilingStopAtTheRoundLimit() {
    FakeJvm jvm = new FakeJvm();
    for (int i = 0; i < 10; i++) jvm.compiles(i * 1_300L + 500, (i + 1) * 200L); // each round: 200 ms, quiet by its end
    JitQuiet.Result r = jvm.warm(new JitQuiet(0, 0, 300 * MS, 60, 3, 60_000 * MS), 1_000);

    assertThat(r.compileMs()).containsExactly(200L, 200L, 200L);
    assertThat(r.why()).isEqualTo("stopped after 3 rounds");
  }

  @Test
  void aJvmWithoutCompilationTimeGetsOneRoundAndNoWait() {
    FakeJvm jvm = new FakeJvm();
    JitQuiet.Result r = Q.warm(() -> jvm.round(1_000), null, () -> jvm.nowNs, ns -> jvm.nowNs += ns);

    assertThat(r.sent()).isEqualTo(100);
    assertThat(r.elapsedNs()).isEqualTo(1_000 * MS);
    assertThat(r.why()).contains("does not report");
  }

  @Test
  void hotSpotReportsItsCompilationTime() {
    assertThat(JitQuiet.hotSpotCompileMs()).isNotNull();
    assertThat(JitQuiet.hotSpotCompileMs().getAsLong()).isPositive();
  }

  @Test
  void theTimeBoundCanBeSetInSecondsAndABadOneIsNamed() {
    assertThat(JitQuiet.DEFAULT.withMaxS(null)).isEqualTo(JitQuiet.DEFAULT);
    assertThat(JitQuiet.DEFAULT.withMaxS(" 4.5 ").maxNs()).isEqualTo(4_500 * MS);
    assertThat(JitQuiet.DEFAULT.withMaxS("4").closedNs()).isEqualTo(JitQuiet.DEFAULT.closedNs());
    for (String bad : List.of("0", "-1", "abc", "1e9")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> JitQuiet.DEFAULT.withMaxS(bad)).as(bad)
          .isInstanceOf(io.genbench.UserError.class).hasMessageContaining("jitWarmUpMaxS=" + bad).hasMessageContaining("(0, 600]");
    }
  }
}
