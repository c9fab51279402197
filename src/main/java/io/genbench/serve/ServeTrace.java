package io.genbench.serve;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * With {@code GENBENCH_SERVE_TRACE=1} in serve's environment: the moments an image request passes on its way through
 * this JVM ({@code System.nanoTime}, the same CLOCK_MONOTONIC as the worker's {@code perf_counter_ns}), so
 * {@code bench/serve_trace.py} can line them up with the worker's own trace lines and say where the time between a
 * batch's compute end and its answer goes. A mark costs a queue insert on the request's path; a daemon thread prints
 * {@code serve-trace WHAT KEY NS} lines on stderr every 200 ms. Off (the default), a mark is one field read.
 */
final class ServeTrace {
  private static final boolean ON = "1".equals(System.getenv("GENBENCH_SERVE_TRACE"));
  private static final ConcurrentLinkedQueue<String> MARKS = new ConcurrentLinkedQueue<>();

  static {
    if (ON) {
      Thread.ofPlatform().name("genbench-serve-trace").daemon().start(() -> {
        while (true) {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
          drain();
        }
      });
      Runtime.getRuntime().addShutdownHook(new Thread(ServeTrace::drain));
    }
  }

  private ServeTrace() {}

  /** Notes that batch {@code seq} reached {@code what} now. */
  static void mark(String what, long seq) {
    if (ON) MARKS.add(what + " " + seq + " " + System.nanoTime());
  }

  /** Notes that worker request {@code id} reached {@code what} now. */
  static void mark(String what, String id) {
    if (ON) MARKS.add(what + " " + id + " " + System.nanoTime());
  }

  /** Notes that batch {@code seq} reached {@code what} when {@code written} completes (no listener when off). */
  static void markWhenDone(String what, long seq, io.vertx.core.Future<?> written) {
    if (ON) written.onComplete(w -> mark(what, seq));
  }

  private static synchronized void drain() {
    StringBuilder out = new StringBuilder();
    for (String m; (m = MARKS.poll()) != null; ) out.append("serve-trace ").append(m).append('\n');
    if (!out.isEmpty()) System.err.print(out);
  }
}
