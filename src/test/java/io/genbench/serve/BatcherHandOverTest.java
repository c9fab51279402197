package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.Ticker;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import io.genbench.plan.Resolution;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request's outcome is completed by the thread that sees its batch land, not handed to the batcher's thread, which
 * may still be waiting for the backend to be free (issue 20: that hand-over was 0.06 ms P50, 0.3 ms P99 of the serving
 * overhead); the next batch still waits until the backend is free.
 */
@Timeout(60)
final class BatcherHandOverTest {
  private static final ImageBatch.Shape SHAPE = new ImageBatch.Shape(new Resolution(8, 8), 1, 1.0);

  /** A backend whose batches compute and land when the test says, each on its own future. */
  private static final class Manual implements ImageBackend {
    record Batch(CompletableFuture<Long> computed, CompletableFuture<Void> landed, CompletableFuture<List<Image>> images) {
      /** Computed and landed, so the batcher's thread is free to close. */
      void finish() {
        computed.complete(-1L);
        landed.complete(null);
        images.complete(List.of(new Image(8, 8, new byte[8 * 8 * 3])));
      }
    }

    final LinkedBlockingQueue<Batch> started = new LinkedBlockingQueue<>();

    @Override
    public Started start(ImageBatch batch) {
      var b = new Batch(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
      started.add(b);
      return new Started(b.computed(), b.landed(), b.images());
    }

    @Override
    public List<Image> generate(ImageBatch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String name() {
      return "manual";
    }

    @Override
    public String builtModel() {
      return "genbench/manual";
    }

    @Override
    public int sizeMultiple() {
      return 8;
    }

    @Override
    public void close() {}
  }

  private static Batcher oneAtATime(Manual backend) {
    return new Batcher(backend, new Batcher.Limits(1, 0, 8), Ticker.SYSTEM, new ServeMetrics(GpuTelemetry.none()), "manual");
  }

  /** Two requests submitted, one image each: their outcomes, and the first one's batch, started on the backend. */
  private record Two(CompletableFuture<Batcher.Outcome> first, CompletableFuture<Batcher.Outcome> second, Manual.Batch one) {
    static Two submit(Batcher b, Manual backend) throws InterruptedException {
      var first = b.submit(SHAPE, List.of("a"), new long[] {1});
      var second = b.submit(SHAPE, List.of("b"), new long[] {2});
      Manual.Batch one = backend.started.poll(30, TimeUnit.SECONDS);
      assertThat(one).as("the first batch started").isNotNull();
      return new Two(first, second, one);
    }
  }

  @Test
  void theOutcomeCompletesOnTheThreadThatSeesTheBatchLandAndTheNextBatchWaitsForTheBackend() throws Exception {
    var backend = new Manual();
    try (var b = oneAtATime(backend)) {
      var submitted = Two.submit(b, backend);
      var first = submitted.first();
      var second = submitted.second();
      Manual.Batch one = submitted.one();
      var completedBy = new CompletableFuture<String>();
      first.whenComplete((o, f) -> completedBy.complete(Thread.currentThread().getName()));

      // computed, then landed, each on a thread of its own, as the worker's reader does
      Thread.ofPlatform().name("reader-computed").start(() -> one.computed().complete(7L)).join();
      Manual.Batch two = backend.started.poll(30, TimeUnit.SECONDS);
      assertThat(two).as("the backend is free: the second batch starts").isNotNull();
      Thread.ofPlatform().name("reader-landed").start(() -> one.landed().complete(null)).join();

      assertThat(first).as("completed by the landing thread itself, before it returned").isDone();
      assertThat(completedBy.get()).isEqualTo("reader-landed");
      assertThat(first.get().computeNs()).as("the backend's own compute time").isEqualTo(7L);
      assertThat(second).isNotDone();
      two.finish();
    }
  }

  @Test
  void aBatchThatLandsBeforeTheBackendIsFreeIsAnsweredAndTheNextWaitsUntilItIs() throws Exception {
    var backend = new Manual();
    try (var b = oneAtATime(backend)) {
      var submitted = Two.submit(b, backend);
      var first = submitted.first();
      Manual.Batch one = submitted.one();

      one.landed().complete(null);
      assertThat(first.get(30, TimeUnit.SECONDS).batchImages()).isEqualTo(1);
      assertThat(backend.started.poll(200, TimeUnit.MILLISECONDS)).as("no second batch while the backend is busy").isNull();
      one.computed().complete(-1L);
      Manual.Batch two = backend.started.poll(30, TimeUnit.SECONDS);
      assertThat(two).as("the second batch once it is free").isNotNull();
      two.finish();
    }
  }

  @Test
  void aBatchThatFailsFailsItsRequestsAndFreesTheBackend() throws Exception {
    var backend = new Manual();
    try (var b = oneAtATime(backend)) {
      var submitted = Two.submit(b, backend);
      var first = submitted.first();
      Manual.Batch one = submitted.one();
      var crash = new ImageBackend.Unavailable("worker crashed", null);
      one.computed().completeExceptionally(crash);
      one.landed().completeExceptionally(crash);
      assertThat(first).failsWithin(30, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isSameAs(crash);
      Manual.Batch two = backend.started.poll(30, TimeUnit.SECONDS);
      assertThat(two).as("the second batch runs").isNotNull();
      two.finish();
    }
  }
}
