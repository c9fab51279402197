package io.genbench.load;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-like server on 127.0.0.1 (an ephemeral port) for tests: images JSON, SSE chat and completions streams
 * (with or without usage), HTTP errors, malformed bodies, a stall that never answers, a fixed service time, and a
 * one-time stall of the n-th request, and a Server-Timing header per request.
 */
public final class FakeOpenAi implements AutoCloseable {
  final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  public final AtomicInteger requests = new AtomicInteger();
  /** Connections the server accepted. */
  public final AtomicInteger connections = new AtomicInteger();
  private final HttpServer server;
  public volatile int stallRequest = -1;
  public volatile long stallMs;
  public volatile long serviceMs;
  public volatile int tokens = 5;
  public volatile long tokenGapMs = 2;
  public volatile boolean usage = true;
  /** The Server-Timing header of the n-th request's image answer (from 0); null or a null result: none. */
  public volatile java.util.function.IntFunction<String> serverTiming;

  public FakeOpenAi() throws Exception {
    server = vertx.createHttpServer().connectionHandler(c -> connections.incrementAndGet()).requestHandler(this::handle).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      int n = requests.getAndIncrement();
      long delay = n == stallRequest ? stallMs : serviceMs;
      var timing = serverTiming;
      String header = timing == null ? null : timing.apply(n);
      if (header != null) req.response().putHeader("Server-Timing", header);
      if (delay > 0) vertx.setTimer(delay, id -> answer(req, body.toString()));
      else answer(req, body.toString());
    });
  }

  private void answer(HttpServerRequest req, String body) {
    String path = req.path();
    switch (path) {
      case "/v1/images/generations" -> {
        if (body.contains("\"stream\":true")) {
          streamImages(req, body);
          return;
        }
        int n = body.contains("\"n\":2") ? 2 : 1;
        String format = body.contains("\"url\"") ? "url" : "b64_json";
        StringBuilder b = new StringBuilder("{\"created\":1,\"data\":[");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("{\"").append(format).append("\":\"aGVsbG8=\"}");
        req.response().putHeader("content-type", "application/json").end(b.append("]}").toString());
      }
      case "/v1/chat/completions", "/v1/completions" -> stream(req, path.contains("chat"));
      case "/error" -> req.response().setStatusCode(503).end("{\"error\":\"overloaded\"}");
      case "/malformed" -> req.response().putHeader("content-type", "application/json").end("not json");
      case "/no-images" -> req.response().putHeader("content-type", "application/json").end("{\"data\":[]}");
      case "/never" -> { } // never answers: the client's timeout must end it
      case "/generic" -> req.response().end("{\"result\":{\"images\":[\"a\",\"b\",\"c\"]}}");
      default -> req.response().setStatusCode(404).end();
    }
  }

  /** OpenAI image streaming: partial_images partial-image events {@code tokenGapMs} apart, then one completed event. */
  private void streamImages(HttpServerRequest req, String body) {
    var m = java.util.regex.Pattern.compile("\"partial_images\":(\\d+)").matcher(body);
    int partials = m.find() ? Integer.parseInt(m.group(1)) : 0;
    var resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
    long gap = tokenGapMs;
    AtomicInteger sent = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = sent.getAndIncrement();
      if (i < partials) {
        resp.write("event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"b64_json\":"
            + "\"aGk=\",\"partial_image_index\":" + i + "}\n\n");
        if (gap > 0) vertx.setTimer(gap, id -> next[0].run());
        else next[0].run();
      } else {
        resp.end("event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"aGVsbG8=\"}\n\n");
      }
    };
    next[0].run();
  }

  private void stream(HttpServerRequest req, boolean chat) {
    var resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
    int total = tokens;
    long gap = tokenGapMs;
    boolean withUsage = usage;
    AtomicInteger sent = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = sent.getAndIncrement();
      if (i < total) {
        String text = "tok" + i + " ";
        resp.write(chat ? "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}\n\n"
            : "data: {\"choices\":[{\"index\":0,\"text\":\"" + text + "\"}]}\n\n");
        if (gap > 0) vertx.setTimer(gap, id -> next[0].run());
        else next[0].run();
      } else {
        if (withUsage) resp.write("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":" + total + "}}\n\n");
        resp.end("data: [DONE]\n\n");
      }
    };
    next[0].run();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
