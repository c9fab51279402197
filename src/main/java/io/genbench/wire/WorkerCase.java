package io.genbench.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CASE object of the worker protocol (protocol/PROTOCOL.md): one case as the worker receives it in its job and as
 * the {@code case} event stores it, group for group the Python {@code Case}: the case's own fields, what one request
 * computes ({@code workload}), the optimisation {@code knobs}, how it is measured ({@code measure}), and how the worker
 * builds the model. Written in this order, nulls included.
 *
 * <p>{@link #read} is the one reader: it reads this nested form and the flat form every {@code case} event of a run
 * before the groups holds (stored run directories are rebuilt from their events).
 *
 * @param id the case id
 * @param model the model id
 * @param instanceType the requested instance type
 * @param precision {@code float32|float16|bfloat16}
 * @param batchSize images (or sequences) per request, ≥ 1
 * @param workload what one request computes
 * @param knobs the knobs by their protocol names ({@code attention}, {@code cuda_graphs}, {@code compile},
 *     {@code channels_last}; a toggle is {@code "auto"}, true or false), as the plan's {@code Knobs} spells them: the
 *     controller passes them through, the worker's {@code Knobs} dataclass types and checks them
 * @param measure warm-up, iterations, the stop rule and the seed
 * @param weights local weights path, or null for random weights
 * @param saveImages folder for PNGs, or null
 * @param tiny build the architecture's tiny configuration (tests and smoke runs)
 * @param backend what runs the case: {@code torch}, {@code diffusers} (the worker's two), or the in-JVM backend's name
 */
@JsonPropertyOrder({"id", "model", "instance_type", "precision", "batch_size", "workload", "knobs", "measure", "weights",
    "save_images", "tiny", "backend"})
public record WorkerCase(String id, String model, String instanceType, String precision, int batchSize, Workload workload,
    Map<String, Object> knobs, Measure measure, String weights, String saveImages, boolean tiny, String backend) {

  public WorkerCase {
    knobs = knobs == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(knobs));
  }

  /** What one request computes; {@code kind} names it on the wire. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({@JsonSubTypes.Type(value = Diffusion.class, name = "diffusion"), @JsonSubTypes.Type(value = Llm.class, name = "llm")})
  public sealed interface Workload {}

  /**
   * A denoising loop.
   *
   * @param steps denoising steps, ≥ 1
   * @param width image width in pixels
   * @param height image height in pixels
   * @param frames video frames, or null
   * @param guidanceScale classifier-free guidance, ≥ 0
   * @param scheduler {@code euler|ddim}
   * @param prompt the text prompt
   */
  public record Diffusion(int steps, int width, int height, Integer frames, double guidanceScale, String scheduler, String prompt)
      implements Workload {
    /** Images one request produces: batch × frames for video. */
    public int imagesPerRequest(int batchSize) {
      return batchSize * (frames == null ? 1 : frames);
    }
  }

  /**
   * An LLM's prefill and decode.
   *
   * @param promptTokens prefill length
   * @param outputTokens generated tokens
   * @param flatSteps the {@code inference_steps} a flat {@code case} event gave an LLM case (a diffusion default it never
   *     used; its result files show it, so stored runs rebuild as they were); null in the nested form, never written
   */
  @JsonPropertyOrder({"prompt_tokens", "output_tokens"})
  public record Llm(int promptTokens, int outputTokens, @JsonIgnore Integer flatSteps) implements Workload {
    public Llm(int promptTokens, int outputTokens) {
      this(promptTokens, outputTokens, null);
    }

    @JsonIgnore
    @Override
    public Integer flatSteps() {
      return flatSteps;
    }
  }

  /**
   * How the case is measured (PROTOCOL.md, "When measuring stops").
   *
   * @param warmupIterations warm-up iterations at least
   * @param maxWarmupIterations warm-up iterations at most
   * @param maxWarmupS warm-up seconds at most
   * @param steadyTolerance steady-state tolerance, a fraction
   * @param steadyWindow warm-up iterations that must agree
   * @param minIterations measured iterations at least
   * @param maxIterations measured iterations at most
   * @param minDurationS measure for at least this many seconds
   * @param targetCiPct measure on until the 95 % interval of the median e2e is within ± this many %; null in event logs
   *     from before it existed, whose verdicts use the older rule
   * @param maxMeasureS seconds of measured iterations at most (the minimum count always runs); null in older logs
   * @param seed RNG seed
   */
  public record Measure(int warmupIterations, int maxWarmupIterations, double maxWarmupS, double steadyTolerance,
      int steadyWindow, int minIterations, int maxIterations, double minDurationS, Double targetCiPct, Double maxMeasureS,
      long seed) {}

  /** Images one request produces: batch × frames for video; none for an LLM. */
  public int imagesPerRequest() {
    return switch (workload) {
      case Diffusion d -> d.imagesPerRequest(batchSize);
      case Llm l -> 0;
    };
  }

  /** Reads a CASE object: the nested form, or the flat one of {@code case} events before the groups. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static WorkerCase read(JsonNode n) {
    if (n == null || !n.isObject()) throw new IllegalArgumentException("a CASE is a JSON object, was " + n);
    if (n.has("workload")) {
      return new WorkerCase(text(n, "id"), text(n, "model"), text(n, "instance_type"), text(n, "precision"),
          n.path("batch_size").asInt(), workload(n.get("workload")), knobs(n.get("knobs")), measure(n.get("measure")),
          text(n, "weights"), text(n, "save_images"), n.path("tiny").asBoolean(), text(n, "backend"));
    }
    // the flat form: every field at the top, both workloads' fields in every case (null where the other kind's)
    Workload workload = isNull(n, "output_tokens")
        ? new Diffusion(n.path("inference_steps").asInt(), n.path("width").asInt(), n.path("height").asInt(),
            integer(n, "frames"), n.path("guidance_scale").asDouble(), text(n, "scheduler"), text(n, "prompt"))
        : new Llm(n.path("prompt_tokens").asInt(), n.path("output_tokens").asInt(), n.path("inference_steps").asInt());
    Map<String, Object> knobs = new LinkedHashMap<>();
    for (String k : new String[] {"attention", "cuda_graphs", "compile", "channels_last"}) {
      if (n.has(k)) knobs.put(k, scalar(n.get(k)));
    }
    return new WorkerCase(text(n, "id"), text(n, "model"), text(n, "instance_type"), text(n, "precision"),
        n.path("batch_size").asInt(), workload, knobs, measure(n), text(n, "weights"), text(n, "save_images"),
        n.path("tiny").asBoolean(), text(n, "backend"));
  }

  private static Workload workload(JsonNode w) {
    String kind = w == null ? null : text(w, "kind");
    if ("diffusion".equals(kind)) {
      return new Diffusion(w.path("steps").asInt(), w.path("width").asInt(), w.path("height").asInt(), integer(w, "frames"),
          w.path("guidance_scale").asDouble(), text(w, "scheduler"), text(w, "prompt"));
    }
    if ("llm".equals(kind)) return new Llm(w.path("prompt_tokens").asInt(), w.path("output_tokens").asInt());
    throw new IllegalArgumentException("unknown workload kind " + kind + "; known: diffusion, llm");
  }

  private static Measure measure(JsonNode m) {
    if (m == null || !m.isObject()) throw new IllegalArgumentException("a CASE needs its measure group");
    return new Measure(m.path("warmup_iterations").asInt(), m.path("max_warmup_iterations").asInt(),
        m.path("max_warmup_s").asDouble(), m.path("steady_tolerance").asDouble(), m.path("steady_window").asInt(),
        m.path("min_iterations").asInt(), m.path("max_iterations").asInt(), m.path("min_duration_s").asDouble(),
        number(m, "target_ci_pct"), number(m, "max_measure_s"), m.path("seed").asLong());
  }

  private static Map<String, Object> knobs(JsonNode k) {
    Map<String, Object> knobs = new LinkedHashMap<>();
    if (k != null) k.fields().forEachRemaining(e -> knobs.put(e.getKey(), scalar(e.getValue())));
    return knobs;
  }

  private static Object scalar(JsonNode v) {
    return v.isBoolean() ? (Object) v.booleanValue() : v.isNull() ? null : v.isNumber() ? v.numberValue() : v.asText();
  }

  private static boolean isNull(JsonNode n, String field) {
    return n.get(field) == null || n.get(field).isNull();
  }

  private static String text(JsonNode n, String field) {
    return isNull(n, field) ? null : n.get(field).asText();
  }

  private static Integer integer(JsonNode n, String field) {
    return isNull(n, field) ? null : n.get(field).asInt();
  }

  private static Double number(JsonNode n, String field) {
    return isNull(n, field) ? null : n.get(field).asDouble();
  }
}
