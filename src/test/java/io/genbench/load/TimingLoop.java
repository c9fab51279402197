package io.genbench.load;

import java.util.Arrays;

/** The timing loop of the test-scope rate benches ({@link SseParseRate}, {@link BodyReadRate}): passes of a body of work. */
final class TimingLoop {
  private TimingLoop() {}

  /** One pass of the work; what it returns is summed so the JIT cannot drop it. */
  interface Pass {
    long run();
  }

  static long sink;

  /**
   * Runs {@code pass} for {@code warmupS} seconds, then {@code repeats} rounds of one second each; returns each round's
   * nanoseconds per pass, sorted.
   */
  static double[] nsPerPass(double warmupS, int repeats, Pass pass) {
    long until = System.nanoTime() + (long) (warmupS * 1e9);
    while (System.nanoTime() < until) sink += pass.run();
    double[] ns = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      long passes = 0;
      long t;
      do {
        sink += pass.run();
        passes++;
      } while ((t = System.nanoTime()) - t0 < 1_000_000_000L);
      ns[r] = (t - t0) / (double) passes;
    }
    Arrays.sort(ns);
    return ns;
  }
}
