package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.Ticker;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import io.genbench.plan.Resolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batches' pipeline through the worker: the next batch goes to the worker while the previous one's pixels are still
 * being read, each into the other of the worker's two files. The worker here is a stand-in without torch
 * (src/test/resources/fake-serve-worker: `steps` ms of "compute", every byte of an image its seed), and the reader is
 * held until the worker has received the next batch, which only a pipelined batcher sends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class WorkerPipelineTest {
  private static final ImageBatch.Shape SHAPE = new ImageBatch.Shape(new Resolution(16, 8), 5, 7.5);

  private static WorkerImageBackend fake(Path tmp, ServeMetrics metrics) throws IOException {
    Path src = tmp.resolve("src/genbench_worker");
    Files.createDirectories(src);
    for (String f : List.of("__init__.py", "serve.py")) {
      Files.copy(Path.of("src/test/resources/fake-serve-worker/genbench_worker").resolve(f), src.resolve(f));
    }
    var config = new WorkerImageBackend.Config("python3", tmp.resolve("src"), "fake", "float32", true, null, "torch", "cpu",
        List.of(), Duration.ofSeconds(60), 2);
    return WorkerImageBackend.start(config, metrics);
  }

  /** Requests the worker has received so far (its recv.log). */
  private static int received(Path tmp) {
    try {
      Path log = tmp.resolve("src/recv.log");
      return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Holds the read of batch i's first image until the worker has received request i + 1 (up to 20 s); says whether it did. */
  private static List<Boolean> holdEachReadForTheNextBatch(WorkerImageBackend backend, Path tmp, int batches) {
    List<Boolean> overlapped = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reads = new AtomicInteger();
    WorkerImageBackend.PixelReader own = backend.pixelFiles();
    backend.readWith((file, offset, length) -> {
      if (offset == 0) {
        int i = reads.incrementAndGet();
        if (i < batches) {
          long deadline = System.nanoTime() + 20_000_000_000L;
          while (received(tmp) <= i && System.nanoTime() < deadline) sleep(5);
          overlapped.add(received(tmp) > i);
          sleep(30);  // the next batch has time to write its file meanwhile, were it this one
        }
      }
      return own.read(file, offset, length);
    });
    return overlapped;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theNextBatchComputesWhileThePreviousIsReadIntoTheOtherFileAndBatchesCompleteInOrder(@TempDir Path tmp) throws Exception {
    var metrics = new ServeMetrics(GpuTelemetry.none());
    try (WorkerImageBackend backend = fake(tmp, metrics);
        // batches of 2 whatever the timing: the first waits for 2 images (up to 10 s), the next expect as many
        Batcher batcher = new Batcher(backend, new Batcher.Limits(2, 10_000_000_000L, 64), Ticker.SYSTEM, metrics, "fake")) {
      List<Boolean> overlapped = holdEachReadForTheNextBatch(backend, tmp, 5);
      List<Long> completed = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Batcher.Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        var o = batcher.submit(SHAPE, List.of("p" + i), new long[] {100 + i});
        o.thenAccept(out -> completed.add(out.batchSeq()));
        outcomes.add(o);
      }

      for (int i = 0; i < 10; i++) {
        Batcher.Outcome o = outcomes.get(i).get(60, TimeUnit.SECONDS);
        byte[] expected = new byte[16 * 8 * 3];
        java.util.Arrays.fill(expected, (byte) (100 + i));
        assertThat(o.images().get(60, TimeUnit.SECONDS).getFirst().rgb()).as("request %d's pixels, not another batch's written over them", i).isEqualTo(expected);
        assertThat(o.batchImages()).isEqualTo(2);
      }
      assertThat(overlapped).as("the worker got batch i + 1 while batch i was being read").containsExactly(true, true, true, true);
      assertThat(completed).as("batches complete in order").isSorted().hasSize(10);
    }
  }

  @Test
  void aWorkerThatDiesMidPipelineFailsTheBatchItRanAsUnavailableAndTheBatchBeingReadStillSucceeds(@TempDir Path tmp) throws Exception {
    var metrics = new ServeMetrics(GpuTelemetry.none());
    try (WorkerImageBackend backend = fake(tmp, metrics);
        Batcher batcher = new Batcher(backend, new Batcher.Limits(2, 10_000_000_000L, 64), Ticker.SYSTEM, metrics, "fake")) {
      List<Boolean> overlapped = holdEachReadForTheNextBatch(backend, tmp, 2);
      var first = List.of(batcher.submit(SHAPE, List.of("a"), new long[] {1}), batcher.submit(SHAPE, List.of("b"), new long[] {2}));
      var dying = List.of(batcher.submit(SHAPE, List.of("crash"), new long[] {3}), batcher.submit(SHAPE, List.of("c"), new long[] {4}));

      for (var o : dying) {
        assertThat(o).failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .havingCause().isInstanceOf(ImageBackend.Unavailable.class);
      }
      for (var o : first) assertThat(o.get(60, TimeUnit.SECONDS).images().get(60, TimeUnit.SECONDS)).hasSize(1);
      assertThat(overlapped).containsExactly(true);
      // the restarted worker serves the next batch
      var after = batcher.submit(SHAPE, List.of("d"), new long[] {5});
      batcher.submit(SHAPE, List.of("e"), new long[] {6});
      assertThat(after.get(60, TimeUnit.SECONDS).images().get(60, TimeUnit.SECONDS).getFirst().rgb()[0]).isEqualTo((byte) 5);
    }
  }

  @Test
  void theBatchIsSaidComputedByTheThreadThatReadsTheWorkersComputedLineBeforeItsPixelsLand(@TempDir Path tmp) throws Exception {
    var metrics = new ServeMetrics(GpuTelemetry.none());
    try (WorkerImageBackend backend = fake(tmp, metrics)) {
      var saidBy = new CompletableFuture<String>();
      ImageBackend.Started started = backend.start(new ImageBatch(SHAPE, List.of("slow-pixels"), new long[] {9}),
          ns -> saidBy.complete(ns + " " + Thread.currentThread().getName()));

      assertThat(started.computed().get(60, TimeUnit.SECONDS)).as("the fake worker's compute_ns: 1 ms a step").isEqualTo(SHAPE.steps() * 1_000_000L);
      assertThat(saidBy).as("said before the batch's computed future completed").isDone();
      assertThat(saidBy.get()).as("the compute has ended (0 ns to go)").startsWith("0 genbench-worker").endsWith("-out");
      assertThat(started.landed()).as("the pixels come 2 s after the computed line").isNotDone();
      assertThat(started.images().get(60, TimeUnit.SECONDS).getFirst().rgb()[0]).isEqualTo((byte) 9);
    }
  }

  @Test
  void startReturnsOnceTheBatchIsSentAndTheOutcomeCompletesOnTheThreadThatReadsTheResult(@TempDir Path tmp) throws Exception {
    var metrics = new ServeMetrics(GpuTelemetry.none());
    var slow = new ImageBatch.Shape(new Resolution(16, 8), 2000, 7.5);  // the fake computes 1 ms a step: 2 s
    try (WorkerImageBackend backend = fake(tmp, metrics)) {
      ImageBackend.Started started = backend.start(new ImageBatch(slow, List.of("p"), new long[] {3}));
      assertThat(started.computed()).as("start does not wait for the 2 s compute").isNotDone();
      assertThat(started.computed().get(60, TimeUnit.SECONDS)).isEqualTo(2_000_000_000L);
      assertThat(started.images().get(60, TimeUnit.SECONDS).getFirst().rgb()[0]).isEqualTo((byte) 3);
    }
    try (WorkerImageBackend backend = fake(tmp.resolve("second"), metrics);
        Batcher batcher = new Batcher(backend, new Batcher.Limits(1, 0, 8), Ticker.SYSTEM, metrics, "fake")) {
      // 1 s computes: a result that came in before the batcher's thread registered for it would be completed by that
      // thread (as it must be: BatcherHandOverTest); on a busy 2-core host, 5 ms and even 300 ms computes raced that
      // registration for the first request (the JVM's first pass through that code, its compiler threads starved)
      var slower = new ImageBatch.Shape(new Resolution(16, 8), 1000, 7.5);
      for (int i = 0; i < 3; i++) {
        var completedBy = new CompletableFuture<String>();
        batcher.submit(slower, List.of("p"), new long[] {i}).whenComplete((o, f) -> completedBy.complete(Thread.currentThread().getName()));
        assertThat(completedBy.get(60, TimeUnit.SECONDS)).as("request %d's outcome: completed by the reader of the result line, "
            + "not handed to the batcher's thread", i).startsWith("genbench-worker").endsWith("-out");
      }
    }
  }

  @Test
  void afterASoonLineTheReaderPollsForTheComputedLineAndTheSoonAnswersNothing(@TempDir Path tmp) throws Exception {
    var metrics = new ServeMetrics(GpuTelemetry.none());
    try (WorkerImageBackend backend = fake(tmp, metrics)) {
      // Up to five tries: on a busy 2-core host the fake may now and then be off its core for the whole 50 ms spin.
      int tries = 0;
      while (backend.caughtAfterSoon() == 0 && tries < 5) {
        var told = new java.util.concurrent.CopyOnWriteArrayList<Long>();
        ImageBackend.Started started = backend.start(new ImageBatch(SHAPE, List.of("soon"), new long[] {4 + tries}), told::add);
        assertThat(started.images().get(60, TimeUnit.SECONDS).getFirst().rgb()[0]).isEqualTo((byte) (4 + tries));
        // the soon line's within_ms (50) passed on before the compute's end: serve's loops then poll from there
        assertThat(told).containsExactly(50_000_000L, 0L);
        tries++;
      }
      assertThat(backend.caughtAfterSoon()).as("the computed line, 5 ms after the soon line, read while the reader spun")
          .isEqualTo(1);
      ImageBackend.Started plain = backend.start(new ImageBatch(SHAPE, List.of("p"), new long[] {10}));
      assertThat(plain.images().get(60, TimeUnit.SECONDS).getFirst().rgb()[0]).isEqualTo((byte) 10);
      assertThat(backend.caughtAfterSoon()).as("a batch without a soon line is not counted").isEqualTo(1);
    }
  }
}
