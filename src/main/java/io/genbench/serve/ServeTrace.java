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

  static boolean on() {
    return ON;
  }

  /** Notes that request or batch {@code key} reached {@code what} now. */
  static void mark(String what, Object key) {
    if (ON) MARKS.add(what + " " + key + " " + System.nanoTime());
  }

  private static synchronized void drain() {
    StringBuilder out = new StringBuilder();
    for (String m; (m = MARKS.poll()) != null; ) out.append("serve-trace ").append(m).append('\n');
    if (!out.isEmpty()) System.err.print(out);
  }
}
