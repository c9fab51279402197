package io.genbench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
public record SuiteConfig(ObjectNode values) {

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
    return new SuiteConfig(Json.MAPPER.createObjectNode());
  }

  public static SuiteConfig read(Path file) {
    JsonNode root;
    try {
      root = Json.YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UserError("Cannot read suite config " + file + ": " + e.getMessage());
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
    return new SuiteConfig(o.deepCopy());
  }

  private static boolean all(JsonNode array, java.util.function.Predicate<JsonNode> p) {
    for (JsonNode e : array) if (!p.test(e)) return false;
    return true;
  }

  public boolean has(String key) {
    return values.has(key);
  }

  public JsonNode get(String key) {
    return values.get(key);
  }

  public List<Integer> ints(String key, List<Integer> otherwise) {
    if (!has(key)) return otherwise;
    List<Integer> out = new ArrayList<>();
    values.get(key).forEach(e -> out.add(e.asInt()));
    return out;
  }

  public List<String> strings(String key, List<String> otherwise) {
    if (!has(key)) return otherwise;
    List<String> out = new ArrayList<>();
    values.get(key).forEach(e -> out.add(e.asText()));
    return out;
  }
}
