package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Generators run in this process, each on its share, against a loopback server; their printed lines merge into one level. */
@Timeout(60)
final class GeneratorPodTest {

  @Test
  void threeGeneratorsTogetherSendEveryRequestOfTheLevelOnceAtItsScheduledTime() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = new LoadPlan(List.of(server.url("/")), "openai-images", "constant 40", 1.0, null, null, 4, null, null, null,
          7L, 4, null, 5.0, null, null, null, null, null, null, null, null, Map.of(), null, null, null, null, null).resolved("test");
      JitWarmUp.once(plan, Prompts.of("p"), s -> { }); // as each pod does before its hello, here once for the three
      Instant start = Instant.now().plusMillis(3000);
      List<CompletableFuture<String>> outputs = new ArrayList<>();
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(3);

      for (int g = 0; g < 3; g++) {
        GeneratorShare share = new GeneratorShare(g, 3);
        outputs.add(CompletableFuture.supplyAsync(() -> {
          StringWriter out = new StringWriter();
          GeneratorPod.run(plan, Path.of("."), share, 0, 0, start, new PrintWriter(out), s -> { }, LoadClock.SYSTEM, Clock.systemUTC());
          return out.toString();
        }, threads)); // a thread each: the common pool runs one task at a time on 2 cores, so generators ran one after another
      }
      LevelMerge merge = new LevelMerge(0, plan.targets().get(0), 0, plan.levels(Path.of(".")).get(0), 3, s -> { });
      for (int g = 0; g < 3; g++) for (String line : outputs.get(g).get().split("\n")) merge.line(g, line);
      LevelMerge.Merged merged = merge.merged();

      assertThat(merged.problems()).isEmpty();
      assertThat(merged.run().records()).extracting(RequestRecord::index).containsExactlyInAnyOrderElementsOf(
          java.util.stream.IntStream.range(0, 40).boxed().toList());
      assertThat(merged.run().records()).filteredOn(RequestRecord::warmup).extracting(RequestRecord::index).containsExactlyInAnyOrder(0, 1, 2, 3);
      assertThat(merged.run().records()).allSatisfy(r -> {
        assertThat(r.ok()).isTrue();
        assertThat(r.scheduledNs() - LevelMerge.BASE_NS).isEqualTo(r.index() * 25_000_000L);
      });
      assertThat(server.requests.get()).isEqualTo(40);
      threads.shutdown();
    }
  }
}
