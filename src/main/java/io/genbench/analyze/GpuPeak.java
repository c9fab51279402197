package io.genbench.analyze;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A GPU's dense (no sparsity) tensor-core peak for 16-bit floating point and its memory bandwidth, from NVIDIA's
 * datasheets, to turn a FLOP or byte count into MFU / MBU. A GPU not in the table gets no MFU: a guessed peak would
 * make a wrong figure look exact. Float32 cases get none either: PyTorch runs their convolutions in TF32 on tensor
 * cores and their matrix multiplications in IEEE FP32, so no single peak describes them. The A10G is left out: NVIDIA
 * publishes no tensor-core figure for it (it is not the A10).
 *
 * @param name the GPU as the table names it
 * @param fp16Tflops dense FP16 tensor TFLOPS (FP32 accumulate where the datasheet distinguishes)
 * @param bf16Tflops dense BF16 tensor TFLOPS, or null where the GPU has no BF16
 * @param memoryTbPerS memory bandwidth, TB/s (10¹² bytes per second)
 * @param source the datasheet
 */
public record GpuPeak(String name, double fp16Tflops, Double bf16Tflops, double memoryTbPerS, String source) {

  /** Most specific first: a device name is matched against each entry's tokens in order. */
  private static final List<Entry> TABLE = List.of(
      new Entry(List.of("h200", "nvl"), new GpuPeak("H200 NVL", 835.5, 835.5, 4.8, "https://www.nvidia.com/en-us/data-center/h200/")),
      new Entry(List.of("h200"), new GpuPeak("H200 SXM", 989.5, 989.5, 4.8, "https://www.nvidia.com/en-us/data-center/h200/")),
      new Entry(List.of("h100", "nvl"), new GpuPeak("H100 NVL", 835.5, 835.5, 3.9, "https://www.nvidia.com/en-us/data-center/h100/")),
      new Entry(List.of("h100", "pcie"), new GpuPeak("H100 PCIe", 756.5, 756.5, 2.0, "https://www.nvidia.com/en-us/data-center/h100/")),
      new Entry(List.of("h100"), new GpuPeak("H100 SXM", 989.5, 989.5, 3.35, "https://www.nvidia.com/en-us/data-center/h100/")),
      new Entry(List.of("a100", "80gb", "pcie"), new GpuPeak("A100 80GB PCIe", 312, 312.0, 1.935, "https://www.nvidia.com/en-us/data-center/a100/")),
      new Entry(List.of("a100", "80gb"), new GpuPeak("A100 80GB SXM", 312, 312.0, 2.039, "https://www.nvidia.com/en-us/data-center/a100/")),
      new Entry(List.of("a100"), new GpuPeak("A100 40GB", 312, 312.0, 1.555, "https://www.nvidia.com/en-us/data-center/a100/")),
      new Entry(List.of("l40s"), new GpuPeak("L40S", 362.05, 362.05, 0.864, "https://www.nvidia.com/en-us/data-center/l40s/")),
      new Entry(List.of("l4"), new GpuPeak("L4", 121, 121.0, 0.300, "https://www.nvidia.com/en-us/data-center/l4/")),
      new Entry(List.of("t4"), new GpuPeak("T4", 65, null, 0.320, "https://www.nvidia.com/en-us/data-center/tesla-t4/")));

  private record Entry(List<String> tokens, GpuPeak peak) {}

  /** The entry for a device name as CUDA reports it (e.g. {@code NVIDIA H200}, {@code Tesla T4}), if known. */
  public static Optional<GpuPeak> forDevice(String deviceName) {
    if (deviceName == null) return Optional.empty();
    List<String> words = List.of(deviceName.toLowerCase(Locale.ROOT).split("[^a-z0-9]+"));
    return TABLE.stream().filter(e -> words.containsAll(e.tokens())).map(Entry::peak).findFirst();
  }

  /** The peak for a precision ({@code float16}, {@code bfloat16}), in FLOP/s; empty for float32 or a missing format. */
  public Optional<Double> flopsPerS(String precision) {
    return switch (precision) {
      case "float16" -> Optional.of(fp16Tflops * 1e12);
      case "bfloat16" -> Optional.ofNullable(bf16Tflops).map(t -> t * 1e12);
      default -> Optional.empty();
    };
  }
}
