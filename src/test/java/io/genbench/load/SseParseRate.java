package io.genbench.load;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * bench/sse-parse: how many server-sent events per second the load engine's SSE path parses on one thread, from an
 * OpenAI chat stream (src/test/resources/load/openai-chat-stream.sse: 204 events, 200 token chunks, the usage chunk
 * and [DONE]). Two figures: the framing alone ({@link SseParser}) and what the engine runs per response
 * ({@link ResponseReader.Sse}: framing, each event's JSON read, the token chunk timed). The stream is fed as the
 * network hands it over, one event per piece, and also cut every 1,460 bytes (one TCP segment: lines split across
 * pieces). Each figure: warm-up, then repeats of about a second each; the median and the range are printed.
 * Usage: {@code SseParseRate [WARMUP_S] [REPEATS]} (defaults 3 and 5).
 */
public final class SseParseRate {
  public static void main(String[] args) throws IOException {
    double warmupS = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    byte[] stream;
    try (InputStream in = SseParseRate.class.getResourceAsStream("/load/openai-chat-stream.sse")) {
      stream = in.readAllBytes();
    }
    List<byte[]> perEvent = new ArrayList<>();
    String text = new String(stream, java.nio.charset.StandardCharsets.UTF_8);
    for (String e : text.split("(?<=\n\n)")) perEvent.add(e.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<byte[]> perSegment = new ArrayList<>();
    for (int i = 0; i < stream.length; i += 1460) perSegment.add(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + 1460)));
    SseParser probe = new SseParser((b, o, n) -> { });
    probe.feed(stream, 0, stream.length);
    long events = probe.events();
    ResponseReader.Sse check = new ResponseReader.Sse(ResponseReader.Sse.Kind.CHAT);
    for (byte[] p : perEvent) check.feed(p, 0, p.length, 1);
    check.end(2);
    if (check.malformed != null || check.outputTokens != 200) {
      throw new IllegalStateException("the recording did not parse: " + check.malformed + ", tokens " + check.outputTokens);
    }
    System.out.printf(Locale.ROOT, "| path | pieces | events/s (median of %d) | range | ns per event |%n|---|---|---|---|---|%n", repeats);
    row("SseParser (framing)", "one event each", events, warmupS, repeats, () -> {
      SseParser p = new SseParser((b, o, n) -> { });
      for (byte[] piece : perEvent) p.feed(piece, 0, piece.length);
      return p.events();
    });
    row("SseParser (framing)", "1,460 bytes", events, warmupS, repeats, () -> {
      SseParser p = new SseParser((b, o, n) -> { });
      for (byte[] piece : perSegment) p.feed(piece, 0, piece.length);
      return p.events();
    });
    row("ResponseReader.Sse (engine: framing + JSON + chunk times)", "one event each", events, warmupS, repeats, () -> {
      ResponseReader.Sse r = new ResponseReader.Sse(ResponseReader.Sse.Kind.CHAT);
      long now = 0;
      for (byte[] piece : perEvent) r.feed(piece, 0, piece.length, ++now);
      r.end(++now);
      return r.events() + r.outputTokens;
    });
    row("ResponseReader.Sse (engine: framing + JSON + chunk times)", "1,460 bytes", events, warmupS, repeats, () -> {
      ResponseReader.Sse r = new ResponseReader.Sse(ResponseReader.Sse.Kind.CHAT);
      long now = 0;
      for (byte[] piece : perSegment) r.feed(piece, 0, piece.length, ++now);
      r.end(++now);
      return r.events() + r.outputTokens;
    });
    System.out.printf(Locale.ROOT, "%nStream: %d events, %,d bytes; one thread; JVM %s on %d CPUs.%n", events, stream.length,
        Runtime.version(), Runtime.getRuntime().availableProcessors());
  }

  private static void row(String path, String pieces, long eventsPerPass, double warmupS, int repeats, TimingLoop.Pass pass) {
    double[] ns = TimingLoop.nsPerPass(warmupS, repeats, pass);
    double[] sorted = new double[repeats]; // events per second, ascending
    for (int r = 0; r < repeats; r++) sorted[r] = eventsPerPass * 1e9 / ns[repeats - 1 - r];
    double median = sorted[repeats / 2];
    System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f – %,.0f | %.0f |%n", path, pieces, median, sorted[0],
        sorted[repeats - 1], 1e9 / median);
  }
}
