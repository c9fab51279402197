package io.genbench.serve;

import io.genbench.execute.Ticker;
import io.genbench.metrics.ServeMetrics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching, after Triton's {@code max_batch_size} / {@code max_queue_delay_microseconds}: requests of one
 * {@link ImageBatch.Shape} share a batch of up to {@code maxBatchImages} images, and requests that arrive while a
 * batch runs make up the next one. Requests of other shapes wait their turn in arrival order. The queue holds at most
 * {@code maxQueue} requests; one more is refused ({@link QueueFull}, answered 429), never waited for.
 *
 * <p>When the backend is free, a batch starts at once if it holds the images the batcher expects, else when the
 * expected images are there or after {@code maxQueueDelayNs}, counted from the later of its oldest request's arrival
 * and the end of the previous batch. The images expected are those the last batch ran plus those queued when it
 * ended (at most {@code maxBatchImages}, which is also what the first batch expects): the clients still in the system. So one request
 * at a time never waits (the last batch had 1), and closed-loop users whose answers left together come back into one
 * batch instead of splitting into a first straggler and the rest. Triton, whose delay defaults to 0, starts a batch
 * with whatever is queued when an instance is free; with a delay it waits for a full batch (its preferred sizes)
 * however many clients there are, which costs a lone request the whole delay.
 *
 * <p>One thread starts the batches, one at a time, so a backend need not be thread-safe; a batch's images may still be
 * on their way back ({@link ImageBackend#start}) while the next batch computes.
 */
public final class Batcher implements AutoCloseable {

  /**
   * @param maxBatchImages images per batch, ≥ 1 (a request with more runs alone)
   * @param maxQueueDelayNs how long the oldest request may wait for others to fill its batch, ≥ 0
   * @param maxQueue requests waiting at most, ≥ 1
   */
  public record Limits(int maxBatchImages, long maxQueueDelayNs, int maxQueue) {
    public Limits {
      if (maxBatchImages < 1) throw new IllegalArgumentException("maxBatchImages must be >= 1, was " + maxBatchImages);
      if (maxQueueDelayNs < 0) throw new IllegalArgumentException("maxQueueDelayNs must be >= 0, was " + maxQueueDelayNs);
      if (maxQueue < 1) throw new IllegalArgumentException("maxQueue must be >= 1, was " + maxQueue);
    }
  }

  /**
   * What one request got.
   *
   * @param images its own images, in order, once read back (the outcome itself comes when they have landed: see
   *     {@link ImageBackend.Started#landed}); or why they cannot be
   * @param queueNs from submission to its batch's start
   * @param computeNs its batch's compute (shared by every request of the batch): the backend's own time where it
   *     times itself (the worker's loop), else the backend call
   * @param transferNs the rest of the backend call until the images landed: for the worker, its pixels' trip into the
   *     shared file and its result line (0 for a backend in the JVM)
   * @param batchImages images in its batch
   * @param batchRequests requests in its batch
   * @param batchSeq the batch's number (from 1), the same for every request of the batch
   */
  public record Outcome(CompletableFuture<List<ImageBackend.Image>> images, long queueNs, long computeNs, long transferNs, int batchImages,
      int batchRequests, long batchSeq) {}

  /** The queue is full. */
  public static final class QueueFull extends RuntimeException {
    QueueFull(int limit) {
      super("the queue is full (" + limit + " requests waiting, --max-queue)");
    }
  }

  private record Job(ImageBatch.Shape shape, List<String> prompts, long[] seeds, long submittedNs, CompletableFuture<Outcome> done,
      java.util.function.LongConsumer endsWithin) {}

  private static final java.util.function.LongConsumer NOTHING = ns -> {};

  private final ImageBackend backend;
  private final Limits limits;
  private final Ticker ticker;
  private final ServeMetrics metrics;
  private final String model;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final LinkedList<Job> queue = new LinkedList<>();
  private final Thread thread;
  private boolean closed;
  /** Images the next batch waits for (up to the delay) when the backend is free; see the class comment. */
  private int expected;
  /** When the previous batch ended (the backend became free). */
  private long freeSinceNs = Long.MIN_VALUE;
  /** When the answers of the last batch {@link #answered} left, and that batch's number. */
  private long answeredAtNs = Long.MIN_VALUE;
  private long answeredSeq;
  private long batches;
  /** How long the wait for expected images may wait for the last batch's answers to leave before counting the delay. */
  static final long ANSWER_WAIT_NS = 1_000_000_000L;
  /** The fewest cores on which serve's threads spin for what comes next rather than park at once. */
  static final int SPIN_MIN_CORES = 8;
  /** Whether this machine has {@link #SPIN_MIN_CORES}. */
  static final boolean SPIN_HERE = Runtime.getRuntime().availableProcessors() >= SPIN_MIN_CORES;
  /**
   * How soon clients came back after their answers. After a batch's answers left, the batcher's thread spins for the next
   * request for {@link ComeBack#waitNs} (2-8 ms) before it parks: a client that comes straight back (one request at a
   * time) is picked up without a thread wake-up, whose latency was the batcher's part of the serving overhead (issue 20:
   * 0.15 ms P50, 0.38 ms P99 on an H100 host). Only on a machine of {@link #SPIN_MIN_CORES} cores or more: on fewer the
   * spin takes the core the worker or the client needs (2-core VM: the overhead's P50 went up, not down).
   */
  private final ComeBack comeBack = new ComeBack();
  /** A spin a test fixed ({@link #spinAfterAnswer}); -1: {@link #comeBack}'s on a machine of enough cores, else none. */
  private volatile long fixedSpinNs = -1;
  /** Whether a request arrived since the last answer left (the first one's gap is a come-back). */
  private boolean arrivedSinceAnswer;
  /** Requests submitted so far and closes, read by the spinning thread without the lock. */
  private volatile long arrivals;
  /** When (System.nanoTime, not the ticker: tests' tickers stand still) the last batch's answers left, once any did. */
  private long answeredNanoTime;
  /** Whether the thread spins now, and the requests that arrived while it spun (tests). */
  volatile boolean spinning;
  final java.util.concurrent.atomic.AtomicLong caughtSpinning = new java.util.concurrent.atomic.AtomicLong();

  public Batcher(ImageBackend backend, Limits limits, Ticker ticker, ServeMetrics metrics, String model) {
    this.backend = backend;
    this.limits = limits;
    this.ticker = ticker;
    this.metrics = metrics;
    this.model = model;
    this.expected = limits.maxBatchImages();
    this.thread = Thread.ofPlatform().name("genbench-batcher").daemon().start(this::loop);
  }

  /**
   * Queues one request: {@code prompts.size()} images of {@code shape}.
   *
   * @throws QueueFull when {@code maxQueue} requests are waiting
   */
  public CompletableFuture<Outcome> submit(ImageBatch.Shape shape, List<String> prompts, long[] seeds) {
    return submit(shape, prompts, seeds, NOTHING);
  }

  /**
   * As {@link #submit(ImageBatch.Shape, List, long[])}; {@code endsWithin} hears when the request's batch is about to
   * compute and once it has, before its images have landed ({@link ImageBackend#start(ImageBatch,
   * java.util.function.LongConsumer)}: serve's event loop then polls for the answer).
   */
  public CompletableFuture<Outcome> submit(ImageBatch.Shape shape, List<String> prompts, long[] seeds,
      java.util.function.LongConsumer endsWithin) {
    var done = new CompletableFuture<Outcome>();
    lock.lock();
    try {
      if (closed) throw new ImageBackend.Unavailable("the server is shutting down", null);
      if (queue.size() >= limits.maxQueue()) throw new QueueFull(limits.maxQueue());
      queue.add(new Job(shape, List.copyOf(prompts), seeds.clone(), ticker.read(), done, endsWithin));
      metrics.queued(queue.size());
      if (answeredSeq > 0 && !arrivedSinceAnswer) comeBack.cameBack(System.nanoTime() - answeredNanoTime);
      arrivedSinceAnswer = true;
      arrivals++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return done;
  }

  /** Requests waiting now. */
  public int waiting() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    while (true) {
      List<Job> batch;
      lock.lock();
      try {
        batch = next();
        if (batch == null) return;
        metrics.queued(queue.size());
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      run(batch);
    }
  }

  /** Waits for the next batch to be ready and takes it off the queue; null once closed. */
  private List<Job> next() throws InterruptedException {
    while (true) {
      if (closed) return null;
      if (queue.isEmpty()) {
        long spinUntil = answeredNanoTime + spinNs();
        if (answeredSeq > 0 && System.nanoTime() - spinUntil < 0) {
          spin(spinUntil);
        } else {
          changed.await();
        }
        continue;
      }
      Job head = queue.getFirst();
      List<Job> pick = new ArrayList<>();
      int images = 0;
      boolean full = false;
      for (Job job : queue) {
        if (!job.shape().equals(head.shape())) continue;
        if (!pick.isEmpty() && images + job.prompts().size() > limits.maxBatchImages()) {
          full = true;
          break;
        }
        pick.add(job);
        images += job.prompts().size();
        if (images >= limits.maxBatchImages()) {
          full = true;
          break;
        }
      }
      // the clients expected back can only come once their answers have left: the delay counts from then
      long now = ticker.read();
      boolean answersOut = answeredSeq >= batches || now - freeSinceNs >= ANSWER_WAIT_NS || limits.maxQueueDelayNs() == 0;
      long opened = Math.max(head.submittedNs(), Math.max(freeSinceNs, answersOut ? answeredAtNs : now));
      long waitNs = answersOut ? opened + limits.maxQueueDelayNs() - now : Math.min(limits.maxQueueDelayNs(), ANSWER_WAIT_NS - (now - freeSinceNs));
      if (full || images >= expected || (answersOut && waitNs <= 0)) {
        for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
          if (pick.contains(it.next())) it.remove();
        }
        return pick;
      }
      changed.awaitNanos(waitNs);
    }
  }

  /**
   * Spins without the lock until a request arrives (or the batcher closes) or {@code until} (System.nanoTime) passes;
   * called and returns with the lock held.
   */
  private void spin(long until) {
    long seen = arrivals;
    lock.unlock();
    spinning = true;
    try {
      while (arrivals == seen && System.nanoTime() - until < 0) Thread.onSpinWait();
    } finally {
      spinning = false;
      lock.lock();
    }
    if (arrivals != seen && !closed) caughtSpinning.incrementAndGet();
  }

  /** Spins this long after each batch's answers left (tests: a long one, so a request is sure to come during it; 0: none). */
  void spinAfterAnswer(java.time.Duration d) {
    fixedSpinNs = d.toNanos();
  }

  private long spinNs() {
    long fixed = fixedSpinNs;
    return fixed >= 0 ? fixed : SPIN_HERE ? comeBack.waitNs() : 0;
  }

  /**
   * How long a thread that wrote an answer should wait for the next request polling before it sleeps: how soon this
   * batcher's clients came back after their answers ({@link ComeBack}).
   */
  long comeBackNs() {
    return comeBack.waitNs();
  }

  /**
   * Runs one batch: starts it on the backend and, once the backend is free again (its compute done), lets the next batch
   * go while this one's images are still on their way (read back, then encoded by the server): the batches are
   * pipelined. Each request's outcome completes when its images have landed (its images' own future when they are read),
   * on the thread that sees them land (the worker's reader): this thread, which waits for the compute, need not wake
   * first. The backend's freedom is likewise taken by the thread that sees it, so that what was queued when the
   * compute ended is what the next batch expects however late this thread wakes.
   */
  private void run(List<Job> batch) {
    List<String> prompts = new ArrayList<>();
    long[] seeds = new long[batch.stream().mapToInt(j -> j.prompts().size()).sum()];
    for (Job job : batch) {
      System.arraycopy(job.seeds(), 0, seeds, prompts.size(), job.seeds().length);
      prompts.addAll(job.prompts());
    }
    long seq = ++batches;
    long start = ticker.read();
    ServeTrace.mark("batch", seq);
    ImageBackend.Started started;
    try {
      started = backend.start(new ImageBatch(batch.getFirst().shape(), prompts, seeds), ns -> batch.forEach(job -> job.endsWithin().accept(ns)));
    } catch (RuntimeException | Error e) {
      ended(prompts.size());
      fail(batch, seq, e);
      return;
    }
    boolean inHand = started.landed().isDone() && started.computed().isDone();  // a backend in the JVM: no trip back
    // {time the backend was free (ticker), its own compute time or -1}; the batch's failure is the landed future's
    CompletableFuture<long[]> free = started.computed().handle((computeNs, failure) -> {
      ended(prompts.size());
      return new long[] {ticker.read(), failure == null && computeNs != null ? computeNs : -1};
    });
    CompletableFuture<List<ImageBackend.Image>> all = started.images().thenApply(images -> {
      if (images.size() != prompts.size()) {
        throw new IllegalStateException(backend.name() + " returned " + images.size() + " images for " + prompts.size() + " prompts");
      }
      return images;
    });
    started.landed().whenComplete((landed, failure) -> {
      if (failure != null) {
        fail(batch, seq, cause(failure));
        return;
      }
      long now = ticker.read();
      long[] f = free.getNow(new long[] {now, -1});  // a backend that lands before it says it is free: free now
      long freeNs = f[0] - start;
      long computeNs = f[1] >= 0 ? Math.min(f[1], freeNs) : freeNs;
      long callNs = inHand ? freeNs : now - start;
      metrics.batch(model, prompts.size());
      int from = 0;
      for (Job job : batch) {
        int a = from;
        int b = from + job.prompts().size();
        job.done().complete(new Outcome(all.thenApply(images -> images.subList(a, b)), start - job.submittedNs(), computeNs,
            Math.max(0, callNs - computeNs), prompts.size(), batch.size(), seq));
        from = b;
      }
    });
    free.join();  // the next batch goes once the backend is free (and ended() has run)
  }

  /** What a future failed of: the cause a {@code CompletionException} wraps, else the failure itself. */
  static Throwable cause(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : failure;
  }

  private void fail(List<Job> batch, long seq, Throwable e) {
    batch.forEach(job -> job.done().completeExceptionally(e));
    answered(seq);
  }

  /**
   * The answers of batch {@code batchSeq} have left (the server calls this once they are written, or failed): clients
   * waiting on them can now come back, and the wait for them counts from here. A batch's answers not reported within
   * {@link #ANSWER_WAIT_NS} of its end stop being waited for.
   */
  public void answered(long batchSeq) {
    lock.lock();
    try {
      if (batchSeq > answeredSeq) {
        answeredSeq = batchSeq;
        answeredAtNs = ticker.read();
        answeredNanoTime = System.nanoTime();
        arrivedSinceAnswer = false;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The backend is free again: the next batch expects this one's images and those queued meanwhile. */
  private void ended(int images) {
    lock.lock();
    try {
      int queued = queue.stream().mapToInt(j -> j.prompts().size()).sum();
      expected = (int) Math.max(1, Math.min(limits.maxBatchImages(), (long) images + queued));
      freeSinceNs = ticker.read();
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking batches; the batch in flight finishes, requests still waiting fail as unavailable. */
  @Override
  public void close() {
    List<Job> left;
    lock.lock();
    try {
      closed = true;
      arrivals++;
      left = new ArrayList<>(queue);
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    left.forEach(job -> job.done().completeExceptionally(new ImageBackend.Unavailable("the server is shutting down", null)));
    try {
      thread.join(java.time.Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
