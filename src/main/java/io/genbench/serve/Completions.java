package io.genbench.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.metrics.ServeMetrics;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * OpenAI's {@code POST /v1/completions} and {@code /v1/chat/completions} on a {@link TextBackend}, plain or streamed as
 * server-sent events ({@code data: {chunk}} lines, {@code data: [DONE]} last; with
 * {@code stream_options.include_usage} a chunk with empty {@code choices} and the {@code usage} before it).
 *
 * <p>No batching: each worker runs one request at a time (greedy decoding); requests wait in a FIFO queue of at most
 * {@code maxQueue} (429 beyond). Every response says what its request cost: {@code queue_ms} (arrival to its start),
 * {@code compute_ms} (the worker's own time, device synchronized), {@code ttft_ms} (arrival to the first token leaving
 * the worker), {@code e2e_ms} and {@code batch_size} 1, in a {@code metrics} field (streamed: in the chunk that carries
 * {@code finish_reason}), and as {@code Server-Timing} (streamed: {@code queue} only, as the headers leave with the
 * first token). The vLLM histograms are observed from the same stamps.
 */
final class Completions implements AutoCloseable {
  static final String COMPLETIONS = "/v1/completions";
  static final String CHAT = "/v1/chat/completions";

  private final TextBackend backend;
  private final String model;
  private final ServeMetrics metrics;
  private final ExecutorService queue;

  Completions(TextBackend backend, String model, int maxQueue, ServeMetrics metrics) {
    this.backend = backend;
    this.model = model;
    this.metrics = metrics;
    int n = backend.concurrency();
    this.queue = new ThreadPoolExecutor(n, n, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(maxQueue),
        Thread.ofPlatform().name("genbench-llm-", 0).daemon().factory());
  }

  /** Runs one parsed request and answers it on {@code req}; {@code t0} is its arrival ({@link System#nanoTime()}). */
  void handle(HttpServerRequest req, Context ctx, CompletionRequest request, long t0) {
    String endpoint = request.chat() ? CHAT : COMPLETIONS;
    var exchange = new Exchange(req, ctx, request, endpoint, t0);
    try {
      queue.execute(exchange::run);
    } catch (RejectedExecutionException e) {
      exchange.fail(new ApiError(429, "requests", null, "rate_limit_exceeded", "The server is busy: the queue is full"
          + " (--max-queue). Retry later, or start serve with a larger --max-queue."));
    }
  }

  /** One request from its arrival to its last byte. Token stamps are taken on the worker reader's thread. */
  private final class Exchange {
    private final HttpServerRequest req;
    private final Context ctx;
    private final CompletionRequest request;
    private final String endpoint;
    private final long t0;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final List<Long> tokenNs = new ArrayList<>();
    private volatile long startNs;
    private boolean headersSent;  // on the event loop only

    Exchange(HttpServerRequest req, Context ctx, CompletionRequest request, String endpoint, long t0) {
      this.req = req;
      this.ctx = ctx;
      this.request = request;
      this.endpoint = endpoint;
      this.t0 = t0;
      this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    void run() {
      startNs = System.nanoTime();
      TextBackend.Completion done;
      try {
        done = backend.generate(request.backendRequest(), this::token);
      } catch (ApiError e) {
        fail(e);
        return;
      } catch (ImageBackend.Unavailable e) {
        fail(new ApiError(503, "server_error", null, "unavailable", e.getMessage()));
        return;
      } catch (RuntimeException e) {
        fail(new ApiError(500, "server_error", null, "internal_error", "The backend failed: " + e.getMessage()));
        return;
      }
      long end = System.nanoTime();
      long[] itl;
      long ttft;
      synchronized (tokenNs) {
        ttft = tokenNs.isEmpty() ? -1 : tokenNs.getFirst() - t0;
        itl = new long[Math.max(0, tokenNs.size() - 1)];
        for (int i = 1; i < tokenNs.size(); i++) itl[i - 1] = tokenNs.get(i) - tokenNs.get(i - 1);
      }
      metrics.llmRequest(model, startNs - t0, ttft, end - t0, itl, done.promptTokens(), done.completionTokens());
      ObjectNode m = timings(done, end, ttft);
      ctx.runOnContext(v -> finish(done, m));
    }

    private void token(TextBackend.Token token) {
      long at = System.nanoTime();
      synchronized (tokenNs) {
        tokenNs.add(at);
      }
      if (!request.stream()) return;
      ObjectNode chunk = chunk();
      if (request.chat()) {
        ObjectNode delta = choice(chunk).putObject("delta");
        if (token.index() == 0) delta.put("role", "assistant");
        delta.put("content", token.text());
      } else {
        choice(chunk).put("text", token.text());
      }
      choice(chunk).putNull("logprobs");
      choice(chunk).putNull("finish_reason");
      String line = "data: " + chunk + "\n\n";
      ctx.runOnContext(v -> write(line));
    }

    private ObjectNode timings(TextBackend.Completion done, long end, long ttft) {
      ObjectNode m = Json.MAPPER.createObjectNode();
      m.put("queue_ms", ms(startNs - t0));
      m.put("compute_ms", ms(done.computeNs()));
      if (ttft >= 0) m.put("ttft_ms", ms(ttft));
      m.put("e2e_ms", ms(end - t0));
      m.put("batch_size", 1);
      return m;
    }

    private void write(String data) {
      HttpServerResponse r = req.response();
      if (r.ended() || r.closed()) return;
      if (!headersSent) {
        headersSent = true;
        r.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
            .putHeader("Server-Timing", "queue;dur=" + fixed(startNs - t0));
      }
      r.write(data);
    }

    private void finish(TextBackend.Completion done, ObjectNode timings) {
      HttpServerResponse r = req.response();
      ObjectNode usage = Json.MAPPER.createObjectNode();
      usage.put("prompt_tokens", done.promptTokens());
      usage.put("completion_tokens", done.completionTokens());
      usage.put("total_tokens", done.promptTokens() + done.completionTokens());
      if (!request.stream()) {
        ObjectNode body = object(request.chat() ? "chat.completion" : "text_completion");
        ObjectNode c = body.putArray("choices").addObject();
        c.put("index", 0);
        if (request.chat()) c.putObject("message").put("role", "assistant").put("content", done.text());
        else c.put("text", done.text());
        c.putNull("logprobs");
        c.put("finish_reason", done.finishReason());
        body.set("usage", usage);
        body.set("metrics", timings);
        metrics.request(endpoint, 200);
        if (r.ended() || r.closed()) return;
        r.putHeader("Content-Type", "application/json").putHeader("Server-Timing", "queue;dur=" + fixed(startNs - t0)
            + ", compute;dur=" + fixed(done.computeNs()) + ", e2e;dur=" + fixed(Math.round(timings.path("e2e_ms").asDouble() * 1e6))
            + ", batch;desc=\"1\"").end(body.toString());
        return;
      }
      ObjectNode last = chunk();
      ObjectNode c = choice(last);
      if (request.chat()) c.putObject("delta");
      else c.put("text", "");
      c.putNull("logprobs");
      c.put("finish_reason", done.finishReason());
      last.set("metrics", timings);
      write("data: " + last + "\n\n");
      if (request.includeUsage()) {
        ObjectNode u = chunk();
        u.putArray("choices");
        u.set("usage", usage);
        write("data: " + u + "\n\n");
      }
      write("data: [DONE]\n\n");
      metrics.request(endpoint, 200);
      if (!r.ended() && !r.closed()) r.end();
    }

    /** Answers an error: as a JSON body with its status before the stream began, else as a last {@code data:} event. */
    void fail(ApiError e) {
      ctx.runOnContext(v -> {
        HttpServerResponse r = req.response();
        metrics.request(endpoint, e.status());
        if (r.ended() || r.closed()) return;
        if (headersSent) {
          r.write("data: " + e.body() + "\n\n");
          r.end("data: [DONE]\n\n");
          return;
        }
        r.setStatusCode(e.status()).putHeader("Content-Type", "application/json").end(e.body());
      });
    }

    private ObjectNode object(String object) {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("id", id);
      o.put("object", object);
      o.put("created", created);
      o.put("model", model);
      return o;
    }

    private ObjectNode chunk() {
      ObjectNode o = object(request.chat() ? "chat.completion.chunk" : "text_completion");
      o.putArray("choices").addObject().put("index", 0);
      return o;
    }

    private static ObjectNode choice(ObjectNode chunk) {
      return (ObjectNode) chunk.path("choices").get(0);
    }
  }

  private static double ms(long ns) {
    return Math.round(ns / 1e3) / 1e3;
  }

  private static String fixed(long ns) {
    return Millis.append(new StringBuilder(), ns).toString();
  }

  @Override
  public void close() {
    queue.shutdownNow();
  }
}
