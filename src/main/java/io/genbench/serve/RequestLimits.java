package io.genbench.serve;

/**
 * What a request may ask for; anything beyond is refused with 400 before any work.
 *
 * @param maxBodyBytes request body, bytes (413 beyond)
 * @param maxPromptChars prompt length, characters
 * @param maxN images per request ({@code n})
 * @param maxSteps denoising steps per request
 * @param maxSide image width and height, pixels
 */
public record RequestLimits(int maxBodyBytes, int maxPromptChars, int maxN, int maxSteps, int maxSide) {
  /** OpenAI's own n ≤ 10 and 4,000-character prompts; 1,024 px, 150 steps; 64 KiB bodies. */
  public static final RequestLimits DEFAULT = new RequestLimits(64 * 1024, 4000, 10, 150, 1024);
}
