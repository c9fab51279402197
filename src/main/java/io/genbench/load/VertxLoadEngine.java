package io.genbench.load;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP side of a load test for https:// targets and HTTP/2 ({@link LoadEngine#open} picks it): a Vert.x client (Netty, native epoll where the platform has it) with at most
 * {@code connections} connections to one target, HTTP/1.1 keep-alive by default or HTTP/2. A request fired while every
 * connection is busy waits in the pool's queue, unbounded: its wait shows as dispatch lag and in its response time,
 * and nothing is dropped. Every outcome (answer, HTTP error, timeout, reset, malformed body) ends in exactly one
 * {@link RequestRecord} handed to the request's callback; no exception escapes to the caller.
 */
final class VertxLoadEngine implements LoadEngine {
  /** A content-length's value, as an answer's buffer is sized from it (compiled once: it is read for every answer). */
  private static final java.util.regex.Pattern LENGTH = java.util.regex.Pattern.compile("[0-9]{1,18}");
  private static final int EVENT_LOOPS = LoadEngine.EVENT_LOOPS;

  private final Vertx vertx;
  private final HttpClient client;
  private final LoadClock clock;
  private final long timeoutNs;
  private final RequestOptions options;
  private final Supplier<ResponseReader> readers;
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private final Context[] contexts;
  private final AtomicInteger nextContext = new AtomicInteger();

  VertxLoadEngine(String url, int connections, boolean http2, long timeoutNs, Map<String, String> headers,
      Supplier<ResponseReader> readers, LoadClock clock) {
    this.clock = clock;
    this.timeoutNs = timeoutNs;
    this.readers = readers;
    this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(EVENT_LOOPS)
        .setWorkerPoolSize(1).setInternalBlockingPoolSize(1).setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
    URI u = URI.create(url);
    boolean ssl = "https".equals(u.getScheme());
    int port = u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80;
    HttpClientOptions o = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setProtocolVersion(http2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1).setHttp2ClearTextUpgrade(false)
        .setUseAlpn(ssl && http2).setSsl(ssl).setTrustAll(false).setVerifyHost(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutNs / 1_000_000)))
        .setMaxInitialLineLength(65536).setMaxHeaderSize(65536).setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(connections).setHttp2MaxSize(Math.max(1, (connections + 99) / 100))
        .setMaxWaitQueueSize(-1);
    this.client = vertx.createHttpClient(o, pool);
    // requests start on event loops, never on the caller's thread: from a foreign thread Vert.x would make a context
    // per request, and the scheduler would spend its time in the client instead of on time
    this.contexts = new Context[EVENT_LOOPS];
    for (int i = 0; i < contexts.length; i++) contexts[i] = vertx.getOrCreateContext();
    String uri = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    this.options = new RequestOptions().setMethod(HttpMethod.POST).setHost(u.getHost()).setPort(port).setSsl(ssl).setURI(uri)
        .putHeader("content-type", "application/json").putHeader("accept", "application/json, text/event-stream");
    headers.forEach(options::putHeader);
  }

  /** Whether Netty's native epoll transport is in use (else NIO). */
  @Override
  public boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  /**
   * Readies the client before a level's clock starts: takes one connection to the target from the pool and resets it
   * before anything is written, so no request reaches the server (it sees a connection open, which the pool may keep
   * for the first request), while class
   * loading, the transport's start, the name lookup and the connect path are paid here, not by the first scheduled
   * requests (on a busy 2-core machine the first connection took over a second, and the requests due meanwhile carried
   * it as dispatch lag past a 2 s warm-up). Waits at most {@code maxNs}; a failure is ignored: a target that is down
   * shows in the requests' errors.
   */
  @Override
  public void warm(long maxNs) {
    try {
      HttpClientRequest req = client.request(options).toCompletionStage().toCompletableFuture().get(maxNs, TimeUnit.NANOSECONDS);
      req.exceptionHandler(t -> { }); // the reset below is ours
      req.reset();
    } catch (Exception ignored) {
      // the level's requests will meet and record whatever went wrong
    }
  }

  /** Requests fired and not yet finished. */
  @Override
  public int inFlight() {
    return inFlight.size();
  }

  /** Sends {@code call}; {@code firedNs} is now. Callable from any thread. */
  @Override
  public void fire(Call call) {
    Exchange ex = new Exchange(call, clock.nanoTime(), readers.get());
    inFlight.add(ex);
    Context context = Vertx.currentContext();
    if (context == null) context = contexts[Math.floorMod(nextContext.getAndIncrement(), contexts.length)];
    context.runOnContext(v -> client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        ex.fail(ErrorKind.CONNECTION, 0, ar.cause());
        return;
      }
      ex.send(ar.result());
    }));
  }

  /** Ends every request still in flight as {@link ErrorKind#UNFINISHED} (the level's drain time is over). */
  @Override
  public void abandonInFlight() {
    for (Exchange ex : inFlight) ex.abandon();
  }

  @Override
  public void close() {
    abandonInFlight();
    try {
      client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing is best effort: the records are already final
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // as above
    }
  }

  private final class Exchange {
    private final Call call;
    private final long firedNs;
    private final ResponseReader reader;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile HttpClientRequest request;
    private long sentNs;
    private long firstByteNs;
    private long timer = -1;
    private int status;
    private ServerTiming timing = ServerTiming.NONE;

    Exchange(Call call, long firedNs, ResponseReader reader) {
      this.call = call;
      this.firedNs = firedNs;
      this.reader = reader;
    }

    void send(HttpClientRequest req) {
      request = req;
      sentNs = clock.nanoTime();
      if (finished.get()) { // abandoned while waiting for its connection
        req.reset();
        return;
      }
      timer = vertx.setTimer(Math.max(1, timeoutNs / 1_000_000), id -> {
        timer = -1;
        if (fail(ErrorKind.TIMEOUT, status, null)) req.reset();
      });
      req.exceptionHandler(t -> fail(ErrorKind.CONNECTION, status, t));
      req.send(Buffer.buffer(call.body())).onComplete(ar -> {
        if (ar.failed()) {
          fail(ErrorKind.CONNECTION, 0, ar.cause());
          return;
        }
        response(ar.result());
      });
    }

    private void response(HttpClientResponse resp) {
      status = resp.statusCode();
      timing = ServerTiming.parse(resp.headers().getAll("Server-Timing"));
      boolean ok = status >= 200 && status < 300;
      StringBuilder errorBody = ok ? null : new StringBuilder();
      resp.exceptionHandler(t -> fail(ErrorKind.CONNECTION, status, t));
      String announced = resp.getHeader("content-length");
      if (ok && announced != null && LENGTH.matcher(announced).matches()) reader.expect(Long.parseLong(announced));
      resp.handler(buf -> {
        long now = clock.nanoTime();
        if (firstByteNs == 0) firstByteNs = now;
        if (ok) {
          byte[] b = buf.getBytes();
          reader.feed(b, 0, b.length, now);
        } else if (errorBody.length() < 200) {
          errorBody.append(buf.toString());
        }
      });
      resp.endHandler(v -> {
        long now = clock.nanoTime();
        finish(Outcome.ofResponse(ok, status, errorBody, reader, now), now);
      });
    }

    boolean fail(ErrorKind kind, int httpStatus, Throwable cause) {
      status = httpStatus;
      return finish(Outcome.ofFailure(kind, cause), clock.nanoTime());
    }

    void abandon() {
      if (finish(new Outcome(ErrorKind.UNFINISHED, "no response when the level's drain time ran out"), clock.nanoTime())) {
        HttpClientRequest r = request;
        if (r != null) r.reset();
      }
    }

    private boolean finish(Outcome outcome, long doneNs) {
      if (!finished.compareAndSet(false, true)) return false;
      if (timer >= 0) vertx.cancelTimer(timer);
      RequestRecord r = outcome.record(call, reader, firedNs, sentNs, firstByteNs, doneNs, status, timing);
      try {
        call.done().accept(r);
      } finally {
        // only now: a level that waits for inFlight() to reach 0 must find this record already delivered
        inFlight.remove(this);
      }
      return true;
    }
  }
}
