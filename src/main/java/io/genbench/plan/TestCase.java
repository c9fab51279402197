package io.genbench.plan;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One cell of the test matrix: everything needed to reproduce one measurement, in groups: what one request computes
 * ({@link Workload}), how fast it may be made to run ({@link Knobs}), and what it asks of the machine ({@link Resources}).
 *
 * @param name a user-chosen id, or null to use the derived {@link #id()}
 * @param model the architecture
 * @param instanceType the requested cloud instance type, e.g. {@code g5.xlarge} (prices the run)
 * @param precision weights and activations
 * @param batchSize images (or sequences) per request, ≥ 1
 * @param workload a diffusion loop or an LLM's tokens; fits the model's family
 * @param knobs the optimisation knobs
 * @param resources GPUs and memory
 */
public record TestCase(String name, Model model, String instanceType, Precision precision, int batchSize, Workload workload,
    Knobs knobs, Resources resources) {

  public static final String DEFAULT_PROMPT = "a photo of an astronaut riding a horse on mars";

  public TestCase {
    requireNonNull(model, "model");
    requireNonNull(instanceType, "instanceType");
    requireNonNull(precision, "precision");
    requireNonNull(workload, "workload");
    requireNonNull(knobs, "knobs");
    requireNonNull(resources, "resources");
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    if (!workload.fits(model.family())) {
      throw new IllegalArgumentException(model.id() + " is " + (model.family().isDiffusion() ? "a diffusion model" : "an LLM")
          + ", not a model for a " + (workload instanceof Workload.Llm ? "token" : "diffusion") + " workload");
    }
    knobs.requireUsableBy(model);
  }

  /** Why an LLM case cannot have a diffusion UNet's knob, and what to write instead. */
  static String unusableKnob(String knob, Model model) {
    return Knobs.unusable(knob, model);
  }

  /** A diffusion case with every knob at its default. */
  public static TestCase diffusion(Model model, String instanceType, int batchSize, int steps, Resolution resolution, Precision precision) {
    return new TestCase(null, model, instanceType, precision, batchSize, Workload.Diffusion.of(model, steps, resolution),
        Knobs.DEFAULT, Resources.DEFAULT);
  }

  /** An LLM case with every knob at its default. */
  public static TestCase llm(Model model, String instanceType, int batchSize, Precision precision, int promptTokens, int outputTokens) {
    return new TestCase(null, model, instanceType, precision, batchSize, new Workload.Llm(promptTokens, outputTokens),
        Knobs.DEFAULT, Resources.DEFAULT);
  }

  /** This case under a name of the user's own. */
  public TestCase withName(String newName) {
    return new TestCase(newName, model, instanceType, precision, batchSize, workload, knobs, resources);
  }

  /** This case with other knobs. */
  public TestCase withKnobs(Knobs newKnobs) {
    return new TestCase(name, model, instanceType, precision, batchSize, workload, newKnobs, resources);
  }

  /** This case with another workload of the same kind. */
  public TestCase withWorkload(Workload newWorkload) {
    return new TestCase(name, model, instanceType, precision, batchSize, newWorkload, knobs, resources);
  }

  /** This case asking the machine for other resources. */
  public TestCase withResources(Resources newResources) {
    return new TestCase(name, model, instanceType, precision, batchSize, workload, knobs, newResources);
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
    List<String> afterAttention = new ArrayList<>();
    switch (workload) {
      case Workload.Diffusion d -> {
        parts.add("s" + d.steps());
        if (!d.resolution().equals(model.nativeResolution())) parts.add(d.resolution().toString());
        if (d.frames() != null && d.frames() != model.defaultFrames()) parts.add("f" + d.frames());
        if (d.scheduler() != Scheduler.EULER) afterAttention.add(d.scheduler().label());
        if (d.guidanceScale() != Workload.Diffusion.DEFAULT_GUIDANCE_SCALE) {
          afterAttention.add("g" + String.valueOf(d.guidanceScale()).replace('.', 'p'));
        }
      }
      case Workload.Llm l -> {
        parts.add("p" + l.promptTokens());
        parts.add("o" + l.outputTokens());
      }
    }
    parts.add(precision.label());
    parts.addAll(knobs.idParts(afterAttention));
    if (resources.gpus() != 1) parts.add("gpu" + resources.gpus());
    return String.join("-", parts);
  }

  /** The instance type as ids spell it: letters and digits only, e.g. {@code g5xlarge}. */
  public String instanceSlug() {
    return instanceType.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The diffusion workload, for code that runs only diffusion cases (the embedded ONNX backend, its calibration); an
   * LLM case there is a programming error, refused by that code's {@code cannotRun} before it gets here.
   */
  public Workload.Diffusion diffusion() {
    return switch (workload) {
      case Workload.Diffusion d -> d;
      case Workload.Llm l -> throw new IllegalStateException("case " + id() + " is an LLM case, not a diffusion case");
    };
  }

  /** Images one request produces: batch × frames for video; none for an LLM. */
  public int imagesPerRequest() {
    return switch (workload) {
      case Workload.Diffusion d -> d.imagesPerRequest(batchSize);
      case Workload.Llm l -> 0;
    };
  }
}
