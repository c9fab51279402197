package io.genbench.serve;

import io.genbench.plan.Resolution;
import java.util.List;

/**
 * One batch for a backend: images that share a {@link Shape}, each with its prompt and seed.
 *
 * @param prompts one per image
 * @param seeds one per image: the image's initial noise
 */
public record ImageBatch(Shape shape, List<String> prompts, long[] seeds) {
  public ImageBatch {
    prompts = List.copyOf(prompts);
    if (prompts.isEmpty() || prompts.size() != seeds.length) {
      throw new IllegalArgumentException("one seed per prompt: " + prompts.size() + " prompts, " + seeds.length + " seeds");
    }
  }

  public int size() {
    return prompts.size();
  }

  /**
   * What requests must agree on to share a batch: the tensors' shape and the loop's length.
   *
   * @param size image width and height
   * @param steps denoising steps, ≥ 1
   * @param guidance classifier-free guidance scale, ≥ 0
   */
  public record Shape(Resolution size, int steps, double guidance) {}
}
