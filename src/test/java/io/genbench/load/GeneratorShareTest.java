package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class GeneratorShareTest {

  static LoadPlan plan(String profile, Integer requests, String slo) {
    return new LoadPlan(List.of("http://127.0.0.1:9"), "openai-images", profile, 2.0, requests, null, null, null, null, null, 7L,
        1, null, 5.0, null, null, null, null, null, null, null, null, Map.of(), slo, null, null, null, null).resolved("test");
  }

  /** The level's offsets up to 10 s (a Poisson cursor never ends). */
  static long[] offsets(Level level) {
    List<Long> out = new ArrayList<>();
    var cursor = ((Level.Open) level).arrivals().cursor();
    for (long o; (o = cursor.next()) >= 0 && o < 10_000_000_000L; ) out.add(o);
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  static long[] union(LoadPlan plan, int n) {
    Level whole = plan.levels(Path.of(".")).get(0);
    List<Long> all = new ArrayList<>();
    for (int g = 0; g < n; g++) for (long o : offsets(new GeneratorShare(g, n).of(whole, plan, plan.durationNs()))) all.add(o);
    return all.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  @Test
  void aConstantRateSplitsIntoPhaseShiftedSharesOfRateOverN() {
    LoadPlan plan = plan("constant 10", null, null);
    Level whole = plan.levels(Path.of(".")).get(0);

    long[] share = offsets(new GeneratorShare(1, 4).of(whole, plan, plan.durationNs()));

    assertThat(share).containsExactly(100_000_000L, 500_000_000L, 900_000_000L, 1_300_000_000L, 1_700_000_000L);
    assertThat(union(plan, 4)).containsExactly(offsets(new Level.Open("x", new Arrivals.Trace(
        java.util.stream.LongStream.range(0, 20).map(k -> k * 100_000_000L).toArray()))));
    assertThat(new GeneratorShare(1, 4).describe(whole)).isEqualTo("every 4th arrival from #2 of level 10rps (2.5 req/s)");
  }

  @Test
  void poissonSharesMergeIntoTheSeededProcessOneMachineWouldSend() {
    LoadPlan plan = plan("poisson 40", null, null);
    long[] whole = Arrays.stream(offsets(plan.levels(Path.of(".")).get(0))).takeWhile(o -> o < plan.durationNs()).toArray();

    assertThat(union(plan, 3)).containsExactly(whole);
    assertThat(whole.length).isGreaterThan(40);
  }

  @Test
  void theRequestLimitIsTheWholeLevelsNotEachGenerators() {
    LoadPlan plan = plan("constant 100", 7, null);

    assertThat(union(plan, 3)).hasSize(7);
  }

  @Test
  void aClosedLoopSplitsItsUsersAsEvenlyAsTheyGo() {
    LoadPlan plan = plan("concurrency 10", null, null);
    Level whole = plan.levels(Path.of(".")).get(0);

    assertThat(List.of(0, 1, 2, 3)).extracting(g -> ((Level.Closed) new GeneratorShare(g, 4).of(whole, plan, plan.durationNs())).concurrency())
        .containsExactly(3, 3, 2, 2);
  }

  @Test
  void aCapacitySearchIsRefusedNamingTheOptionAndWhy() {
    LoadPlan plan = plan("sweep", null, "p95<=2s");

    assertThatThrownBy(() -> GeneratorShare.check(plan, plan.parsedProfile("t", Path.of(".")), 2, "--generators"))
        .isInstanceOf(UserError.class).hasMessageContaining("--executor kubernetes does not run a capacity search")
        .hasMessageContaining("--profile 'sweep 1,2,4' --slo 'p95<=2s'");
  }

  @Test
  void moreGeneratorsThanUsersIsRefused() {
    LoadPlan plan = plan("sweep concurrency 8,2", null, null);

    assertThatThrownBy(() -> GeneratorShare.check(plan, plan.parsedProfile("t", Path.of(".")), 4, "--generators"))
        .isInstanceOf(UserError.class).hasMessage("--generators 4 is more than the 2 users of level c2: every generator needs at"
            + " least one user; give at most 2 generators.");
  }

  @Test
  void aShareIsWrittenAndReadAsIOverN() {
    assertThat(GeneratorShare.parse("2/5", "--generator")).isEqualTo(new GeneratorShare(2, 5));
    assertThatThrownBy(() -> GeneratorShare.parse("5/5", "--generator")).isInstanceOf(UserError.class)
        .hasMessageContaining("--generator \"5/5\" is not I/N");
  }
}
