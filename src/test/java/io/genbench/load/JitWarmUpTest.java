package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class JitWarmUpTest {
  @Test
  void theWarmUpRunsThePlansOwnLevelsAgainstItsOwnServerNotTheTarget() throws Exception {
    try (FakeOpenAi target = new FakeOpenAi()) {
      for (String api : List.of("openai-images", "openai-chat")) {
        LoadPlan plan = LoadRunnerTest.plan(target.url("/v1/chat/completions"), api, "constant 10", 1, null);
        // 0.2 s closed loop, 0.2 s at 10,000 req/s (about 2,000 open-loop requests on their own), 0.2 s at 1,000 req/s
        assertThat(JitWarmUp.run(plan, Prompts.of("p"), 200_000_000L, 200_000_000L, 200_000_000L)).as(api).isGreaterThan(1_000);
      }
      assertThat(target.requests.get()).as("requests that reached the plan's target").isZero();
    }
  }

  @Test
  void itRunsOncePerProcessAndSaysSo() throws Exception {
    List<String> said = new ArrayList<>();
    LoadPlan plan = LoadRunnerTest.plan("http://127.0.0.1:9/v1/images/generations", "openai-images", "constant 10", 1, null);
    JitQuiet short_ = new JitQuiet(100_000_000L, 100_000_000L, 50_000_000L, 60, 2, 3_000_000_000L);
    int first = JitWarmUp.once(plan, Prompts.of("p"), said::add, short_);
    int second = JitWarmUp.once(plan, Prompts.of("p"), said::add, short_);

    // another test of this JVM may have run it first: then neither call warms, and nothing is said
    if (first > 0) assertThat(said).singleElement().asString().contains("load engine warmed up").contains("once per process")
        .containsPattern("in [12] rounds?, [0-9.]+ s; compile time per round \\[[0-9, ]+\\] ms");
    else assertThat(said).isEmpty();
    assertThat(second).isZero();
  }
}
