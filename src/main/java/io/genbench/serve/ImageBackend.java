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
   * Starts a batch, with its compute and its images to come: the PyTorch worker's compute done (the backend can take
   * the next batch), then the worker's pixels land in their shared file, then this process reads them, so the next
   * batch computes while this one's are read and encoded. The default runs {@link #generate} and times nothing
   * ({@code computed} -1: the batcher times the call).
   * Images of successive batches complete in the order the batches started.
   */
  default Started start(ImageBatch batch) {
    var images = java.util.concurrent.CompletableFuture.completedFuture(generate(batch));
    return new Started(-1, images, images);
  }

  /**
   * As {@link #start(ImageBatch)}, and tells {@code endsWithin} when the batch's compute is about to end, before its
   * images land, so serve's event loops poll for the answers instead of sleeping ({@link ServeLoops}): {@code 0} once
   * the compute is done, and, from a backend that knows it ahead (the worker's {@code soon} line), before that the
   * nanoseconds within which it should end. The worker backend calls it on the thread that reads the worker's lines;
   * the default, with 0, once the batch's {@code computed} completes.
   */
  default Started start(ImageBatch batch, java.util.function.LongConsumer endsWithin) {
    Started started = start(batch);
    started.computed().thenRun(() -> endsWithin.accept(0));
    return started;
  }

  /**
   * A started batch.
   *
   * @param computed completes when the backend can take the next batch, with its own compute time, or -1 when it does
   *     not time itself; or fails as the batch failed
   * @param landed completes when the images are within this process's reach with no more waiting on the device or a
   *     worker (the worker's pixels in their shared file), or fails as the batch failed; an answer that needs no pixels
   *     ({@code response_format: "url"}) can leave then
   * @param images its images, in order, once read (completes after {@code landed}; or why they cannot be)
   */
  record Started(java.util.concurrent.CompletableFuture<Long> computed, java.util.concurrent.CompletableFuture<?> landed,
      java.util.concurrent.CompletableFuture<List<Image>> images) {

    /** A batch whose compute is over (a backend in the JVM computes in {@code start}). */
    public Started(long computeNs, java.util.concurrent.CompletableFuture<?> landed,
        java.util.concurrent.CompletableFuture<List<Image>> images) {
      this(java.util.concurrent.CompletableFuture.completedFuture(computeNs), landed, images);
    }
  }

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
