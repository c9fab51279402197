package io.genbench.plan;

import java.util.List;

/**
 * The seed's five ways to build a matrix. Each has defaults for every dimension; any option the user gives
 * replaces that dimension's default.
 */
public enum Mode implements io.genbench.Labeled {
  COMPARISON("comparison",
      "varies models x instance types x batch sizes x precisions; holds steps (20), resolution (1024x1024), prompt and"
          + " the memory request/limit (12Gi/15Gi) fixed, so every difference comes from a varied dimension",
      List.of(Model.SD_2_1, Model.SDXL), List.of("g6e.xlarge", "g5.xlarge"), List.of(1, 4), List.of(20),
      List.of(new Resolution(1024, 1024)), List.of(Precision.FLOAT16, Precision.FLOAT32)),
  SDXL_ONLY("sdxl_only",
      "SDXL at its native 1024x1024, float16: varies batch sizes (1, 2, 4) and steps (20, 30) on g6e.xlarge, to size"
          + " an SDXL deployment",
      List.of(Model.SDXL), List.of("g6e.xlarge"), List.of(1, 2, 4), List.of(20, 30),
      List.of(new Resolution(1024, 1024)), List.of(Precision.FLOAT16)),
  SD_ONLY("sd_only",
      "SD 2.1, float16, 20 steps: varies resolution (512x512, 768x768) and batch size (1, 4) on g5.xlarge, to size a"
          + " standard-SD deployment",
      List.of(Model.SD_2_1), List.of("g5.xlarge"), List.of(1, 4), List.of(20),
      List.of(new Resolution(512, 512), new Resolution(768, 768)), List.of(Precision.FLOAT16)),
  INSTANCE_OPTIMIZED("instance_optimized",
      "per instance type, the models and batch sizes its GPU memory suits (16 GB: SD 2.1 only, batch 1-2; 24 GB:"
          + " SD 2.1 batch 1-4 and SDXL batch 1-2; 48 GB and up: SD 2.1 batch 1-8 and SDXL batch 1-4), float16, 20 steps,"
          + " each model at its native resolution: finds the cheapest instance per model",
      List.of(Model.SD_2_1, Model.SDXL), List.of("g6e.xlarge", "g5.xlarge", "g4dn.xlarge"), List.of(), List.of(20),
      List.of(), List.of(Precision.FLOAT16)),
  MIXED("mixed",
      "the default: SD 2.1 and SDXL, each at its native resolution (768x768, 1024x1024), batch 1, 20 steps, float16,"
          + " on g5.xlarge and g6e.xlarge: a quick overview",
      List.of(Model.SD_2_1, Model.SDXL), List.of("g5.xlarge", "g6e.xlarge"), List.of(1), List.of(20),
      List.of(), List.of(Precision.FLOAT16));

  private final String label;
  private final String description;
  final List<Model> models;
  final List<String> instanceTypes;
  final List<Integer> batchSizes;
  final List<Integer> steps;
  /** Empty: each model at its native resolution. */
  final List<Resolution> resolutions;
  final List<Precision> precisions;

  Mode(String label, String description, List<Model> models, List<String> instanceTypes, List<Integer> batchSizes,
      List<Integer> steps, List<Resolution> resolutions, List<Precision> precisions) {
    this.label = label;
    this.description = description;
    this.models = models;
    this.instanceTypes = instanceTypes;
    this.batchSizes = batchSizes;
    this.steps = steps;
    this.resolutions = resolutions;
    this.precisions = precisions;
  }

  public String label() {
    return label;
  }

  /** What the mode varies, what it holds fixed, and why. */
  public String description() {
    return description;
  }

  public static Mode parse(String value, String origin) {
    return io.genbench.Labeled.parse(Mode.class, value, "mode", origin);
  }

  /**
   * Batch sizes {@link #INSTANCE_OPTIMIZED} gives a model on a GPU of this much memory; empty when it does not fit.
   * The thresholds are the seed's instance guidance (g4dn: not for SDXL), not a measurement.
   */
  static List<Integer> batchSizesFor(Model model, double gpuMemoryGb) {
    boolean xl = model.family() == Family.SDXL || model.family() == Family.SVD;
    if (gpuMemoryGb >= 40) return xl ? List.of(1, 2, 4) : List.of(1, 4, 8);
    if (gpuMemoryGb >= 20) return xl ? List.of(1, 2) : List.of(1, 2, 4);
    if (gpuMemoryGb >= 12) return xl ? List.of() : List.of(1, 2);
    return List.of(1);
  }
}
