package io.genbench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines a load generator pod prints to stdout and the controller reads from its log: version 1, each line
 * {@link #PREFIX} then one JSON object (snake_case), at most {@link #MAX_LINE_BYTES} bytes. Any other line (the pod
 * log mixes in stderr) is the generator's log. In order:
 * <pre>
 * genbench-load/1 {"type":"hello","generator":0,"generators":4,"target":0,"level":1,"lead_ns":41250000}
 * genbench-load/1 {"type":"record","index":8,"warmup":false,"prompt":3,"scheduled_ns":800000000,"fired_ns":800012000,
 *     "sent_ns":800020000,"first_byte_ns":812000000,"done_ns":830000000,"error":null,"http_status":200,"images":1,
 *     "output_tokens":0,"tokens_counted":false,"chunk_ns":[],"message":null,"server_queue_ms":null,"server_compute_ms":null}
 * genbench-load/1 {"type":"done","records":1,"generator_cpu":0.12,"native_transport":true,"end_ns":1830000000}
 * </pre>
 * Every stamp ({@code *_ns}, {@code chunk_ns}) is nanoseconds since the level's agreed start, read on the pod's own
 * monotonic clock: the pod maps the agreed wall-clock start to its clock once, so intervals within a request are exact
 * and requests of different pods line up as well as the nodes' wall clocks agree (NTP: typically under a millisecond).
 * A stamp that never came is null. {@code lead_ns} is how long before the agreed start the generator was ready (negative:
 * it was late, and its first requests left late). A record whose chunk stamps would pass the line limit keeps its
 * counts but drops the stamps, and says so in its message.
 */
public final class RecordLines {
  private RecordLines() {}

  /** The version prefix of every protocol line. */
  public static final String PREFIX = "genbench-load/1 ";

  /** The longest protocol line, in bytes (UTF-8), the prefix included. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  /** The first line: who this generator is and how early it was ready. */
  public record Hello(int generator, int generators, int target, int level, long leadNs) {}

  /** The last line: how many records came before it, the generator's CPU share (NaN: unmeasured), its transport, its end. */
  public record Done(long records, double generatorCpu, boolean nativeTransport, long endNs) {}

  public static String hello(Hello h) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("type", "hello");
    o.put("generator", h.generator());
    o.put("generators", h.generators());
    o.put("target", h.target());
    o.put("level", h.level());
    o.put("lead_ns", h.leadNs());
    return line(o);
  }

  public static String done(Done d) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("type", "done");
    o.put("records", d.records());
    if (Double.isFinite(d.generatorCpu())) o.put("generator_cpu", d.generatorCpu());
    else o.putNull("generator_cpu");
    o.put("native_transport", d.nativeTransport());
    o.put("end_ns", d.endNs());
    return line(o);
  }

  /** The record's line, its stamps relative to {@code startNs} (the agreed start on the same clock). */
  public static String record(RequestRecord r, long startNs) {
    ObjectNode o = recordNode(r, startNs, true);
    String line = line(o);
    if (line.getBytes(StandardCharsets.UTF_8).length <= MAX_LINE_BYTES) return line;
    ObjectNode cut = recordNode(r, startNs, false);
    cut.put("message", (r.message() == null ? "" : r.message() + "; ") + r.chunkNs().length
        + " chunk stamps dropped: the line passed " + MAX_LINE_BYTES + " bytes");
    return line(cut);
  }

  private static ObjectNode recordNode(RequestRecord r, long startNs, boolean chunks) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("type", "record");
    o.put("index", r.index());
    o.put("warmup", r.warmup());
    o.put("prompt", r.prompt());
    o.put("scheduled_ns", r.scheduledNs() - startNs);
    o.put("fired_ns", r.firedNs() - startNs);
    stamp(o, "sent_ns", r.sentNs(), startNs);
    stamp(o, "first_byte_ns", r.firstByteNs(), startNs);
    o.put("done_ns", r.doneNs() - startNs);
    if (r.error() == null) o.putNull("error");
    else o.put("error", r.error().label());
    o.put("http_status", r.httpStatus());
    o.put("images", r.images());
    o.put("output_tokens", r.outputTokens());
    o.put("tokens_counted", r.tokensCounted());
    var a = o.putArray("chunk_ns");
    if (chunks) for (long c : r.chunkNs()) a.add(c - startNs);
    if (r.message() == null) o.putNull("message");
    else o.put("message", r.message());
    if (r.serverQueueMs() == null) o.putNull("server_queue_ms");
    else o.put("server_queue_ms", r.serverQueueMs());
    if (r.serverComputeMs() == null) o.putNull("server_compute_ms");
    else o.put("server_compute_ms", r.serverComputeMs());
    return o;
  }

  private static void stamp(ObjectNode o, String key, long ns, long startNs) {
    if (ns == 0) o.putNull(key);
    else o.put(key, ns - startNs);
  }

  private static String line(ObjectNode o) {
    try {
      return PREFIX + Json.MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One line parsed: a {@link Hello}, a {@link RequestRecord}, a {@link Done}, or null when it is no protocol line. */
  public sealed interface Parsed {
    record HelloLine(Hello hello) implements Parsed {}

    record RecordLine(RequestRecord record) implements Parsed {}

    record DoneLine(Done done) implements Parsed {}
  }

  /**
   * Parses a protocol line; its stamps are placed at {@code baseNs} + the relative value (a missing stamp stays 0), and
   * {@code target} / {@code level} are set on records. Null for a line without the prefix (log); an
   * {@link IllegalArgumentException} naming the problem for a prefixed line that is not valid.
   */
  public static Parsed parse(String line, long baseNs, int target, int level) {
    if (!line.startsWith(PREFIX)) {
      if (line.startsWith("genbench-load/")) {
        throw new IllegalArgumentException("a line of another protocol version (" + line.substring(0, Math.min(line.length(), 20))
            + "...): this controller reads " + PREFIX.strip() + "; run the same genbench version in the generator image");
      }
      return null;
    }
    JsonNode o;
    try {
      o = Json.MAPPER.readTree(line.substring(PREFIX.length()));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a protocol line that is not JSON: " + e.getOriginalMessage());
    }
    if (o == null || !o.isObject()) throw new IllegalArgumentException("a protocol line that is not a JSON object");
    String type = o.path("type").asText("");
    return switch (type) {
      case "hello" -> new Parsed.HelloLine(new Hello(integer(o, "generator"), integer(o, "generators"), integer(o, "target"),
          integer(o, "level"), number(o, "lead_ns")));
      case "done" -> new Parsed.DoneLine(new Done(number(o, "records"), o.path("generator_cpu").isNumber()
          ? o.get("generator_cpu").asDouble() : Double.NaN, o.path("native_transport").asBoolean(), number(o, "end_ns")));
      case "record" -> new Parsed.RecordLine(record(o, baseNs, target, level));
      default -> throw new IllegalArgumentException("a protocol line of unknown type \"" + type + "\"");
    };
  }

  private static RequestRecord record(JsonNode o, long base, int target, int level) {
    List<Long> chunks = new ArrayList<>();
    for (JsonNode c : o.path("chunk_ns")) {
      if (!c.canConvertToLong()) throw new IllegalArgumentException("chunk_ns holds a value that is not a whole number");
      chunks.add(base + c.asLong());
    }
    String error = text(o, "error");
    ErrorKind kind = null;
    if (error != null) {
      for (ErrorKind k : ErrorKind.values()) if (k.label().equals(error)) kind = k;
      if (kind == null) throw new IllegalArgumentException("a record with unknown error \"" + error + "\"");
    }
    return new RequestRecord(target, level, integer(o, "index"), o.path("warmup").asBoolean(), integer(o, "prompt"),
        base + number(o, "scheduled_ns"), base + number(o, "fired_ns"), optionalStamp(o, "sent_ns", base),
        optionalStamp(o, "first_byte_ns", base), base + number(o, "done_ns"), kind, integer(o, "http_status"),
        integer(o, "images"), integer(o, "output_tokens"), o.path("tokens_counted").asBoolean(),
        chunks.stream().mapToLong(Long::longValue).toArray(), text(o, "message"), decimal(o, "server_queue_ms"),
        decimal(o, "server_compute_ms"));
  }

  private static long optionalStamp(JsonNode o, String key, long base) {
    return o.path(key).isNull() || o.path(key).isMissingNode() ? 0 : base + number(o, key);
  }

  private static long number(JsonNode o, String key) {
    JsonNode v = o.get(key);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) throw new IllegalArgumentException("a protocol line without a whole " + key);
    return v.asLong();
  }

  private static int integer(JsonNode o, String key) {
    long v = number(o, key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new IllegalArgumentException(key + " out of range: " + v);
    return (int) v;
  }

  private static String text(JsonNode o, String key) {
    JsonNode v = o.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Double decimal(JsonNode o, String key) {
    JsonNode v = o.get(key);
    return v == null || v.isNull() || !v.isNumber() ? null : v.asDouble();
  }
}
