package io.genbench.result;

/**
 * What a case's requests produce: images (diffusion, video) or tokens (an LLM). Views switch over it instead of testing
 * for a zero or a null, so a new kind of workload fails to compile until every view handles it. A result's workload
 * comes from its case ({@code CaseAnalyzer}); a stored result file, which writes an LLM case as 0 images per request,
 * is read back to the same workload by {@link ResultFile}.
 */
public sealed interface Workload {

  /**
   * Images from a denoising loop.
   *
   * @param imagesPerRequest images one request produces (batch × frames), ≥ 1
   * @param steps denoising steps per request, ≥ 1
   * @param resolution {@code WxH}
   */
  record Diffusion(int imagesPerRequest, int steps, String resolution) implements Workload {}

  /**
   * Generated tokens: no images and no denoising steps.
   *
   * @param storedSteps the steps its result file says: 0, or what a flat case event of an older run gave it
   * @param storedResolution the resolution its result file says: null, or what an older run gave it
   */
  record Llm(int storedSteps, String storedResolution) implements Workload {
    /** An LLM workload as results are written now: no steps, no resolution. */
    public Llm() {
      this(0, null);
    }
  }
}
