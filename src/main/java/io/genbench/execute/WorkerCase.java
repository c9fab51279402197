package io.genbench.execute;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;

/** The CASE object of the worker protocol (protocol/PROTOCOL.md), also the {@code case} event's spec. */
public final class WorkerCase {
  private WorkerCase() {}

  /**
   * @param tiny build the architecture's tiny configuration (tests and smoke runs)
   * @param weights local weights path, or null for random weights
   * @param saveImages folder for PNGs, or null
   * @param backend what runs the case: {@code torch}, {@code diffusers} (the worker's two), or the in-JVM backend's name
   */
  public static ObjectNode of(TestCase c, Settings s, boolean tiny, String weights, String saveImages, String backend) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", c.id());
    n.put("model", c.model().id());
    n.put("instance_type", c.instanceType());
    n.put("batch_size", c.batchSize());
    n.put("inference_steps", c.steps());
    n.put("width", c.resolution().width());
    n.put("height", c.resolution().height());
    if (c.frames() == null) n.putNull("frames"); else n.put("frames", c.frames());
    n.put("precision", c.precision().label());
    n.put("prompt", c.prompt());
    n.put("guidance_scale", c.guidanceScale());
    n.put("scheduler", c.scheduler().label());
    n.put("attention", c.attention().label());
    toggle(n, "cuda_graphs", c.cudaGraphs());
    n.put("compile", c.compile());
    toggle(n, "channels_last", c.channelsLast());
    if (c.promptTokens() == null) n.putNull("prompt_tokens"); else n.put("prompt_tokens", c.promptTokens());
    if (c.outputTokens() == null) n.putNull("output_tokens"); else n.put("output_tokens", c.outputTokens());
    n.put("warmup_iterations", s.warmupIterations());
    n.put("max_warmup_iterations", s.maxWarmupIterations());
    n.put("max_warmup_s", s.maxWarmupS());
    n.put("steady_tolerance", s.steadyTolerance());
    n.put("steady_window", Settings.STEADY_WINDOW);
    n.put("min_iterations", s.minIterations());
    n.put("max_iterations", s.maxIterations());
    n.put("min_duration_s", s.minDurationS());
    n.put("seed", s.seed());
    if (weights == null) n.putNull("weights"); else n.put("weights", weights);
    if (saveImages == null) n.putNull("save_images"); else n.put("save_images", saveImages);
    n.put("tiny", tiny);
    n.put("backend", backend);
    return n;
  }

  /** {@code "auto"}, true or false, as the protocol spells a knob. */
  private static void toggle(ObjectNode n, String field, io.genbench.plan.Toggle t) {
    switch (t) {
      case AUTO -> n.put(field, "auto");
      case ON -> n.put(field, true);
      case OFF -> n.put(field, false);
    }
  }
}
