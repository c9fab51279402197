package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.analyze.LatencySummary;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** genbench load reads the server's Server-Timing header into each record and into the level's figures. */
@Timeout(60)
final class LoadServerTimingTest {

  /** The n-th request's header: queue n ms, compute 0.5 + n/10 ms; every fifth request has none, the seventh a bad one. */
  private static String header(int n) {
    if (n % 5 == 4) return null;
    if (n == 7) return "queue;dur=oops, compute";
    return "queue;dur=" + n + ", COMPUTE;dur=" + (0.5 + n / 10.0) + ", e2e;dur=99, batch;desc=\"3\"";
  }

  private static List<LevelRun> runLevel(FakeOpenAi server) {
    LoadPlan plan = LoadRunnerTest.plan(server.url("/v1/images/generations"), "openai-images", "concurrency 1", 30, 20);
    var runner = new LoadRunner(plan, Prompts.of("p"), LoadClock.SYSTEM, s -> { });
    return runner.run(plan.levels(java.nio.file.Path.of(".")));
  }

  private static long rank(long[] values, double p) {
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return LatencySummary.rank(sorted, p);
  }

  @Test
  void eachRecordHoldsTheServersQueueAndComputeAndTheLevelTheirPercentilesAndTheOverhead() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.serverTiming = LoadServerTimingTest::header;

      List<LevelRun> runs = runLevel(server);
      List<RequestRecord> records = runs.get(0).records().stream().sorted(Comparator.comparingLong(RequestRecord::sentNs)).toList();

      assertThat(records).hasSize(20).allMatch(RequestRecord::ok);
      for (int n = 0; n < records.size(); n++) { // one user: the server's n-th request is the n-th sent
        RequestRecord r = records.get(n);
        if (n % 5 == 4 || n == 7) {
          assertThat(r.serverQueueMs()).as("request %d", n).isNull();
          assertThat(r.serverComputeMs()).as("request %d", n).isNull();
          assertThat(r.overheadNs()).isNull();
        } else {
          assertThat(r.serverQueueMs()).as("request %d", n).isEqualTo((double) n);
          assertThat(r.serverComputeMs()).as("request %d", n).isEqualTo(0.5 + n / 10.0);
          assertThat(r.overheadNs()).isEqualTo(r.responseNs() - Math.round((0.5 + n / 10.0) * 1e6));
        }
      }

      LevelStats s = LevelStats.of(runs.get(0));
      List<RequestRecord> timed = records.stream().filter(r -> !r.warmup() && r.serverQueueMs() != null).toList();
      assertThat(timed).hasSizeGreaterThan(5);
      long[] queue = timed.stream().mapToLong(r -> Math.round(r.serverQueueMs() * 1e6)).toArray();
      long[] compute = timed.stream().mapToLong(r -> Math.round(r.serverComputeMs() * 1e6)).toArray();
      long[] overhead = timed.stream().mapToLong(RequestRecord::overheadNs).toArray();
      assertThat(s.serverTimed()).isTrue();
      assertThat(s.serverQueue().n()).isEqualTo(timed.size());
      assertThat(s.serverQueue().p50Ns()).isEqualTo(rank(queue, 0.5));
      assertThat(s.serverQueue().p99Ns()).isEqualTo(rank(queue, 0.99));
      assertThat(s.serverCompute().p50Ns()).isEqualTo(rank(compute, 0.5));
      assertThat(s.serverCompute().p99Ns()).isEqualTo(rank(compute, 0.99));
      assertThat(s.serverOverhead().p50Ns()).isEqualTo(rank(overhead, 0.5));
      assertThat(s.serverOverhead().p99Ns()).isEqualTo(rank(overhead, 0.99));
      assertThat(s.serverOverhead().p50Ns()).isLessThan(s.response().maxNs());

      String requestsCsv = LoadOutput.requestsCsv(runs);
      assertThat(requestsCsv.lines().findFirst().orElseThrow()).endsWith(",message,server_queue_ms,server_compute_ms");
      RequestRecord third = records.get(3);
      assertThat(requestsCsv.lines().filter(l -> l.startsWith("1,c1," + third.index() + ",")).findFirst().orElseThrow())
          .endsWith(",3,0.8");
      RequestRecord fifth = records.get(4);
      assertThat(requestsCsv.lines().filter(l -> l.startsWith("1,c1," + fifth.index() + ",")).findFirst().orElseThrow())
          .endsWith(",,");

      String levelsCsv = LoadOutput.levelsCsv(List.of(s));
      assertThat(levelsCsv.lines().findFirst().orElseThrow()).endsWith(",server_queue_p50_ms,server_queue_p99_ms,"
          + "server_compute_p50_ms,server_compute_p99_ms,server_overhead_p50_ms,server_overhead_p99_ms");
      assertThat(levelsCsv.lines().skip(1).findFirst().orElseThrow()).endsWith("," + LoadOutput.num(rank(queue, 0.5) / 1e6) + ","
          + LoadOutput.num(rank(queue, 0.99) / 1e6) + "," + LoadOutput.num(rank(compute, 0.5) / 1e6) + ","
          + LoadOutput.num(rank(compute, 0.99) / 1e6) + "," + LoadOutput.num(rank(overhead, 0.5) / 1e6) + ","
          + LoadOutput.num(rank(overhead, 0.99) / 1e6));

      LoadOutput.LoadRun run = new LoadOutput.LoadRun("t", plan(server), runs, List.of(s), null, null, null);
      var json = LoadOutput.json(run).get("levels").get(0);
      assertThat(json.get("server_queue_ns").get("p99").asLong()).isEqualTo(rank(queue, 0.99));
      assertThat(json.get("server_overhead_ns").get("p50").asLong()).isEqualTo(rank(overhead, 0.5));
      LoadReport.Table table = LoadReport.tables(run).stream().filter(t -> t.title().startsWith("Server timing")).findFirst().orElseThrow();
      assertThat(table.rows()).hasSize(1);
      assertThat(table.rows().get(0)).containsExactly("c1", LoadOutput.ms(rank(queue, 0.5)), LoadOutput.ms(rank(queue, 0.99)),
          LoadOutput.ms(rank(compute, 0.5)), LoadOutput.ms(rank(compute, 0.99)), LoadOutput.ms(rank(overhead, 0.5)),
          LoadOutput.ms(rank(overhead, 0.99)));
    }
  }

  @Test
  void withoutTheHeaderTheFiguresAreEmptyAndTheReportHasNoServerTimingTable() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      List<LevelRun> runs = runLevel(server);
      LevelStats s = LevelStats.of(runs.get(0));

      assertThat(runs.get(0).records()).hasSize(20).allMatch(r -> !r.serverTimed());
      assertThat(s.serverTimed()).isFalse();
      assertThat(s.serverQueue()).isNull();
      assertThat(s.serverOverhead()).isNull();
      assertThat(LoadOutput.levelsCsv(List.of(s)).lines().skip(1).findFirst().orElseThrow()).endsWith(",,,,,,");
      LoadOutput.LoadRun run = new LoadOutput.LoadRun("t", plan(server), runs, List.of(s), null, null, null);
      assertThat(LoadOutput.json(run).get("levels").get(0).get("server_compute_ns").isNull()).isTrue();
      assertThat(LoadReport.tables(run)).noneMatch(t -> t.title().startsWith("Server timing"));
      assertThat(LoadReport.markdown(run, LoadCharts.of(runs, List.of(s), false))).doesNotContain("Server timing");
    }
  }

  private static LoadPlan plan(FakeOpenAi server) {
    return LoadRunnerTest.plan(server.url("/v1/images/generations"), "openai-images", "concurrency 1", 30, 20);
  }
}
