package io.genbench.load;

import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The HTTP side of a load test: at most {@code connections} connections to one target, HTTP/1.1 keep-alive (or HTTP/2
 * where the engine offers it). A request fired while every connection is busy waits, unbounded, for the first connection
 * that frees: its wait shows as dispatch lag and in its response time, and nothing is dropped. Every outcome (answer,
 * HTTP error, timeout, reset, malformed body) ends in exactly one {@link RequestRecord} handed to the request's
 * callback; no exception escapes to the caller.
 *
 * <p>{@link #open} picks the engine: {@link NettyLoadEngine} (Netty used directly: pre-encoded requests, Netty's
 * response decoder, a pool of its own) for plain {@code http://} HTTP/1.1, which is what high rates need;
 * {@link VertxLoadEngine} (Vert.x's client) for {@code https://} and HTTP/2.
 */
public interface LoadEngine extends AutoCloseable {
  /** Event loops: one per core, at most 4 (an engine uses no more than it has connections). */
  int EVENT_LOOPS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /** One request to send. */
  record Call(int target, int level, int index, boolean warmup, int prompt, long scheduledNs, byte[] body,
      Consumer<RequestRecord> done) {}

  /** Which engine {@link #open} builds. */
  enum Kind { NETTY, VERTX }

  /** The engine for {@code url}: Netty for plain http:// HTTP/1.1, Vert.x for https:// or HTTP/2. */
  static LoadEngine open(String url, int connections, boolean http2, long timeoutNs, Map<String, String> headers,
      Supplier<ResponseReader> readers, LoadClock clock) {
    return open(kindFor(url, http2), url, connections, http2, timeoutNs, headers, readers, clock);
  }

  /** The engine {@link #open} picks for {@code url}. */
  static Kind kindFor(String url, boolean http2) {
    return !http2 && "http".equalsIgnoreCase(URI.create(url).getScheme()) ? Kind.NETTY : Kind.VERTX;
  }

  /** An engine of {@code kind} (tests run both); Netty takes only plain http:// HTTP/1.1. */
  static LoadEngine open(Kind kind, String url, int connections, boolean http2, long timeoutNs, Map<String, String> headers,
      Supplier<ResponseReader> readers, LoadClock clock) {
    if (kind == Kind.NETTY && kindFor(url, http2) != Kind.NETTY) {
      throw new IllegalArgumentException("the Netty load engine takes plain http:// HTTP/1.1 only, not " + url + (http2 ? " over HTTP/2" : ""));
    }
    return kind == Kind.NETTY ? new NettyLoadEngine(url, connections, timeoutNs, headers, readers, clock)
        : new VertxLoadEngine(url, connections, http2, timeoutNs, headers, readers, clock);
  }

  /** Whether Netty's native epoll transport is in use (else NIO). */
  boolean nativeTransport();

  /**
   * Readies the client before a level's clock starts (class loading, the transport's start, the connect path), writing
   * nothing to the target. Waits at most {@code maxNs}; a failure is ignored: a target that is down shows in the
   * requests' errors.
   */
  void warm(long maxNs);

  /** Requests fired and not yet finished. */
  int inFlight();

  /** Sends {@code call} now; {@code firedNs} is now. Callable from any thread. */
  void fire(Call call);

  /**
   * How long before its scheduled time the scheduler should hand a request to {@link #fireAt}, for a request due
   * {@code gapNs} after the one before; 0: the engine wants it at its due time, through {@link #fire}.
   */
  default long aheadNs(long gapNs) {
    return 0;
  }

  /**
   * Sends {@code call} at its scheduled time, handed over up to {@link #aheadNs} before it: the engine holds it
   * without spinning and writes it when due. {@code firedNs} is when the engine took it up at its due time (never
   * before the schedule). Callable from any thread.
   */
  default void fireAt(Call call) {
    fire(call);
  }

  /** Ends every request still in flight as {@link ErrorKind#UNFINISHED} (the level's drain time is over). */
  void abandonInFlight();

  @Override
  void close();
}
