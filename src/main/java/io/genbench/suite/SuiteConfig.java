package io.genbench.suite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.InputFile;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's configuration file ({@code genbench suite … --config suite.yaml}), seed 002's config.ini as YAML.
 * Validated strictly: an unknown key, a wrong type or a value out of range is a {@link UserError} (exit 2) naming
 * the key and the valid ones. Every key is optional; what is absent keeps the experiment's default.
 *
 * <pre>
 * models: [facebook/opt-125m, facebook/opt-1.3b]   # seq-scaling (each); tp and pp-overhead use the last
 * sequence_lengths: [128, 256, 512, 1024, 2048, 4096]
 * batch_sizes: [1, 2, 4, 8, 16, 32]                # seq-scaling; tp runs at each
 * samples: 5                                       # measured iterations per cell / per size
 * </pre>
 */
public record SuiteConfig(ObjectNode values, Settings settings) {

  /** The keys typed, read once after validation; null where the file leaves a key out. */
  public record Settings(List<String> models, List<Integer> sequenceLengths, List<Integer> batchSizes, Integer samples,
      Integer outputTokens, Integer warmup, List<Integer> tpSizes, List<Integer> microBatches, List<Integer> gpuCounts,
      Integer totalSteps, Integer numSamples, Long minBytes, Long maxBytes, String precision, Long seed) {

    /** {@code value}, or {@code otherwise} where the file leaves the key out. */
    public static <T> T or(T value, T otherwise) {
      return value != null ? value : otherwise;
    }
  }

  /** Key → what it holds (the message on a wrong value names it). */
  public static final Map<String, String> KEYS = keys();

  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("models", "list of model ids");
    k.put("sequence_lengths", "list of integers >= 1");
    k.put("batch_sizes", "list of integers >= 1");
    k.put("samples", "integer >= 1");
    k.put("output_tokens", "integer >= 1");
    k.put("warmup", "integer >= 0");
    k.put("tp_sizes", "list of integers >= 1");
    k.put("micro_batches", "list of integers >= 1");
    k.put("gpu_counts", "list of integers >= 1");
    k.put("total_steps", "integer >= 1");
    k.put("num_samples", "integer >= 1");
    k.put("min_bytes", "integer >= 1");
    k.put("max_bytes", "integer >= 1");
    k.put("precision", "float16 | bfloat16 | float32");
    k.put("seed", "integer >= 0");
    return Map.copyOf(k);
  }

  private static final List<String> ORDER = List.of("models", "sequence_lengths", "batch_sizes", "samples", "output_tokens",
      "warmup", "tp_sizes", "micro_batches", "gpu_counts", "total_steps", "num_samples", "min_bytes", "max_bytes",
      "precision", "seed");

  public static SuiteConfig empty() {
    return of(Json.MAPPER.createObjectNode());
  }

  /** A suite config is a few lines; anything larger is not one. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  public static SuiteConfig read(Path file) {
    byte[] bytes = InputFile.read(file, "Suite config (--config)", MAX_FILE_BYTES);
    JsonNode root;
    try {
      // a key given twice is an error, not "the last wins"
      root = Json.YAML.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      String message = String.valueOf(e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
      String line = e instanceof JsonProcessingException j && j.getLocation() != null ? " line " + j.getLocation().getLineNr() : "";
      var dup = java.util.regex.Pattern.compile("Duplicate field '([^']*)'").matcher(message);
      if (dup.find()) {
        throw new UserError("Duplicate key \"" + dup.group(1) + "\" (" + file + line + "): give each key once (otherwise the"
            + " last would silently win).");
      }
      throw new UserError("Cannot read suite config " + file + line + ": " + message.lines().findFirst().orElse("")
          + ". It is YAML: one key per line, e.g. \"samples: 5\".");
    }
    return parse(root, file.toString());
  }

  public static SuiteConfig parse(JsonNode root, String source) {
    if (root == null || root.isMissingNode() || root.isNull()) return empty();
    if (!(root instanceof ObjectNode o)) throw new UserError(source + ": expected a mapping of keys, e.g. \"samples: 5\"");
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      var f = it.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      if (!KEYS.containsKey(key)) {
        throw new UserError("Unknown key \"" + key + "\" in " + source + ". Valid keys: " + String.join(", ", ORDER) + ".");
      }
      String want = KEYS.get(key);
      boolean ok = switch (key) {
        case "models" -> v.isArray() && !v.isEmpty() && all(v, e -> e.isTextual() && !e.asText().isBlank());
        case "sequence_lengths", "batch_sizes", "tp_sizes", "micro_batches", "gpu_counts" ->
            v.isArray() && !v.isEmpty() && all(v, e -> e.canConvertToInt() && e.isIntegralNumber() && e.asInt() >= 1);
        case "warmup", "seed" -> v.isIntegralNumber() && v.asLong() >= 0;
        case "precision" -> v.isTextual() && List.of("float16", "bfloat16", "float32").contains(v.asText());
        default -> v.isIntegralNumber() && v.asLong() >= 1;
      };
      if (!ok) throw new UserError(source + ": \"" + key + "\" must be a " + want + ", was " + v);
    }
    checkSettings(o, source);
    return of(o.deepCopy());
  }

  private static SuiteConfig of(ObjectNode values) {
    try {
      return new SuiteConfig(values, Json.MAPPER.treeToValue(values, Settings.class));
    } catch (JsonProcessingException e) { // parse() checked every key's type and range first
      throw new IllegalStateException("a validated suite config does not bind: " + e.getOriginalMessage(), e);
    }
  }

  /** The largest message a collective or copy may move: 16 GiB (the GPU default sweep ends at 1 GiB). */
  public static final long MAX_MESSAGE_BYTES = 16L << 30;

  /** Integer settings an experiment's worker reads, with their valid range (inclusive). */
  private static final Map<String, long[]> RANGES = Map.ofEntries(
      Map.entry("iterations", new long[] {1, 1_000_000}), Map.entry("warmup", new long[] {0, 100_000}),
      Map.entry("samples", new long[] {1, 1_000_000}), Map.entry("num_samples", new long[] {1, 100_000}),
      Map.entry("min_bytes", new long[] {1, MAX_MESSAGE_BYTES}), Map.entry("max_bytes", new long[] {1, MAX_MESSAGE_BYTES}),
      Map.entry("factor", new long[] {2, 1 << 20}), Map.entry("total_steps", new long[] {1, 10_000}),
      Map.entry("micro_batches", new long[] {1, 4096}), Map.entry("batch_size", new long[] {1, 65_536}),
      Map.entry("output_tokens", new long[] {1, 1_000_000}), Map.entry("seed", new long[] {0, Long.MAX_VALUE}));

  /**
   * The settings one launch would hand the worker, checked before anything starts (a worker that fails on them would
   * exit 3 after a launch; measuring nothing would report success): each known integer within its range, and
   * {@code min_bytes} at most {@code max_bytes}.
   *
   * @param origin where they came from, e.g. {@code suite.yaml} or {@code the options and --set}
   * @throws UserError naming the key, its value and the valid range
   */
  public static void checkSettings(JsonNode settings, String origin) {
    for (var range : RANGES.entrySet()) {
      JsonNode v = settings.get(range.getKey());
      if (v == null) continue;
      long lo = range.getValue()[0];
      long hi = range.getValue()[1];
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < lo || v.asLong() > hi) {
        throw new UserError("Bad value for \"" + range.getKey() + "\" (" + origin + "): " + v + "; valid: an integer from " + lo
            + " to " + (hi == Long.MAX_VALUE ? "2^63-1" : String.valueOf(hi)) + (range.getKey().endsWith("_bytes")
            ? " (" + (hi >> 30) + " GiB)" : "") + ".");
      }
    }
    JsonNode min = settings.get("min_bytes");
    JsonNode max = settings.get("max_bytes");
    if (min != null && max != null && min.asLong() > max.asLong()) {
      throw new UserError("min_bytes " + min.asLong() + " is larger than max_bytes " + max.asLong() + " (" + origin + "): no"
          + " message size would be measured. Give min_bytes <= max_bytes.");
    }
  }

  private static boolean all(JsonNode array, java.util.function.Predicate<JsonNode> p) {
    for (JsonNode e : array) if (!p.test(e)) return false;
    return true;
  }

  /** Whether the file gives {@code key} (a wire name the worker reads too, passed through as given). */
  public boolean has(String key) {
    return values.has(key);
  }

  /** The value the file gives {@code key}, as given, for passing on to the worker; null where it gives none. */
  public JsonNode get(String key) {
    return values.get(key);
  }
}
