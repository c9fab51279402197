package io.genbench.plan;

import io.genbench.UserError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What {@code genbench plan} was asked for: a mode and the dimensions the user overrode (null = the mode's
 * default). {@link #cases(Function)} expands it into the cross product, validated.
 */
public record TestMatrix(
    Mode mode, List<String> models, List<String> instanceTypes, List<Integer> batchSizes, List<Integer> inferenceSteps,
    List<String> resolutions, List<String> precisions, String prompt, String memoryRequest, String memoryLimit,
    List<String> attentions, List<Toggle> cudaGraphs, List<Boolean> compile, List<Toggle> channelsLast,
    Integer frames, Integer promptTokens, Integer outputTokens) {

  private static final Pattern INSTANCE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9-]+|local");
  private static final Pattern QUANTITY = Pattern.compile("\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?");

  /** Only the mode: every dimension at its default. */
  public static TestMatrix of(Mode mode) {
    return new TestMatrix(mode, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * Expands the matrix.
   *
   * @param gpuMemoryGb GPU memory of an instance type, used by {@link Mode#INSTANCE_OPTIMIZED}
   * @throws UserError naming the option and the valid choices, for any bad value, duplicate or an empty result
   */
  public List<TestCase> cases(Function<String, OptionalDouble> gpuMemoryGb) {
    List<Model> ms = models == null ? mode.models : unique("--models", models).stream().map(m -> Model.parse(m, "--models")).toList();
    if (models != null) unique("--models", ms.stream().map(Model::id).toList());
    List<String> its = instanceTypes == null ? mode.instanceTypes : unique("--instance-types", instanceTypes);
    for (String it : its) {
      if (!INSTANCE.matcher(it).matches()) {
        throw new UserError("Bad instance type \"" + it + "\" (--instance-types): write it as AWS does, e.g. g5.xlarge, g6e.2xlarge, p5.48xlarge.");
      }
    }
    List<Integer> bs = batchSizes == null ? null : bounded("--batch-sizes", unique("--batch-sizes", batchSizes), Limits.MAX_BATCH_SIZE);
    List<Integer> st = inferenceSteps == null ? mode.steps
        : bounded("--inference-steps", unique("--inference-steps", inferenceSteps), Limits.MAX_STEPS);
    List<Resolution> rs = resolutions == null ? mode.resolutions
        : unique("--resolutions", resolutions).stream().map(r -> Resolution.parse(r, "--resolutions")).toList();
    if (resolutions != null) unique("--resolutions", rs.stream().map(Resolution::toString).toList());
    List<Precision> ps = precisions == null ? mode.precisions
        : unique("--precisions", precisions).stream().map(p -> Precision.parse(p, "--precisions")).toList();
    List<Attention> as = attentions == null ? List.of(Attention.SDPA)
        : unique("--attention", attentions).stream().map(a -> Attention.parse(a, "--attention")).toList();
    List<Toggle> gs = cudaGraphs == null ? List.of(Toggle.AUTO) : unique("--cuda-graphs", cudaGraphs);
    List<Boolean> cs = compile == null ? List.of(false) : unique("--compile", compile);
    List<Toggle> cls = channelsLast == null ? List.of(Toggle.AUTO) : unique("--channels-last", channelsLast);
    for (Model m : ms) {
      if (m.family().isDiffusion()) continue;
      if (cls.contains(Toggle.ON)) throw new UserError("Bad --channels-last on: " + TestCase.unusableKnob("channels_last", m).replace(
          "write channels_last auto or off", "plan the LLM without --channels-last on (auto or off), or apart from the diffusion models") + ".");
    }
    quantity("--comparison-memory-request", memoryRequest);
    quantity("--comparison-memory-limit", memoryLimit);
    String memReq = memoryRequest != null ? memoryRequest : mode == Mode.COMPARISON ? "12Gi" : null;
    String memLim = memoryLimit != null ? memoryLimit : mode == Mode.COMPARISON ? "15Gi" : null;
    if (prompt != null && prompt.isBlank()) throw new UserError("Empty --prompt: give a text prompt or leave the option out.");
    if (prompt != null && prompt.length() > Limits.MAX_PROMPT_CHARS) {
      throw new UserError("Bad --prompt: " + prompt.length() + " characters, more than " + Limits.MAX_PROMPT_CHARS + ".");
    }
    if (frames != null) Limits.require("--frames", frames, 1, Limits.MAX_FRAMES, "genbench plan");
    if (promptTokens != null) Limits.require("--prompt-tokens", promptTokens, 1, Limits.MAX_TOKENS, "genbench plan");
    if (outputTokens != null) Limits.require("--output-tokens", outputTokens, 1, Limits.MAX_TOKENS, "genbench plan");

    Map<String, TestCase> byId = new LinkedHashMap<>();
    for (Model m : ms) {
      for (String it : its) {
        for (int b : batchSizesFor(m, it, bs, gpuMemoryGb)) {
          for (int s : m.family().isDiffusion() ? st : List.of(1)) {
            for (Resolution r : rs.isEmpty() || !m.family().isDiffusion() ? List.of(m.nativeResolution()) : rs) {
              for (Precision p : ps) {
                for (Attention a : as) {
                  for (Toggle g : gs) {
                    for (boolean c : cs) {
                      for (Toggle cl : cls) {
                        Workload w = m.family().isDiffusion()
                            ? new Workload.Diffusion(s, r, m.family() == Family.SVD ? (frames == null ? m.defaultFrames() : frames) : null,
                                Workload.Diffusion.DEFAULT_GUIDANCE_SCALE, Scheduler.EULER, prompt == null ? TestCase.DEFAULT_PROMPT : prompt)
                            : new Workload.Llm(promptTokens == null ? Workload.Llm.DEFAULT_PROMPT_TOKENS : promptTokens,
                                outputTokens == null ? Workload.Llm.DEFAULT_OUTPUT_TOKENS : outputTokens);
                        TestCase tc = new TestCase(null, m, it, p, b, w, new Knobs(a, g, c, cl), new Resources(1, memReq, memLim));
                        byId.putIfAbsent(tc.id(), tc);
                        if (byId.size() > Limits.MAX_CASES) {
                          throw new UserError("The matrix has more than " + Limits.MAX_CASES + " cases (days of GPU time):"
                              + " give fewer values, or write several plans.");
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    if (byId.isEmpty()) {
      throw new UserError("The matrix of mode " + mode.label() + " is empty: no model fits the GPU memory of "
          + String.join(", ", its) + ". Give --batch-sizes, or other --models / --instance-types.");
    }
    return new ArrayList<>(byId.values());
  }

  private List<Integer> batchSizesFor(Model m, String instanceType, List<Integer> bs, Function<String, OptionalDouble> gpuMemoryGb) {
    if (bs != null) return bs;
    if (mode != Mode.INSTANCE_OPTIMIZED) return mode.batchSizes;
    OptionalDouble mem = gpuMemoryGb.apply(instanceType);
    if (mem.isEmpty()) {
      throw new UserError("Mode instance_optimized needs the GPU memory of \"" + instanceType + "\" (--instance-types), and the"
          + " price catalog does not know it: give --batch-sizes, or use a GPU instance type of the catalog (genbench price --list).");
    }
    return Mode.batchSizesFor(m, mem.getAsDouble());
  }

  private static <T> List<T> unique(String option, List<T> values) {
    if (values.isEmpty()) throw new UserError("Option " + option + " was given no values.");
    Set<T> seen = new HashSet<>();
    for (T v : values) {
      if (!seen.add(v)) throw new UserError("Duplicate value \"" + v + "\" in " + option + ": give each value once.");
    }
    return values;
  }

  private static List<Integer> bounded(String option, List<Integer> values, int max) {
    for (int v : values) {
      if (v < 1 || v > max) throw new UserError("Bad value " + v + " in " + option + ": must be an integer from 1 to " + max + ".");
    }
    return values;
  }

  static void quantity(String option, String value) {
    if (value != null && !QUANTITY.matcher(value).matches()) {
      throw new UserError("Bad memory quantity \"" + value + "\" (" + option + "): write it as Kubernetes does, e.g. 12Gi, 15Gi, 16000Mi.");
    }
  }
}
