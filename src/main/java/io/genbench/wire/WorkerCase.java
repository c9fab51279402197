package io.genbench.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The CASE object of the worker protocol (protocol/PROTOCOL.md): one case as the worker receives it in its job and as
 * the {@code case} event stores it, field for field the Python {@code Case}. Written in this order, nulls included.
 *
 * @param id the case id
 * @param model the model id
 * @param instanceType the requested instance type
 * @param batchSize images (or sequences) per request, ≥ 1
 * @param inferenceSteps denoising steps, ≥ 1
 * @param width image width in pixels
 * @param height image height in pixels
 * @param frames video frames, or null
 * @param precision {@code float32|float16|bfloat16}
 * @param prompt the text prompt
 * @param guidanceScale classifier-free guidance, ≥ 0
 * @param scheduler {@code euler|ddim}
 * @param attention {@code sdpa|math}
 * @param cudaGraphs {@code true}, {@code false} or {@code "auto"}
 * @param compile {@code torch.compile} the UNet
 * @param channelsLast {@code true}, {@code false} or {@code "auto"}
 * @param promptTokens LLM prefill length, or null
 * @param outputTokens LLM generated tokens, or null (null for every diffusion case)
 * @param warmupIterations warm-up iterations at least
 * @param maxWarmupIterations warm-up iterations at most
 * @param maxWarmupS warm-up seconds at most
 * @param steadyTolerance steady-state tolerance, a fraction
 * @param steadyWindow warm-up iterations that must agree
 * @param minIterations measured iterations at least
 * @param maxIterations measured iterations at most
 * @param minDurationS measure for at least this many seconds
 * @param seed RNG seed
 * @param weights local weights path, or null for random weights
 * @param saveImages folder for PNGs, or null
 * @param tiny build the architecture's tiny configuration (tests and smoke runs)
 * @param backend what runs the case: {@code torch}, {@code diffusers} (the worker's two), or the in-JVM backend's name
 * @param targetCiPct measure on until the 95 % interval of the median e2e is within ± this many % (PROTOCOL.md, "When
 *     measuring stops"); null in event logs from before it existed, whose verdicts use the older rule
 * @param maxMeasureS seconds of measured iterations at most (the minimum count always runs); null in older logs
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerCase(String id, String model, String instanceType, int batchSize, int inferenceSteps, int width,
    int height, Integer frames, String precision, String prompt, double guidanceScale, String scheduler, String attention,
    Object cudaGraphs, boolean compile, Object channelsLast, Integer promptTokens, Integer outputTokens,
    int warmupIterations, int maxWarmupIterations, double maxWarmupS, double steadyTolerance, int steadyWindow,
    int minIterations, int maxIterations, double minDurationS, long seed, String weights, String saveImages, boolean tiny,
    String backend, Double targetCiPct, Double maxMeasureS) {

  /** A case without the stop rule's settings, as event logs before {@code target_ci_pct} hold it. */
  public WorkerCase(String id, String model, String instanceType, int batchSize, int inferenceSteps, int width,
      int height, Integer frames, String precision, String prompt, double guidanceScale, String scheduler, String attention,
      Object cudaGraphs, boolean compile, Object channelsLast, Integer promptTokens, Integer outputTokens,
      int warmupIterations, int maxWarmupIterations, double maxWarmupS, double steadyTolerance, int steadyWindow,
      int minIterations, int maxIterations, double minDurationS, long seed, String weights, String saveImages, boolean tiny,
      String backend) {
    this(id, model, instanceType, batchSize, inferenceSteps, width, height, frames, precision, prompt, guidanceScale, scheduler,
        attention, cudaGraphs, compile, channelsLast, promptTokens, outputTokens, warmupIterations, maxWarmupIterations,
        maxWarmupS, steadyTolerance, steadyWindow, minIterations, maxIterations, minDurationS, seed, weights, saveImages, tiny,
        backend, null, null);
  }

  /** A knob as the protocol spells it: {@code "auto"}, true or false. */
  public static Object knob(Boolean on) {
    return on == null ? "auto" : on;
  }
}
