package io.genbench.serve;

import java.util.List;

/**
 * What turns a batch into images: the in-JVM ONNX default, or supervised worker processes. The batcher calls
 * {@link #start} from one thread, one batch at a time (the previous batch's images may still be on their way).
 */
public interface ImageBackend extends AutoCloseable {

  /** The backend as results name it, e.g. {@code onnx-cpu}. */
  String name();

  /** The model's id as it was built, e.g. {@code genbench/sd-2-1-small}. */
  String builtModel();

  /** Image width and height must be multiples of this. */
  int sizeMultiple();

  /**
   * Generates one image per prompt, in order.
   *
   * @throws Unavailable when the backend cannot serve now (a worker crashed and is restarting): answered with 503
   */
  List<Image> generate(ImageBatch batch);

  /**
   * Starts a batch and returns as soon as the backend can take the next one, with its images to come: the PyTorch
   * worker returns when its result line arrives (its compute done, the pixels in their file) and reads the pixels after,
   * so the next batch computes while this one's are read and encoded. The default runs {@link #generate} and times
   * nothing ({@code computeNs} -1: the batcher times the call).
   * Images of successive batches complete in the order the batches started.
   */
  default Started start(ImageBatch batch) {
    return new Started(-1, java.util.concurrent.CompletableFuture.completedFuture(generate(batch)));
  }

  /**
   * A started batch.
   *
   * @param computeNs the backend's own compute time, or -1 when it does not time itself
   * @param images its images, in order, once they are back (or why they cannot be)
   */
  record Started(long computeNs, java.util.concurrent.CompletableFuture<List<Image>> images) {}

  /** Whether {@link #generate} makes images (false for a text model, which answers through {@link #text()}). */
  default boolean generatesImages() {
    return true;
  }

  /** The same model's text generation, for an LLM ({@code /v1/completions}); empty for an image model. */
  default java.util.Optional<TextBackend> text() {
    return java.util.Optional.empty();
  }

  @Override
  void close();

  /**
   * One image, 8-bit RGB.
   *
   * @param rgb {@code height × width × 3} bytes, row by row, interleaved R, G, B
   */
  record Image(int width, int height, byte[] rgb) {}

  /** The backend cannot serve now; the request may be retried. */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
