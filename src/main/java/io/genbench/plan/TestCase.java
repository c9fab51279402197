package io.genbench.plan;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One cell of the test matrix: everything needed to reproduce one measurement.
 *
 * @param name a user-chosen id, or null to use the derived {@link #id()}
 * @param model the architecture
 * @param instanceType the requested cloud instance type, e.g. {@code g5.xlarge} (prices the run)
 * @param batchSize images (or sequences) per request, ≥ 1
 * @param steps denoising steps, ≥ 1 (LLM cases: 1)
 * @param resolution image size (LLM cases: ignored)
 * @param precision weights and activations
 * @param prompt the text prompt
 * @param guidanceScale classifier-free guidance; above 1 doubles the UNet batch
 * @param scheduler the noise scheduler
 * @param attention attention kernel
 * @param cudaGraphs capture the UNet in a CUDA graph (AUTO: the worker decides per device)
 * @param compile {@code torch.compile} the UNet
 * @param channelsLast NHWC memory format for the UNet (AUTO: the worker decides per device)
 * @param frames video frames (SVD), else null
 * @param promptTokens LLM prefill length, else null
 * @param outputTokens LLM generated tokens, else null
 * @param memoryRequest Kubernetes memory request (e.g. {@code 12Gi}), or null
 * @param memoryLimit Kubernetes memory limit, or null
 * @param gpus GPUs the case uses, ≥ 1
 */
public record TestCase(
    String name, Model model, String instanceType, int batchSize, int steps, Resolution resolution, Precision precision,
    String prompt, double guidanceScale, Scheduler scheduler, Attention attention, Toggle cudaGraphs, boolean compile,
    Toggle channelsLast, Integer frames, Integer promptTokens, Integer outputTokens, String memoryRequest,
    String memoryLimit, int gpus) {

  public static final String DEFAULT_PROMPT = "a photo of an astronaut riding a horse on mars";

  public TestCase {
    requireNonNull(model, "model");
    requireNonNull(instanceType, "instanceType");
    requireNonNull(resolution, "resolution");
    requireNonNull(precision, "precision");
    requireNonNull(prompt, "prompt");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(attention, "attention");
    requireNonNull(cudaGraphs, "cudaGraphs");
    requireNonNull(channelsLast, "channelsLast");
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    if (gpus < 1) throw new IllegalArgumentException("gpus must be >= 1, was " + gpus);
    if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
      throw new IllegalArgumentException("guidance_scale must be a number >= 0, was " + guidanceScale);
    }
    if (frames != null && frames < 1) throw new IllegalArgumentException("frames must be >= 1, was " + frames);
    if (promptTokens != null && promptTokens < 1) throw new IllegalArgumentException("prompt_tokens must be >= 1, was " + promptTokens);
    if (outputTokens != null && outputTokens < 1) throw new IllegalArgumentException("output_tokens must be >= 1, was " + outputTokens);
    if (prompt.isBlank()) throw new IllegalArgumentException("prompt must not be empty");
    if (!model.family().isDiffusion()) {
      // knobs of the diffusion UNet: the worker refuses them for an LLM only after building the model
      if (cudaGraphs == Toggle.ON) throw new IllegalArgumentException(unusableKnob("cuda_graphs", model));
      if (channelsLast == Toggle.ON) throw new IllegalArgumentException(unusableKnob("channels_last", model));
    }
  }

  /** Why an LLM case cannot have a diffusion UNet's knob, and what to write instead. */
  static String unusableKnob(String knob, Model model) {
    return knob + " on applies to a diffusion UNet; " + model.id() + " is an LLM, whose decoding cannot use it: write "
        + knob + " auto or off";
  }

  /** A diffusion case with every knob at its default. */
  public static TestCase diffusion(Model model, String instanceType, int batchSize, int steps, Resolution resolution, Precision precision) {
    return new TestCase(null, model, instanceType, batchSize, steps, resolution, precision, DEFAULT_PROMPT, 7.5,
        Scheduler.EULER, Attention.SDPA, Toggle.AUTO, false, Toggle.AUTO, model.defaultFrames() > 0 ? model.defaultFrames() : null,
        null, null, null, null, 1);
  }

  /**
   * Stable, readable id for directories and report rows, e.g. {@code sd-2-1-g5xlarge-b1-s20-float16}. Parts that
   * are at their default are left out, so ids stay short; any part that differs is spelled out, so ids stay unique.
   */
  public String id() {
    if (name != null) return name;
    List<String> parts = new ArrayList<>();
    parts.add(model.slug());
    parts.add(instanceSlug());
    parts.add("b" + batchSize);
    if (model.family().isDiffusion()) {
      parts.add("s" + steps);
      if (!resolution.equals(model.nativeResolution())) parts.add(resolution.toString());
      if (frames != null && frames != model.defaultFrames()) parts.add("f" + frames);
    } else {
      parts.add("p" + promptTokens);
      parts.add("o" + outputTokens);
    }
    parts.add(precision.label());
    if (attention != Attention.SDPA) parts.add(attention.label());
    if (scheduler != Scheduler.EULER) parts.add(scheduler.label());
    if (guidanceScale != 7.5) parts.add("g" + String.valueOf(guidanceScale).replace('.', 'p'));
    if (cudaGraphs != Toggle.AUTO) parts.add(cudaGraphs == Toggle.ON ? "graphs" : "nographs");
    if (compile) parts.add("compile");
    if (channelsLast != Toggle.AUTO) parts.add(channelsLast == Toggle.ON ? "cl" : "nocl");
    if (gpus != 1) parts.add("gpu" + gpus);
    return String.join("-", parts);
  }

  /** The instance type as ids spell it: letters and digits only, e.g. {@code g5xlarge}. */
  public String instanceSlug() {
    return instanceType.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT);
  }

  /** Images one request produces: batch × frames for video. */
  public int imagesPerRequest() {
    return batchSize * (frames == null ? 1 : frames);
  }
}
