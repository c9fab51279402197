package io.genbench.execute;

import io.genbench.plan.Family;
import io.genbench.plan.Workload;
import io.genbench.plan.Precision;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import java.util.Locale;
import java.util.Map;

/**
 * The PyTorch worker's cost model where nothing ran here before: only rough. A denoising step of SD 2.1's UNet with
 * classifier-free guidance costs {@value #H100_S_PER_PIXEL} s per image pixel (batch × width × height) at float16 on
 * an H100 (34.9 ms at 1024² batch 1, 122 ms at batch 4: bench/example-h100-seed000), at least
 * {@value #FLOOR_STEP_S} s (a launch-bound small shape); SDXL's UNet × 1.25, SVD × 1.5 per frame; float32 × 5.5 (no TF32
 * on the tensor cores); the decoder {@value #DECODE_S_PER_PIXEL} s per pixel. Other GPUs scale by a relative speed
 * (below); an unknown GPU counts {@value #UNKNOWN_GPU}, the CPU {@value #CPU}. An LLM request costs
 * {@value #TOKEN_S} s per output token. Worker start {@value #START_S} s, a model build
 * {@value #BUILD_S} s (SDXL twice), and around each case a profiled iteration, FLOP counting and CUDA-graph capture:
 * {@value #OTHER_S} s + 2 iterations.
 */
public final class RateTable implements Estimator.CostModel {
  static final double H100_S_PER_PIXEL = 3.1e-8;
  static final double FLOOR_STEP_S = 0.006;
  static final double DECODE_S_PER_PIXEL = 1.0e-7;
  static final double TOKEN_S = 0.012;
  static final double START_S = 15;
  static final double BUILD_S = 7;
  static final double OTHER_S = 3;
  static final double UNKNOWN_GPU = 0.3;
  static final double CPU = 0.003;
  /** Speed relative to an H100 SXM for diffusion at half precision, by a part of the device name. */
  static final Map<String, Double> SPEED = Map.ofEntries(Map.entry("H200", 1.05), Map.entry("H100", 1.0),
      Map.entry("B200", 1.8), Map.entry("A100", 0.55), Map.entry("L40S", 0.45), Map.entry("A10G", 0.15),
      Map.entry("A10", 0.16), Map.entry("L4", 0.13), Map.entry("T4", 0.07), Map.entry("V100", 0.2));

  /** The GPU of common AWS instance families, by the type's prefix (before the dot). */
  static final Map<String, String> INSTANCE_GPU = Map.ofEntries(Map.entry("g4dn", "T4"), Map.entry("g5", "A10G"),
      Map.entry("g6", "L4"), Map.entry("g6e", "L40S"), Map.entry("p4d", "A100"), Map.entry("p4de", "A100"),
      Map.entry("p5", "H100"), Map.entry("p5e", "H200"), Map.entry("p5en", "H200"));

  private final String device;
  private final double speed;
  private final boolean byInstance;

  /** @param device the GPU's name ({@code nvidia-smi}), or null when the worker will run on the CPU */
  public RateTable(String device) {
    this(device, false);
  }

  private RateTable(String device, boolean byInstance) {
    this.device = device;
    this.speed = speed(device);
    this.byInstance = byInstance;
  }

  /** For cases that run on the instance type they name (a Kubernetes cluster): each at its type's GPU. */
  public static RateTable byInstanceType() {
    return new RateTable("the GPU of each case's instance type", true);
  }

  private double speedFor(TestCase c) {
    if (!byInstance) return speed;
    String family = c.instanceType().contains(".") ? c.instanceType().substring(0, c.instanceType().indexOf('.')) : c.instanceType();
    String gpu = INSTANCE_GPU.get(family);
    return gpu == null ? UNKNOWN_GPU : speed(gpu);
  }

  static double speed(String device) {
    if (device == null) return CPU;
    String up = device.toUpperCase(Locale.ROOT);
    // longest name first, so "A100" is not read as "A10"
    return SPEED.entrySet().stream().sorted((a, b) -> b.getKey().length() - a.getKey().length())
        .filter(e -> up.contains(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(UNKNOWN_GPU);
  }

  @Override
  public double e2eS(TestCase c) {
    double speed = speedFor(c);
    double precision = c.precision() == Precision.FLOAT32 ? 5.5 : 1;
    return switch (c.workload()) {
      case Workload.Llm l -> l.outputTokens() * TOKEN_S * precision / Math.min(1, speed * 2);
      case Workload.Diffusion d -> {
        double pixels = c.batchSize() * (double) d.resolution().width() * d.resolution().height();
        double model = c.model().family() == Family.SDXL ? 1.25 : c.model().family() == Family.SVD ? 1.5 : 1;
        double frames = d.frames() == null ? 1 : Math.max(1, d.frames());
        double step = Math.max(FLOOR_STEP_S, H100_S_PER_PIXEL * pixels * model * frames * precision / speed);
        yield d.steps() * step + DECODE_S_PER_PIXEL * pixels * frames / speed;
      }
    };
  }

  @Override
  public double startS() {
    return START_S;
  }

  @Override
  public double buildS(TestCase c) {
    return c.model().family() == Family.SDXL ? 2 * BUILD_S : BUILD_S;
  }

  @Override
  public double otherS(TestCase c, double e2eS) {
    return OTHER_S + 2 * e2eS;
  }

  @Override
  public int steadyAfter(Settings s) {
    return Settings.STEADY_WINDOW;
  }

  @Override
  public Estimator.Source source() {
    return Estimator.Source.ROUGH;
  }

  @Override
  public String basis() {
    if (byInstance) return "rate table, " + device;
    return String.format(Locale.ROOT, "rate table, %s at %.2f x an H100", device == null ? "CPU" : device, speed);
  }
}
