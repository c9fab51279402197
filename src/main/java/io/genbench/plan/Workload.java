package io.genbench.plan;

import static java.util.Objects.requireNonNull;

/**
 * What one request of a case computes: a diffusion model's denoising loop, or an LLM's prefill and decode. A case holds
 * only what its workload has (an LLM case has no steps, resolution or prompt); code that differs by kind switches over
 * this type, so a new kind fails to compile until every such place handles it.
 */
public sealed interface Workload {

  /**
   * Images (or video frames) from a denoising loop.
   *
   * @param steps denoising steps, ≥ 1
   * @param resolution image size
   * @param frames video frames (SVD), else null
   * @param guidanceScale classifier-free guidance; above 1 doubles the UNet batch
   * @param scheduler the noise scheduler
   * @param prompt the text prompt
   */
  record Diffusion(int steps, Resolution resolution, Integer frames, double guidanceScale, Scheduler scheduler, String prompt)
      implements Workload {
    public static final double DEFAULT_GUIDANCE_SCALE = 7.5;

    public Diffusion {
      requireNonNull(resolution, "resolution");
      requireNonNull(scheduler, "scheduler");
      requireNonNull(prompt, "prompt");
      if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, was " + steps);
      if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
        throw new IllegalArgumentException("guidance_scale must be a number >= 0, was " + guidanceScale);
      }
      if (frames != null && frames < 1) throw new IllegalArgumentException("frames must be >= 1, was " + frames);
      if (prompt.isBlank()) throw new IllegalArgumentException("prompt must not be empty");
    }

    /** The model's defaults: its native resolution and frames, guidance 7.5, Euler, the default prompt. */
    public static Diffusion of(Model model, int steps, Resolution resolution) {
      return new Diffusion(steps, resolution, model.defaultFrames() > 0 ? model.defaultFrames() : null, DEFAULT_GUIDANCE_SCALE,
          Scheduler.EULER, TestCase.DEFAULT_PROMPT);
    }

    /** Images one request produces: batch × frames for video. */
    public int imagesPerRequest(int batchSize) {
      return batchSize * (frames == null ? 1 : frames);
    }
  }

  /**
   * Generated tokens: a prefill of {@code promptTokens}, then {@code outputTokens} decode steps.
   *
   * @param promptTokens prefill length, ≥ 1
   * @param outputTokens generated tokens, ≥ 1
   */
  record Llm(int promptTokens, int outputTokens) implements Workload {
    public static final int DEFAULT_PROMPT_TOKENS = 128;
    public static final int DEFAULT_OUTPUT_TOKENS = 64;

    public Llm {
      if (promptTokens < 1) throw new IllegalArgumentException("prompt_tokens must be >= 1, was " + promptTokens);
      if (outputTokens < 1) throw new IllegalArgumentException("output_tokens must be >= 1, was " + outputTokens);
    }
  }

  /** Does this workload fit the model's family (a diffusion loop for a diffusion model, tokens for an LLM)? */
  default boolean fits(Family family) {
    return switch (this) {
      case Diffusion d -> family.isDiffusion();
      case Llm l -> !family.isDiffusion();
    };
  }
}
