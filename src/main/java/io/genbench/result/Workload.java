package io.genbench.result;

/**
 * What a case's requests produce: images (diffusion, video) or tokens (an LLM). Views switch over it instead of testing
 * for a zero or a null, so a new kind of workload fails to compile until every view handles it.
 */
public sealed interface Workload {

  /**
   * Images from a denoising loop.
   *
   * @param imagesPerRequest images one request produces (batch × frames), ≥ 1
   * @param steps denoising steps per request, ≥ 1
   */
  record Diffusion(int imagesPerRequest, int steps) implements Workload {}

  /** Generated tokens: no images and no denoising steps. */
  record Llm() implements Workload {}

  /** The workload of a stored result, whose files write an LLM case as 0 images per request. */
  static Workload of(CaseResult r) {
    return r.imagesPerRequest() == 0 ? new Llm() : new Diffusion(r.imagesPerRequest(), r.inferenceSteps());
  }
}
