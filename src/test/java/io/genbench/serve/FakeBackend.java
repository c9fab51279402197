package io.genbench.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend that returns grey images at once, or when a test opens its gate; it counts the batches it ran. */
final class FakeBackend implements ImageBackend {
  final AtomicInteger batches = new AtomicInteger();
  final AtomicInteger images = new AtomicInteger();
  /** Released once per batch that starts. */
  final Semaphore started = new Semaphore(0);
  /** Images of each batch, in the order they ran. */
  final List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch gate;
  private final long computeMs;

  FakeBackend(boolean gated) {
    this(gated, 0);
  }

  /** A backend that takes {@code computeMs} per batch, like a model would. */
  FakeBackend(boolean gated, long computeMs) {
    this.gate = new CountDownLatch(gated ? 1 : 0);
    this.computeMs = computeMs;
  }

  void open() {
    gate.countDown();
  }

  /**
   * When set, each batch lands at once (as the worker's result line does) but its images are read only when this
   * completes, or fail as it fails (a pixel file cut short).
   */
  volatile java.util.concurrent.CompletableFuture<Void> read;

  @Override
  public Started start(ImageBatch batch) {
    List<Image> images = generate(batch);
    var gate = read;
    if (gate == null) {
      var done = java.util.concurrent.CompletableFuture.completedFuture(images);
      return new Started(-1, done, done);
    }
    return new Started(-1, java.util.concurrent.CompletableFuture.completedFuture(null), gate.thenApply(v -> images));
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public String builtModel() {
    return "genbench/fake";
  }

  @Override
  public int sizeMultiple() {
    return 64;
  }

  @Override
  public List<Image> generate(ImageBatch batch) {
    batches.incrementAndGet();
    images.addAndGet(batch.size());
    sizes.add(batch.size());
    started.release();
    try {
      if (!gate.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the test never opened the gate");
      if (computeMs > 0) Thread.sleep(computeMs);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    List<Image> out = new ArrayList<>();
    int w = batch.shape().size().width();
    int h = batch.shape().size().height();
    for (int i = 0; i < batch.size(); i++) out.add(new Image(w, h, new byte[3 * w * h]));
    return out;
  }

  @Override
  public void close() {
    open();
  }
}
