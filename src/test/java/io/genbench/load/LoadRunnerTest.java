package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(60)
final class LoadRunnerTest {

  static LoadPlan plan(String url, String api, String profile, double durationS, Integer requests) {
    return new LoadPlan(List.of(url), api, profile, durationS, requests, null, null, null, null, null, 7L, 1, null, 5.0, null,
        null, null, null, null, null, null, null, Map.of(), null, null, null, null, null).resolved("test");
  }

  static List<RequestRecord> run(LoadPlan plan) {
    return run(plan, null);
  }

  /** One level of {@code plan} on the engine {@code kind} (null: the one its URL picks). */
  static List<RequestRecord> run(LoadPlan plan, LoadEngine.Kind kind) {
    var runner = new LoadRunner(plan, Prompts.of("p"), LoadClock.SYSTEM, s -> { }).engine(kind);
    return runner.run(plan.levels(java.nio.file.Path.of("."))).get(0).records();
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aOneSecondStallShowsInTheResponseTimeOfRequestsScheduledDuringItButNotInTheirServiceTime(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.stallRequest = 25;
      server.stallMs = 1000;
      LoadPlan plan = plan(server.url("/v1/images/generations"), "openai-images", "constant 50", 2.0, null);

      List<RequestRecord> records = run(plan, kind);

      assertThat(records).hasSize(100).allMatch(RequestRecord::ok);
      RequestRecord stalled = records.stream().filter(r -> r.index() == 25).findFirst().orElseThrow();
      List<RequestRecord> during = records.stream()
          .filter(r -> r.scheduledNs() > stalled.sentNs() && r.scheduledNs() < stalled.doneNs() - 100_000_000L).toList();
      assertThat(during).hasSizeGreaterThan(30);
      // the waiting requests were sent on the other connection, not behind the stall: their service time stays well
      // under the 1 s stall (a bound, not a small one: a busy 2-core host stalls a request now and then by 0.3 s)
      assertThat(during).allMatch(r -> r.serviceNs() < 700_000_000L, "service time stays under the stall");
      assertThat(during.stream().mapToLong(RequestRecord::serviceNs).sorted().toArray()[during.size() / 2])
          .as("median service time of the requests scheduled during the stall").isLessThan(100_000_000L);
      assertThat(during).allMatch(r -> r.responseNs() > 100_000_000L, "the wait for the stalled connection counts");
      long[] response = records.stream().mapToLong(RequestRecord::responseNs).sorted().toArray();
      assertThat(response[(int) Math.ceil(0.99 * response.length) - 1]).isGreaterThan(800_000_000L);
      long[] service = records.stream().filter(r -> r != stalled).mapToLong(RequestRecord::serviceNs).sorted().toArray();
      assertThat(service[service.length - 1]).isLessThan(700_000_000L);
      assertThat(service[service.length / 2]).isLessThan(100_000_000L);
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void anOpenLoopLevelSendsEveryScheduledRequestAtItsScheduledTimes(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = plan(server.url("/v1/images/generations"), "openai-images", "constant 200", 0.5, null);

      List<RequestRecord> records = run(plan, kind);

      assertThat(records).hasSize(100);
      long[] scheduled = records.stream().mapToLong(RequestRecord::scheduledNs).sorted().toArray();
      assertThat(scheduled[99] - scheduled[0]).isEqualTo(99 * 5_000_000L);
      assertThat(records).allMatch(r -> r.firedNs() >= r.scheduledNs());
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aClosedLoopKeepsItsUsersBusyUntilTheRequestCount(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.serviceMs = 5;
      LoadPlan plan = plan(server.url("/v1/images/generations"), "openai-images", "concurrency 3", 30, 30);

      List<RequestRecord> records = run(plan, kind);

      assertThat(records).hasSize(30).allMatch(RequestRecord::ok);
      assertThat(records.stream().mapToInt(RequestRecord::index).sorted().toArray()).containsExactly(
          java.util.stream.IntStream.range(0, 30).toArray());
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void errorsTimeoutsAndMalformedBodiesAreCountedByKindNotThrown(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      record Case(String path, ErrorKind kind) {}
      for (Case c : List.of(new Case("/error", ErrorKind.HTTP_STATUS), new Case("/malformed", ErrorKind.MALFORMED),
          new Case("/no-images", ErrorKind.MALFORMED))) {
        List<RequestRecord> records = run(plan(server.url(c.path()), "openai-images", "concurrency 1", 5, 3), kind);

        assertThat(records).as(c.path()).hasSize(3).allMatch(r -> r.error() == c.kind());
      }
      LoadPlan never = new LoadPlan(List.of(server.url("/never")), "openai-images", "concurrency 1", 5.0, 2, null, null, null,
          null, null, 1L, 1, null, 0.2, null, null, null, null, null, null, null, null, Map.of(), null, null, null, null, null).resolved("test");
      assertThat(run(never, kind)).hasSize(2).allMatch(r -> r.error() == ErrorKind.TIMEOUT);
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aRefusedConnectionIsAConnectionError(LoadEngine.Kind kind) throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    List<RequestRecord> records = run(plan("http://127.0.0.1:" + port + "/x", "openai-images", "concurrency 1", 5, 2), kind);

    assertThat(records).hasSize(2).allMatch(r -> r.error() == ErrorKind.CONNECTION && r.sentNs() == 0);
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aChatStreamGivesFirstTokenChunkTimesAndTheServersTokenCount(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.tokens = 6;
      server.tokenGapMs = 20;  // gaps well above a busy 2-core host's scheduling delays, checked against half of them

      List<RequestRecord> records = run(plan(server.url("/v1/chat/completions"), "openai-chat", "concurrency 1", 5, 2), kind);

      assertThat(records).hasSize(2).allMatch(RequestRecord::ok);
      RequestRecord r = records.get(0);
      assertThat(r.outputTokens()).isEqualTo(6);
      assertThat(r.tokensCounted()).isFalse();
      assertThat(r.chunkNs()).hasSize(6);
      assertThat(r.firstByteNs()).isEqualTo(r.chunkNs()[0]);
      assertThat(r.tpotNs()).isGreaterThanOrEqualTo(10_000_000L);
    }
  }

  @Test
  void aStreamWithoutUsageCountsItsChunksAndSaysSo() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.usage = false;
      server.tokens = 4;

      List<RequestRecord> records = run(plan(server.url("/v1/completions"), "openai-completions", "concurrency 1", 5, 1));

      assertThat(records.get(0).outputTokens()).isEqualTo(4);
      assertThat(records.get(0).tokensCounted()).isTrue();
    }
  }

  @Test
  void imagesAreCountedFromTheResponse() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = new LoadPlan(List.of(server.url("/")), "openai-images", "concurrency 1", 5.0, 2, null, null, null, null,
          null, 1L, 1, null, 5.0, null, null, 2, "url", null, null, null, null, Map.of(), null, null, null, null, null).resolved("test");

      assertThat(run(plan)).hasSize(2).allMatch(r -> r.ok() && r.images() == 2);
    }
  }

  @Test
  void aGenericTemplateSendsItsBodyAndCountsTheArrayAtThePointer() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = new LoadPlan(List.of(server.url("/generic")), "generic", "concurrency 1", 5.0, 1, null, null, null, null,
          null, 1L, 1, null, 5.0, null, null, null, null, null, null, "{\"prompt\": \"{{prompt}}\", \"seed\": {{seed}}}",
          "/result/images", Map.of(), null, null, null, null, null).resolved("test");

      assertThat(run(plan)).hasSize(1).allMatch(r -> r.ok() && r.images() == 3);
    }
  }

  @Test
  void warmUpRequestsAreFlaggedPerPrompt() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = new LoadPlan(List.of(server.url("/")), "openai-images", "concurrency 1", null, null, null, null, "2+3",
          null, null, 1L, 1, null, 5.0, null, null, null, null, null, null, null, null, Map.of(), null, null, null, null, null).resolved("test");
      var runner = new LoadRunner(plan, new Prompts(List.of("a", "b")), LoadClock.SYSTEM, s -> { });

      List<RequestRecord> records = runner.run(plan.levels(java.nio.file.Path.of("."))).get(0).records();

      assertThat(records).hasSize(10);
      RequestRecord[] byIndex = records.stream().sorted(java.util.Comparator.comparingInt(RequestRecord::index)).toArray(RequestRecord[]::new);
      assertThat(Arrays.stream(byIndex).map(r -> r.prompt() + (r.warmup() ? "w" : "m")).toList())
          .containsExactly("0w", "0w", "0m", "0m", "0m", "1w", "1w", "1m", "1m", "1m");
    }
  }
}
