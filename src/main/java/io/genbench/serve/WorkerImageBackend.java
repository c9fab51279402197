package io.genbench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.metrics.ServeMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The PyTorch worker behind serve: one supervised {@link WorkerProcess} per GPU ({@code --gpus}), or one on the device
 * the worker picks. A batch of images is split over the workers in contiguous parts that run at once; a text request
 * runs on one idle worker. A crashed worker fails its requests in flight with 503, is restarted and counted in
 * {@code genbench_worker_restarts_total}.
 */
public final class WorkerImageBackend implements ImageBackend, TextBackend {

  /**
   * How to start the workers.
   *
   * @param python the interpreter with torch
   * @param workerSource the folder holding the {@code genbench_worker} package
   * @param model the model id the worker's registry knows, e.g. {@code facebook/opt-125m}
   * @param precision {@code float32 | float16 | bfloat16}
   * @param tiny the architecture's tiny configuration (tests)
   * @param weights local weights, or null for random
   * @param backend {@code torch} or {@code diffusers}
   * @param device the worker's {@code --device}: {@code auto} (cuda when it has one), {@code cpu}, {@code cuda}
   * @param gpus one worker per index, each seeing that GPU only; empty for one worker
   * @param buildTimeout how long a worker may take to build the model
   * @param maxBatch the largest batch the batcher sends (the worker picks its UNet memory format by it)
   */
  public record Config(String python, Path workerSource, String model, String precision, boolean tiny, String weights,
      String backend, String device, List<String> gpus, Duration buildTimeout, int maxBatch) {
    public Config {
      gpus = List.copyOf(gpus);
    }

    List<String> command() {
      List<String> c = new ArrayList<>(List.of(python, "-m", "genbench_worker.serve", "--model", model, "--precision", precision,
          "--backend", backend, "--device", device, "--max-batch", Integer.toString(maxBatch)));
      if (tiny) c.add("--tiny");
      if (weights != null) c.addAll(List.of("--weights", weights));
      if (ServeLoops.pollHere()) {
        c.addAll(List.of("--spin-ms", Double.toString(WORKER_SPIN_MS), "--soon-ms", Double.toString(WORKER_SOON_MS)));
      }
      return c;
    }
  }

  /**
   * How long the worker polls its stdin for the next request after each answer, where serve's loops poll too
   * ({@link ServeLoops#pollHere}): at one request at a time the next one reaches it ~1.5 ms after its answer line.
   */
  static final double WORKER_SPIN_MS = 3.0;

  /**
   * How long before a batch's compute is expected to end the worker says {@code soon} (where serve's loops poll): the
   * reader's wake-up for that line is off the request's path, and it then polls for the {@code computed} line
   * ({@link WorkerProcess}).
   */
  static final double WORKER_SOON_MS = 2.0;

  private final Config config;
  private final List<WorkerProcess> workers;
  private final PixelFiles pixels;
  private final BlockingQueue<WorkerProcess> idle;
  private final JsonNode ready;
  /** Reads batches' pixels back, one batch after the other, while the workers compute the next. */
  private final java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newSingleThreadExecutor(
      Thread.ofPlatform().name("genbench-pixels").daemon().factory());
  private volatile PixelReader reader;

  private WorkerImageBackend(Config config, List<WorkerProcess> workers, PixelFiles pixels, JsonNode ready) {
    this.config = config;
    this.workers = workers;
    this.pixels = pixels;
    this.reader = pixels::read;
    this.idle = new LinkedBlockingQueue<>(workers);
    this.ready = ready;
  }

  /**
   * Starts the workers and waits until each has built the model.
   *
   * @throws IllegalStateException when one cannot (its reason and log tail in the message)
   */
  public static WorkerImageBackend start(Config config, ServeMetrics metrics) {
    List<String> gpus = config.gpus().isEmpty() ? java.util.Collections.singletonList(null) : config.gpus();
    PixelFiles pixels = PixelFiles.create(gpus.size());
    List<WorkerProcess> workers = new ArrayList<>();
    for (String gpu : gpus) {
      workers.add(WorkerProcess.start(new WorkerProcess.Launch(config.command(), config.workerSource(), gpu, config.buildTimeout(),
          () -> metrics.workerRestart(config.backend()))));
    }
    JsonNode first = null;
    try {
      for (WorkerProcess w : workers) {
        JsonNode r = w.ready().get();
        if (first == null) first = r;
      }
    } catch (ExecutionException e) {
      workers.forEach(WorkerProcess::close);
      pixels.close();
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      workers.forEach(WorkerProcess::close);
      pixels.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new WorkerImageBackend(config, workers, pixels, first);
  }

  /** The model's family as the worker built it: {@code sd}, {@code sdxl}, {@code svd} or {@code opt}. */
  public String family() {
    return ready.path("family").asText();
  }

  /** The device the workers run on ({@code cuda} or {@code cpu}). */
  public String device() {
    return ready.path("device").asText();
  }

  /** The first worker's model build, seconds. */
  public double buildSeconds() {
    return ready.path("load_ns").asLong() / 1e9;
  }

  /** Requests in flight in the workers now. */
  int inFlight() {
    return workers.stream().mapToInt(WorkerProcess::inFlight).sum();
  }

  /** Lines the workers' readers caught spinning after a {@code soon} (tests). */
  long caughtAfterSoon() {
    return workers.stream().mapToLong(w -> w.caughtAfterSoon.get()).sum();
  }

  /** The workers' current process ids, for tests that kill one. */
  List<Long> pids() {
    return workers.stream().map(WorkerProcess::pid).toList();
  }

  @Override
  public String name() {
    return config.backend() + "-" + device();
  }

  @Override
  public String builtModel() {
    return config.model() + (config.tiny() ? " (tiny)" : "");
  }

  @Override
  public int sizeMultiple() {
    return 8;
  }

  @Override
  public boolean generatesImages() {
    return family().equals("sd") || family().equals("sdxl");
  }

  @Override
  public Optional<TextBackend> text() {
    return family().equals("opt") ? Optional.of(this) : Optional.empty();
  }

  @Override
  public List<Image> generate(ImageBatch batch) {
    try {
      return start(batch).images().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
  }

  /**
   * Splits the batch over the workers; each writes its part's pixels to a file leased for it ({@link PixelFiles}: one
   * of its two, never one still being read), and returns once the parts are sent. The batch has computed when every
   * part's compute is done (its {@code computed} line, or its result from a worker that sends none): the workers are
   * free for the next batch, which goes out while they write this one's pixels and this side reads them back. The
   * batch has landed when every part's result line is in, completed on the thread that reads the last one (so what
   * depends on it, a {@code url} answer, runs there and waits for no other thread's wake-up); then one reader thread
   * reads the pixels (so batches' images complete in order) and releases the files. The compute time is the slowest
   * part's own loop ({@code compute_ns}), not the pixels' trip.
   */
  @Override
  public Started start(ImageBatch batch) {
    return start(batch, ns -> {});
  }

  /**
   * As {@link #start(ImageBatch)}; {@code endsWithin} hears each part's {@code soon} (the nanoseconds within which its
   * compute should end) and, with 0, the last part's compute done, on the thread that reads that line.
   */
  @Override
  public Started start(ImageBatch batch, java.util.function.LongConsumer endsWithin) {
    int parts = Math.min(workers.size(), batch.size());
    List<PixelFiles.Lease> leases = new ArrayList<>();
    List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
    List<CompletableFuture<JsonNode>> computed = new ArrayList<>();
    var toCompute = new java.util.concurrent.atomic.AtomicInteger(parts);
    try {
      int from = 0;
      for (int i = 0; i < parts; i++) {
        int to = from + (batch.size() - from) / (parts - i);
        PixelFiles.Lease lease = pixels.acquire(i, LEASE_WAIT_NS);
        if (lease == null) {
          throw new Unavailable("worker " + i + "'s pixel files were both still being read after " + LEASE_WAIT_NS / 1_000_000_000L + " s", null);
        }
        leases.add(lease);
        CompletableFuture<JsonNode> done = new CompletableFuture<>();
        // called, once per part, by the thread that reads the part's computed line (or its result, without one) before
        // it completes `done`: not a dependent of `done`, which a thread joining it may run instead
        var counted = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable partComputed = () -> {
          if (counted.compareAndSet(false, true) && toCompute.decrementAndGet() == 0) endsWithin.accept(0);
        };
        ObjectNode request = imagesRequest(batch, from, to, lease.file());
        CompletableFuture<JsonNode> result = workers.get(i).send(request, event -> {
          if (event.path("type").asText().equals("soon")) {
            endsWithin.accept(WorkerProcess.soonWithinNs(event));
          } else if (event.path("type").asText().equals("computed")) {
            ServeTrace.mark("computed", event.path("id").asText());
            partComputed.run();
            done.complete(event);
          }
        });
        String id = request.path("id").asText();  // set by send
        ServeTrace.mark("sent", id);
        // the batch lands on what follows these marks and completions (a future's dependents run last registered first)
        sent.add(result.whenComplete((r, f) -> {
          ServeTrace.mark("line", id);
          if (f != null) {
            done.completeExceptionally(f);
          } else {
            partComputed.run();
            done.complete(r);
          }
        }));
        computed.add(done);
        from = to;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      releaseWhenDone(sent, leases);
      throw new Unavailable("interrupted", e);
    } catch (RuntimeException e) {
      releaseWhenDone(sent, leases);
      throw e;
    }
    // computed: the slowest part's own compute time, once every part has computed (or why one failed, as the result says)
    CompletableFuture<Long> computedAll = CompletableFuture.allOf(computed.toArray(CompletableFuture[]::new)).handle((v, f) -> {
      long computeNs = 0;
      for (CompletableFuture<JsonNode> part : computed) computeNs = Math.max(computeNs, await(part).path("compute_ns").asLong());
      return computeNs;
    });
    PixelReader read = reader;
    // landed: every part's result line is in (its pixels in its file); the images are read from the files after that
    CompletableFuture<Void> landed = CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((v, f) -> {
      sent.forEach(WorkerImageBackend::await);  // the first part's failure, as the server answers it
      return null;
    });
    CompletableFuture<List<Image>> images = landed.handleAsync((v, f) -> {
      try {
        if (f != null) throw f instanceof CompletionException c ? c : new CompletionException(f);
        List<Image> all = new ArrayList<>(batch.size());
        for (CompletableFuture<JsonNode> part : sent) {
          JsonNode result = await(part);
          String id = result.path("id").asText();
          ServeTrace.mark("readStart", id);
          all.addAll(images(result, read));
          ServeTrace.mark("read", id);
        }
        return all;
      } finally {
        leases.forEach(pixels::release);
      }
    }, readers);
    return new Started(computedAll, landed, images);
  }

  /** Gives each lease back once its worker is done with the request that named its file (a failed batch's). */
  private void releaseWhenDone(List<CompletableFuture<JsonNode>> sent, List<PixelFiles.Lease> leases) {
    for (int i = 0; i < leases.size(); i++) {
      PixelFiles.Lease lease = leases.get(i);
      if (i < sent.size()) sent.get(i).whenComplete((r, f) -> pixels.release(lease));
      else pixels.release(lease);
    }
  }

  /** How long a batch waits for one of a worker's pixel files to be read before it fails as unavailable. */
  static final long LEASE_WAIT_NS = 60_000_000_000L;

  /** Reads {@code length} bytes at {@code offset} of a pixel file; the backend's {@link PixelFiles#read}, or a test's. */
  @FunctionalInterface
  interface PixelReader {
    byte[] read(Path file, long offset, int length);
  }

  /** Reads the pixel files with {@code r} from now on (tests: a slow reader); {@link #pixelFiles} is the usual one. */
  void readWith(PixelReader r) {
    reader = r;
  }

  /** The reader of this backend's own pixel files (their mappings kept for its life). */
  PixelReader pixelFiles() {
    return pixels::read;
  }

  /**
   * The images of one result line: from its {@code pixels_file} through {@code read}, or (a worker that answers in the
   * line) base64.
   */
  static List<Image> images(JsonNode result, PixelReader read) {
    List<Image> images = new ArrayList<>();
    Base64.Decoder b64 = Base64.getDecoder();
    String file = result.path("pixels_file").asText(null);
    for (JsonNode image : result.path("images")) {
      int w = image.path("width").asInt();
      int h = image.path("height").asInt();
      byte[] rgb = file != null ? read.read(Path.of(file), image.path("offset").asLong(), image.path("length").asInt())
          : b64.decode(image.path("rgb_b64").asText());
      if (rgb.length != 3L * w * h) {
        throw new IllegalStateException("the worker's image is " + rgb.length + " bytes for " + w + "x" + h + " RGB (" + 3L * w * h + ")");
      }
      images.add(new Image(w, h, rgb));
    }
    return images;
  }

  @Override
  public int concurrency() {
    return workers.size();
  }

  @Override
  public Completion generate(Request request, Consumer<Token> onToken) {
    WorkerProcess w;
    try {
      w = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted", e);
    }
    try {
      JsonNode done = await(w.send(generateRequest(request), event -> onToken.accept(new Token(event.path("index").asInt(), event.path("token_id").asInt(),
          event.path("text").asText()))));
      List<Integer> ids = new ArrayList<>();
      done.path("token_ids").forEach(id -> ids.add(id.asInt()));
      return new Completion(ids, done.path("text").asText(), done.path("prompt_tokens").asInt(), done.path("completion_tokens").asInt(),
          done.path("finish_reason").asText(), done.path("ttft_ns").asLong(), done.path("compute_ns").asLong());
    } finally {
      idle.add(w);
    }
  }

  /**
   * The worker's {@code images} request (protocol/schema/serve-requests.schema.json) for images from..to-1 of a batch:
   * pixels to {@code pixelsFile} (format {@code file}), or in the result line as base64 when it is null.
   */
  static ObjectNode imagesRequest(ImageBatch batch, int from, int to, Path pixelsFile) {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("type", "images");
    ArrayNode prompts = m.putArray("prompts");
    batch.prompts().subList(from, to).forEach(prompts::add);
    ArrayNode seeds = m.putArray("seeds");
    for (int k = from; k < to; k++) seeds.add(batch.seeds()[k]);
    m.put("width", batch.shape().size().width());
    m.put("height", batch.shape().size().height());
    m.put("steps", batch.shape().steps());
    m.put("guidance", batch.shape().guidance());
    if (pixelsFile == null) {
      m.put("format", "rgb");
    } else {
      m.put("format", "file");
      m.put("pixels_file", pixelsFile.toAbsolutePath().toString());
    }
    return m;
  }

  /** The worker's {@code generate} request, always streamed (the server stamps each token as it arrives). */
  static ObjectNode generateRequest(Request request) {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("type", "generate");
    if (request.text() != null) m.put("prompt", request.text());
    else request.ids().forEach(m.putArray("prompt_ids")::add);
    m.put("max_tokens", request.maxTokens());
    m.put("stream", true);
    m.put("ignore_eos", request.ignoreEos());
    return m;
  }

  /** The result line, or the failure as what the server answers: 503 for a crash, 400 for a refusal, else 500. */
  private static JsonNode await(CompletableFuture<JsonNode> result) {
    try {
      return result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Unavailable u) throw u;
      if (cause instanceof WorkerProcess.Refused r && r.kind().equals("bad_request")) {
        throw ApiError.field(null, "invalid_value", r.getMessage());
      }
      if (cause instanceof WorkerProcess.Refused r) throw new IllegalStateException("the worker failed the request (" + r.kind() + "): " + r.getMessage(), r);
      throw e;
    }
  }

  @Override
  public void close() {
    workers.forEach(WorkerProcess::close);
    readers.shutdown();
    try {
      readers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pixels.close();
  }
}
