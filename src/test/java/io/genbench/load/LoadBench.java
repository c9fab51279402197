package io.genbench.load;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/load runs this: the SSE parser's events per second (alone, and with each chunk's JSON read as a chat stream
 * is read), and the generator's fire lag and dispatch lag against an instant loopback server (in this JVM) at fixed
 * rates. Prints one line per figure.
 */
public final class LoadBench {
  public static void main(String[] args) throws Exception {
    sse();
    double[] rates = args.length == 0 ? new double[] {1000, 5000} : java.util.Arrays.stream(args).mapToDouble(Double::parseDouble).toArray();
    for (double rate : rates) dispatch(rate);
    System.exit(0);
  }

  static void sse() {
    int events = 200_000;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < events; i++) {
      b.append("data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok").append(i % 1000).append(" \"},\"finish_reason\":null}]}\n\n");
    }
    byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 6; round++) {
      long[] n = {0};
      long t0 = System.nanoTime();
      SseParser parser = new SseParser((x, off, len) -> n[0] += len);
      for (int off = 0; off < bytes.length; off += 16384) parser.feed(bytes, off, Math.min(16384, bytes.length - off));
      long parseNs = System.nanoTime() - t0;
      ResponseReader.Sse reader = new ResponseReader.Sse(ResponseReader.Sse.Kind.CHAT);
      t0 = System.nanoTime();
      for (int off = 0; off < bytes.length; off += 16384) reader.feed(bytes, off, Math.min(16384, bytes.length - off), System.nanoTime());
      reader.end(System.nanoTime());
      long readNs = System.nanoTime() - t0;
      if (round < 2) continue; // warm-up
      System.out.printf(Locale.ROOT, "sse round %d: parser %.0f events/s; parser + JSON chunk read %.0f events/s (%d tokens, %d bytes)%n",
          round - 1, parser.events() * 1e9 / parseNs, reader.events() * 1e9 / readNs, reader.outputTokens, bytes.length);
    }
  }

  static void dispatch(double rate) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = new LoadPlan(List.of(server.url("/v1/images/generations")), "openai-images", "constant " + rate, 10.0, null,
          2.0, null, null, null, null, 1L, 64, null, 10.0, null, null, null, null, null, null, null, null, Map.of(), null, null,
          null, null, null).resolved("bench");
      LevelRun run = new LoadRunner(plan, Prompts.of("p"), LoadClock.SYSTEM, s -> { }).run(plan.levels(java.nio.file.Path.of("."))).get(0);
      LevelStats s = LevelStats.of(run);
      var late = run.records().stream().filter(r -> !r.warmup() && r.dispatchLagNs() > 100_000_000L).mapToLong(r -> (r.scheduledNs() - run.startNs()) / 1_000_000).sorted().toArray();
      if (late.length > 0) System.out.printf(Locale.ROOT, "  %d requests waited > 100 ms for a connection, scheduled from %d ms to %d ms%n", late.length, late[0], late[late.length - 1]);
      System.out.printf(Locale.ROOT, "dispatch at %.0f req/s (10 s after 2 s warm-up, %d connections, %s): achieved %.1f req/s"
              + " (%d ok of %d), fire lag P50 %.1f us P99 %.1f us P99.9 %.1f us max %.1f us; dispatch lag P50 %.1f us P99 %.1f us;"
              + " service P50 %.1f us P99 %.1f us; generator+server CPU %.0f %% of %d cores%n",
          rate, plan.connections(), run.nativeTransport() ? "epoll" : "nio", s.achievedRate(), s.ok(), s.requests(),
          s.fireLag().p50Ns() / 1e3, s.fireLag().p99Ns() / 1e3, s.fireLag().p999Ns() / 1e3, s.fireLag().maxNs() / 1e3,
          s.dispatchLag().p50Ns() / 1e3, s.dispatchLag().p99Ns() / 1e3, s.service().p50Ns() / 1e3, s.service().p99Ns() / 1e3,
          100 * s.generatorCpu(), Runtime.getRuntime().availableProcessors());
    }
  }
}
