package io.genbench.serve;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.execute.Ticker;
import io.genbench.metrics.ServeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The HTTP face of {@code genbench serve} (Vert.x core): OpenAI's {@code POST /v1/images/generations},
 * {@code /v1/completions} and {@code /v1/chat/completions} for a text model ({@link Completions}) and
 * {@code GET /v1/models}, {@code /v1/images/files/<id>.png} (the images of {@code response_format: "url"} answers,
 * {@link ImageStore}), {@code /health} (the process answers), {@code /ready} (the model is built) and
 * {@code /metrics} (Prometheus text). It listens first and builds the backend after, so probes see it loading.
 *
 * <p>Every image response says what its request cost: a {@code Server-Timing} header
 * ({@code queue;dur=…, compute;dur=…, e2e;dur=…} in ms, and {@code batch;desc=…} images) and the same figures in the
 * body's {@code metrics} field ({@code queue_ms}, {@code compute_ms}, {@code e2e_ms}, {@code batch_size} images,
 * {@code batch_requests}). {@code e2e} runs from the request's headers read to its response ready to write.
 */
public final class ImageServer implements AutoCloseable {

  /**
   * @param host the address to listen on (127.0.0.1: this machine only)
   * @param port 0 for any free port
   * @param apiKey when set, {@code /v1/*} needs {@code Authorization: Bearer <apiKey>}; null for none
   * @param model the model id clients name (and {@code /v1/models} lists)
   * @param threads ONNX Runtime's intra-op threads for the backend, as {@code --threads}
   */
  public record Config(String host, int port, String apiKey, String model, RequestLimits requests, Batcher.Limits batching) {}

  static final String IMAGES = "/v1/images/generations";
  /** Where {@code response_format: "url"} images are served: {@code FILES + <id>.png}. */
  static final String FILES = "/v1/images/files/";

  private final Config config;
  private final ServeMetrics metrics;
  private final Vertx vertx;
  /** The event loops' polling for what is due within moments (an answer, a client's next request). */
  private final ServeLoops loops;
  private final ExecutorService encoders;
  private final BatchRelease release = new BatchRelease();
  private final ImageStore store;
  private final CompletableFuture<ImageBackend> backend = new CompletableFuture<>();
  private final long createdEpochS = System.currentTimeMillis() / 1000;
  private volatile Batcher batcher;
  /** During the warm-up (before /ready): the batcher its requests go to, and the metrics they count in (not served). */
  private volatile Batcher warmBatcher;
  private final ServeMetrics warmMetrics = new ServeMetrics(io.genbench.metrics.GpuTelemetry.none());
  /** What a warm-up request carries in {@link ServeWarmUp#HEADER}: random per process, so no client can pass for one. */
  private final String warmToken = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
  private final CompletableFuture<ImageBackend> served = new CompletableFuture<>();
  private volatile Completions completions;
  private HttpServer server;

  private ImageServer(Config config, ServeMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    int cores = Runtime.getRuntime().availableProcessors();
    this.loops = new ServeLoops(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(Math.max(1, cores / 2))
        .setWorkerPoolSize(1).setInternalBlockingPoolSize(1), ServeLoops.pollHere());
    this.vertx = loops.vertx();
    this.encoders = Executors.newFixedThreadPool(Math.max(1, cores), Thread.ofPlatform().name("genbench-png-", 0).daemon().factory());
    this.store = new ImageStore(ImageStore.DEFAULT_MAX_IMAGES, ImageStore.DEFAULT_TTL_NS, Ticker.SYSTEM, encoders);
  }

  /**
   * Listens, then builds the backend on a thread of its own; {@link #ready()} completes when it is built.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound
   */
  public static ImageServer start(Config config, Supplier<ImageBackend> build, ServeMetrics metrics) {
    return start(config, build, metrics, 0);
  }

  /**
   * As {@link #start(Config, Supplier, ServeMetrics)}, and once an image model is built (and {@code warmupRequests} is
   * above 0), requests of the smallest size and one step go through the whole path before /ready says ready
   * ({@link ServeWarmUp}: {@value ServeWarmUp#IN_JVM_REQUESTS} against images made in the JVM, then
   * {@code warmupRequests} through the model), so that the JIT has compiled that path before the first client's
   * request: a fresh JVM runs it interpreted, several ms per answer. They count in no metric.
   */
  public static ImageServer start(Config config, Supplier<ImageBackend> build, ServeMetrics metrics, int warmupRequests) {
    ImageServer s = new ImageServer(config, metrics);
    metrics.ready(false);
    s.listen();
    Thread.ofPlatform().name("genbench-model-build").daemon().start(() -> {
      try {
        ImageBackend b = build.get();
        if (warmupRequests > 0 && b.generatesImages()) {
          s.backend.complete(b);
          var warmUp = new ServeWarmUp(s.warmUpTarget(), s.warmToken, config.apiKey(), b.sizeMultiple());
          // first the JVM's own path (HTTP, batcher, answers) many times over, against images made in the JVM at once;
          // then the model's path, the backend's own code included (the worker's pipe and pixel files)
          s.warmUp(new ServeWarmUp.InJvm(b.sizeMultiple()), () -> warmUp.run(ServeWarmUp.IN_JVM_REQUESTS, "the JVM (images made in it)"));
          s.warmUp(b, () -> warmUp.run(warmupRequests, "the model"));
        }
        s.batcher = new Batcher(b, config.batching(), Ticker.SYSTEM, metrics, config.model());
        b.text().ifPresent(t -> s.completions = new Completions(t, config.model(), config.batching().maxQueue(), metrics));
        s.backend.complete(b);
        metrics.ready(true);
        s.served.complete(b);
      } catch (RuntimeException | Error e) {
        s.backend.completeExceptionally(e);
        s.served.completeExceptionally(e);
      }
    });
    return s;
  }

  /** Runs {@code requests} with warm-up requests going to a batcher of their own over {@code backend}. */
  private void warmUp(ImageBackend backend, Runnable requests) {
    warmBatcher = new Batcher(backend, config.batching(), Ticker.SYSTEM, warmMetrics, config.model());
    try {
      requests.run();
    } finally {
      warmBatcher.close();
      warmBatcher = null;
    }
  }

  /** Where the warm-up sends its requests: this server, over loopback when it listens on every address. */
  private String warmUpTarget() {
    String h = config.host();
    if (h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) h = "127.0.0.1";
    return "http://" + (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + port();
  }

  /** A warm-up request's metrics are its own (never scraped); everything else counts in serve's. */
  private ServeMetrics metricsOf(HttpServerRequest req) {
    String t = req.getHeader(ServeWarmUp.HEADER);
    return t != null && MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), warmToken.getBytes(StandardCharsets.UTF_8))
        ? warmMetrics : metrics;
  }

  private void listen() {
    var options = new HttpServerOptions().setHost(config.host()).setPort(config.port()).setTcpNoDelay(true)
        .setMaxInitialLineLength(8192).setMaxHeaderSize(16 * 1024).setCompressionSupported(false);
    try {
      server = vertx.createHttpServer(options).requestHandler(this::handle).listen().toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      vertx.close();
      throw new java.io.UncheckedIOException(new java.io.IOException("cannot listen on " + config.host() + ":"
          + config.port() + ": " + e.getCause().getMessage(), e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The port it listens on (the one chosen, for port 0). */
  public int port() {
    return server.actualPort();
  }

  /** Whether the event loops poll for answers and requests due within moments ({@link ServeLoops}). */
  public boolean loopsPoll() {
    return loops.polls();
  }

  /** Nanoseconds serve's event loops polled in all ({@link ServeLoops}; tests). */
  long polledNs() {
    return loops.polledNs();
  }

  /** Completes with the backend once built (and the warm-up done), or with the reason it could not be. */
  public CompletableFuture<ImageBackend> ready() {
    return served;
  }

  private void handle(HttpServerRequest req) {
    long t0 = System.nanoTime();
    String path = req.path();
    HttpMethod method = req.method();
    try {
      switch (path) {
        case "/health" -> json(req, "/health", 200, "{\"status\":\"ok\"}");
        case "/ready" -> {
          if (batcher != null) json(req, "/ready", 200, "{\"status\":\"ready\"}");
          else json(req, "/ready", 503, backend.isCompletedExceptionally() ? "{\"status\":\"failed\"}"
              : backend.isDone() ? "{\"status\":\"warming\"}" : "{\"status\":\"loading\"}");
        }
        case "/metrics" -> {
          String text = metrics.scrape();
          metrics.request("/metrics", 200);
          req.response().putHeader("Content-Type", ServeMetrics.contentType()).end(text);
        }
        case "/v1/models" -> {
          authorize(req);
          json(req, path, 200, models());
        }
        case IMAGES -> {
          if (method != HttpMethod.POST) throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", "Use POST " + IMAGES + ".");
          authorize(req);
          readBody(req, body -> images(req, body, t0));
        }
        case Completions.COMPLETIONS, Completions.CHAT -> {
          if (method != HttpMethod.POST) throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", "Use POST " + path + ".");
          authorize(req);
          readBody(req, body -> completions(req, path, body, t0));
        }
        default -> {
          if (path.startsWith(FILES)) {
            file(req, path);
            return;
          }
          throw new ApiError(404, "invalid_request_error", null, "not_found", "Unknown path " + path
            + ". Served: POST " + IMAGES + ", POST " + Completions.COMPLETIONS + ", POST " + Completions.CHAT
            + ", GET /v1/models, " + FILES + "<id>.png, /health, /ready, /metrics.");
        }
      }
    } catch (ApiError e) {
      error(req, endpoint(path), e);
    }
  }

  private static String endpoint(String path) {
    return switch (path) {
      case "/health", "/ready", "/metrics", "/v1/models", IMAGES, Completions.COMPLETIONS, Completions.CHAT -> path;
      default -> path.startsWith(FILES) ? FILES : "other";
    };
  }

  private void authorize(HttpServerRequest req) {
    if (config.apiKey() == null) return;
    String given = req.getHeader("Authorization");
    String expected = "Bearer " + config.apiKey();
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiError(401, "invalid_request_error", null, "invalid_api_key", given == null
          ? "No API key given: send the header 'Authorization: Bearer <key>' with the key serve was started with (--api-key)."
          : "Incorrect API key provided (the header 'Authorization: Bearer <key>', the key of --api-key).");
    }
  }

  /** Reads the body up to the limit; a longer one gets 413 without being read further. */
  private void readBody(HttpServerRequest req, java.util.function.Consumer<String> then) {
    int max = config.requests().maxBodyBytes();
    String length = req.getHeader("Content-Length");
    ApiError tooLarge = new ApiError(413, "invalid_request_error", null, "request_too_large",
        "The request body is larger than " + max + " bytes.");
    try {
      if (length != null && Long.parseLong(length.trim()) > max) {
        req.response().putHeader("Connection", "close");
        error(req, IMAGES, tooLarge);
        return;
      }
    } catch (NumberFormatException e) {
      // Netty's decoder refuses a malformed Content-Length before this point
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) return;
      body.appendBuffer(chunk);
      if (body.length() > max) {
        refused[0] = true;
        req.response().putHeader("Connection", "close");
        error(req, IMAGES, tooLarge);
      }
    });
    req.endHandler(v -> {
      if (!refused[0]) then.accept(body.toString(StandardCharsets.UTF_8));
    });
  }

  private void images(HttpServerRequest req, String body, long t0) {
    ServeTrace.mark("arrived", t0);
    ServeMetrics metrics = metricsOf(req);
    Batcher b = metrics == warmMetrics ? warmBatcher : batcher;
    if (b == null) {
      error(req, IMAGES, new ApiError(503, "server_error", null, "model_not_ready", backend.isCompletedExceptionally()
          ? "The model could not be built; see the server's log." : "The model is still being built; retry when /ready answers 200."));
      return;
    }
    if (!backend.join().generatesImages()) {
      error(req, IMAGES, new ApiError(400, "invalid_request_error", "model", "model_not_supported", "The model " + config.model()
          + " generates text: use POST " + Completions.COMPLETIONS + " or " + Completions.CHAT + "."));
      return;
    }
    ImageRequest request;
    CompletableFuture<Batcher.Outcome> outcome;
    Context ctx = vertx.getOrCreateContext();
    // what the loop polled for after its last answer came; another request's answer it was woken for (their batches
    // differ) then costs a wake-up, as without polling
    loops.stopPolling(ctx);
    try {
      request = ImageRequest.parse(body, config.requests(), names(),
          backend.join().sizeMultiple(), ThreadLocalRandom.current().nextLong(1L << 32));
      // the loop polls from the compute's end (ns 0), or with -Dgenbench.serve.pollFromSoon=true already from the worker's
      // soon (the compute ends within ns), until the answer is out
      outcome = b.submit(request.shape(), request.prompts(), request.seeds(), ns -> {
        if (ns == 0 || ServeLoops.POLL_FROM_SOON) loops.pollFor(ctx, ns + ServeLoops.FOR_ANSWER_NS);
      });
      loops.awaiting(ctx);
    } catch (ApiError e) {
      error(req, IMAGES, e);
      return;
    } catch (Batcher.QueueFull e) {
      error(req, IMAGES, new ApiError(429, "requests", null, "rate_limit_exceeded", "The server is busy: " + e.getMessage()
          + ". Retry later, or start serve with a larger --max-queue."));
      return;
    } catch (ImageBackend.Unavailable e) {
      error(req, IMAGES, new ApiError(503, "server_error", null, "unavailable", e.getMessage()));
      return;
    }
    outcome.whenComplete((o, failure) -> {
      if (failure != null) {
        Throwable cause = Batcher.cause(failure);
        ctx.runOnContext(v -> {
          error(req, IMAGES, cause instanceof ImageBackend.Unavailable u
              ? new ApiError(503, "server_error", null, "unavailable", u.getMessage())
              : new ApiError(500, "server_error", null, "internal_error", "The backend failed: " + cause));
          loops.answered(ctx, b.comeBackNs());
        });
        return;
      }
      long handed = System.nanoTime();
      ServeTrace.mark("handed", o.batchSeq());
      if (request.url()) {
        answerWithUrls(req, ctx, b, o, request.prompts().size(), handed, t0, metrics);
        return;
      }
      release.join(o, o.images().thenCompose(read -> ImageResponse.encode(read, encoders)), (images, failure2) -> {
        long ready = System.nanoTime();
        ServeTrace.mark("ready", o.batchSeq());
        b.answered(o.batchSeq());
        ctx.runOnContext(v -> {
          ServeTrace.mark("loop", o.batchSeq());
          if (failure2 != null) {
            error(req, IMAGES, new ApiError(500, "server_error", null, "internal_error", "Reading or encoding the images failed: "
                + Batcher.cause(failure2)));
            loops.answered(ctx, b.comeBackNs());
            return;
          }
          long encodeNs = ready - handed;
          long e2eNs = ready - t0;
          metrics.imageRequest(config.model(), e2eNs, o.queueNs(), o.computeNs(), encodeNs);
          metrics.request(IMAGES, 200);
          Buffer answer = images.body(metricsJson(o, encodeNs, e2eNs));
          String timing = serverTiming(o, encodeNs, e2eNs);
          ServeTrace.mark("ending", o.batchSeq());
          ServeTrace.markWhenDone("flushed", o.batchSeq(), req.response().putHeader("Content-Type", "application/json")
              .putHeader("Server-Timing", timing).end(answer));
          loops.answered(ctx, b.comeBackNs());
        });
      });
    });
  }

  /**
   * {@code response_format: "url"}: the {@code count} images go to the {@link ImageStore} (read back and encoded as PNG
   * in the background) and the answer carries their URLs on this server, {@code http://<Host>/v1/images/files/<id>.png}:
   * it leaves as soon as the images have landed, without waiting for them to be read.
   */
  private void answerWithUrls(HttpServerRequest req, Context ctx, Batcher b, Batcher.Outcome o, int count, long handed, long t0,
      ServeMetrics metrics) {
    String host = req.getHeader("Host");
    String base = "http://" + (host != null && !host.isBlank() ? host : config.host() + ":" + port());
    // written as text, not a JSON tree: on the answer's path (issue 20); the Host header is the client's, so escaped
    char[] quotedBase = JsonStringEncoder.getInstance().quoteAsString(base + FILES);
    StringBuilder head = new StringBuilder(64 + count * (quotedBase.length + 56)).append("{\"created\":")
        .append(System.currentTimeMillis() / 1000).append(",\"data\":[");
    for (int k = 0; k < count; k++) {
      int i = k;
      head.append(k == 0 ? "{\"url\":\"" : ",{\"url\":\"").append(quotedBase)
          .append(store.put(o.images().thenApply(images -> images.get(i)))).append(".png\"}");
    }
    head.append("],\"metrics\":");
    release.join(o, CompletableFuture.completedFuture(head), (answer, failure) -> {
      long ready = System.nanoTime();
      ServeTrace.mark("ready", o.batchSeq());
      b.answered(o.batchSeq());
      ctx.runOnContext(v -> {
        ServeTrace.mark("loop", o.batchSeq());
        long encodeNs = ready - handed;
        long e2eNs = ready - t0;
        metrics.imageRequest(config.model(), e2eNs, o.queueNs(), o.computeNs(), encodeNs);
        metrics.request(IMAGES, 200);
        String body = appendMetrics(answer, o, encodeNs, e2eNs).append('}').toString();
        String timing = serverTiming(o, encodeNs, e2eNs);
        ServeTrace.mark("ending", o.batchSeq());
        ServeTrace.markWhenDone("flushed", o.batchSeq(), req.response().putHeader("Content-Type", "application/json")
            .putHeader("Server-Timing", timing).end(body));
        loops.answered(ctx, b.comeBackNs());
      });
    });
  }

  /** {@code GET /v1/images/files/<id>.png}: a stored image's PNG, or 404 once it is gone (or never was). */
  private void file(HttpServerRequest req, String path) {
    if (req.method() != HttpMethod.GET) throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", "Use GET " + FILES + "<id>.png.");
    String name = path.substring(FILES.length());
    CompletableFuture<byte[]> png = name.matches("[0-9a-f]{32}\\.png") ? store.get(name.substring(0, 32)) : null;
    if (png == null) {
      throw new ApiError(404, "invalid_request_error", null, "not_found", "No image " + name + " here: image URLs last "
          + ImageStore.DEFAULT_TTL_NS / 60_000_000_000L + " minutes and the newest " + ImageStore.DEFAULT_MAX_IMAGES + " images.");
    }
    Context ctx = vertx.getOrCreateContext();
    png.whenComplete((bytes, failure) -> ctx.runOnContext(v -> {
      if (failure != null) {
        error(req, FILES, new ApiError(500, "server_error", null, "internal_error", "Reading or encoding the image failed: "
            + Batcher.cause(failure)));
        return;
      }
      metricsOf(req).request(FILES, 200);
      req.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(bytes)));
    }));
  }

  /** The names a request's {@code model} may take: the served id and the model as built. */
  private Set<String> names() {
    return new java.util.TreeSet<>(List.of(config.model(), backend.join().builtModel()));
  }

  private void completions(HttpServerRequest req, String path, String body, long t0) {
    if (batcher == null) {
      error(req, path, new ApiError(503, "server_error", null, "model_not_ready", backend.isCompletedExceptionally()
          ? "The model could not be built; see the server's log." : "The model is still being built; retry when /ready answers 200."));
      return;
    }
    Completions c = completions;
    if (c == null) {
      error(req, path, new ApiError(400, "invalid_request_error", "model", "model_not_supported", "The model " + config.model()
          + " generates images: use POST " + IMAGES + "."));
      return;
    }
    CompletionRequest request;
    try {
      request = CompletionRequest.parse(body, path.equals(Completions.CHAT), config.requests(),
          names());
    } catch (ApiError e) {
      error(req, path, e);
      return;
    }
    c.handle(req, vertx.getOrCreateContext(), request, t0);
  }

  /** The {@code Server-Timing} of an image response (ms): queue, compute, transfer, encode, e2e, and the batch's images. */
  static String serverTiming(Batcher.Outcome o, long encodeNs, long e2eNs) {
    StringBuilder t = new StringBuilder(128);
    Millis.append(t.append("queue;dur="), o.queueNs());
    Millis.append(t.append(", compute;dur="), o.computeNs());
    Millis.append(t.append(", transfer;dur="), o.transferNs());
    Millis.append(t.append(", encode;dur="), encodeNs);
    Millis.append(t.append(", e2e;dur="), e2eNs);
    return t.append(", batch;desc=\"").append(o.batchImages()).append('"').toString();
  }

  /** The body's {@code metrics} field: the same figures as {@link #serverTiming}, and the batch's requests. */
  static String metricsJson(Batcher.Outcome o, long encodeNs, long e2eNs) {
    return appendMetrics(new StringBuilder(160), o, encodeNs, e2eNs).toString();
  }

  private static StringBuilder appendMetrics(StringBuilder m, Batcher.Outcome o, long encodeNs, long e2eNs) {
    Millis.append(m.append("{\"queue_ms\":"), o.queueNs());
    Millis.append(m.append(",\"compute_ms\":"), o.computeNs());
    Millis.append(m.append(",\"transfer_ms\":"), o.transferNs());
    Millis.append(m.append(",\"encode_ms\":"), encodeNs);
    Millis.append(m.append(",\"e2e_ms\":"), e2eNs);
    return m.append(",\"batch_size\":").append(o.batchImages()).append(",\"batch_requests\":").append(o.batchRequests()).append('}');
  }

  private String models() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    ObjectNode m = data.addObject();
    m.put("id", config.model());
    m.put("object", "model");
    m.put("created", createdEpochS);
    m.put("owned_by", "genbench");
    ImageBackend b = backend.getNow(null);
    if (b != null) {
      ObjectNode g = m.putObject("genbench");
      g.put("backend", b.name());
      g.put("built_model", b.builtModel());
      g.put("size_multiple", b.sizeMultiple());
    }
    return root.toString();
  }

  private void json(HttpServerRequest req, String endpoint, int status, String body) {
    metricsOf(req).request(endpoint, status);
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  private void error(HttpServerRequest req, String endpoint, ApiError e) {
    HttpServerResponse r = req.response();
    if (r.ended()) return;
    if (e.status() == 401) r.putHeader("WWW-Authenticate", "Bearer");
    json(req, endpoint, e.status(), e.body());
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // closing anyway
    }
    Batcher b = batcher;
    if (b != null) b.close();
    Completions c = completions;
    if (c != null) c.close();
    backend.thenAccept(ImageBackend::close);
    encoders.shutdown();
    vertx.close();
  }

  /** Hosts that reach only this machine. */
  public static boolean isLoopback(String host) {
    List<String> loopback = new ArrayList<>(List.of("127.0.0.1", "localhost", "::1", "[::1]"));
    return loopback.contains(host.toLowerCase(Locale.ROOT)) || host.startsWith("127.");
  }
}
