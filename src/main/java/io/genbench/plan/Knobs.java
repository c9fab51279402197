package io.genbench.plan;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimisation knobs of a case: settings that change how fast a case runs, never what it computes. Everything a
 * knob is on the Java side lives in this file: its field and default, its plan-file key ({@link Doc}, which the plan's
 * case entry extends so Jackson binds it beside the other keys), its part of the case id, and its spelling in the worker
 * protocol's {@code knobs} group ({@link #wire()}). A new knob touches this file, the worker's {@code Knobs} dataclass
 * (worker/src/genbench_worker/case.py), the worker code that applies it, and at most one CLI option.
 *
 * @param attention attention kernel
 * @param cudaGraphs capture the UNet, or an LLM's prefill and decode steps over a static KV cache, in CUDA graphs (AUTO: the
 *     worker decides per device: on for CUDA)
 * @param compile {@code torch.compile} the UNet, or an LLM's prefill and decode step
 * @param channelsLast NHWC memory format for the UNet (AUTO: the worker decides per device)
 */
public record Knobs(Attention attention, Toggle cudaGraphs, boolean compile, Toggle channelsLast) {
  public static final Knobs DEFAULT = new Knobs(Attention.SDPA, Toggle.AUTO, false, Toggle.AUTO);

  public Knobs {
    requireNonNull(attention, "attention");
    requireNonNull(cudaGraphs, "cudaGraphs");
    requireNonNull(channelsLast, "channelsLast");
  }

  /** These knobs with CUDA graphs set. */
  public Knobs withCudaGraphs(Toggle t) {
    return new Knobs(attention, t, compile, channelsLast);
  }

  /** Refuses a knob the model's workload cannot use (the worker would refuse it only after building the model). */
  void requireUsableBy(Model model) {
    if (model.family().isDiffusion()) return;
    // a knob of the diffusion UNet: an LLM's decoding cannot use it (cuda_graphs it can: static-cache graph decode)
    if (channelsLast == Toggle.ON) throw new IllegalArgumentException(unusable("channels_last", model));
  }

  /** Why an LLM case cannot have a diffusion UNet's knob, and what to write instead. */
  static String unusable(String knob, Model model) {
    return knob + " on applies to a diffusion UNet; " + model.id() + " is an LLM, whose decoding cannot use it: write "
        + knob + " auto or off";
  }

  /**
   * The knobs' parts of a case id, each only where it differs from its default, around the workload's own parts
   * ({@code between}), in the order ids have always had (case ids name stored run directories).
   */
  List<String> idParts(List<String> between) {
    List<String> parts = new ArrayList<>();
    if (attention != Attention.SDPA) parts.add(attention.label());
    parts.addAll(between);
    if (cudaGraphs != Toggle.AUTO) parts.add(cudaGraphs == Toggle.ON ? "graphs" : "nographs");
    if (compile) parts.add("compile");
    if (channelsLast != Toggle.AUTO) parts.add(channelsLast == Toggle.ON ? "cl" : "nocl");
    return parts;
  }

  /** The protocol's {@code knobs} group (protocol/PROTOCOL.md): a toggle is {@code "auto"}, true or false. */
  public Map<String, Object> wire() {
    Map<String, Object> wire = new LinkedHashMap<>();
    wire.put("attention", attention.label());
    wire.put("cuda_graphs", wire(cudaGraphs));
    wire.put("compile", compile);
    wire.put("channels_last", wire(channelsLast));
    return wire;
  }

  private static Object wire(Toggle t) {
    return switch (t) {
      case AUTO -> "auto";
      case ON -> true;
      case OFF -> false;
    };
  }

  /** The knobs' keys in a plan file's case entry. Public fields, because Jackson binds them and rejects any other key. */
  public static class Doc {
    public String attention;
    public String cudaGraphs;
    public Boolean compile;
    public String channelsLast;

    /** The knobs this entry gives, each left out at its default; {@code origin} names the entry in errors. */
    Knobs knobs(String origin) {
      return new Knobs(attention == null ? DEFAULT.attention : Attention.parse(attention, origin + " attention"),
          cudaGraphs == null ? DEFAULT.cudaGraphs : Toggle.parse(cudaGraphs, origin + " cuda_graphs"),
          compile == null ? DEFAULT.compile : compile,
          channelsLast == null ? DEFAULT.channelsLast : Toggle.parse(channelsLast, origin + " channels_last"));
    }

    /** Writes the knobs into this entry, every one spelled out. */
    void set(Knobs k) {
      attention = k.attention.label();
      cudaGraphs = k.cudaGraphs.label();
      compile = k.compile;
      channelsLast = k.channelsLast.label();
    }
  }
}
