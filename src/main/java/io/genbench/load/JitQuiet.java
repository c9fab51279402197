package io.genbench.load;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * How {@link JitWarmUp} knows the JIT is done: rounds of warm-up, each followed by a wait until the JVM's total
 * compilation time has not grown for {@code windowNs} (the compiler threads' queue drained: on a pinned core they share
 * the event loop's CPU), until a round's compilations (measured from its start to the end of that wait) took at most
 * {@code settledMs}, or {@code maxRounds} rounds, or {@code maxNs} in all.
 *
 * @param closedNs each round's closed-loop level
 * @param openNs each round's open-loop levels (10,000 and 1,000 req/s), each
 * @param windowNs how long the compilation time must stay unchanged to call the JIT quiet
 * @param settledMs a round whose compilations took at most this leaves the JIT warm: no further round
 * @param maxRounds the most rounds
 * @param maxNs the most time in all, waits included (the last wait is cut short at it)
 */
record JitQuiet(long closedNs, long openNs, long windowNs, long settledMs, int maxRounds, long maxNs) {
  /**
   * Rounds of 0.5 s closed loop and 2 x 0.5 s open loop, quiet for 0.3 s, settled at 100 ms, at most 10 s: on the 2-core
   * VM pinned to one core a round compiled for 2.3 s, then 1.5-2 s, 0.4-1.5 s, 0.2-0.9 s (wall time, other builds running).
   */
  static final JitQuiet DEFAULT = new JitQuiet(500_000_000L, 500_000_000L, 300_000_000L, 100, 6, 10_000_000_000L);

  /**
   * These bounds with at most {@code maxS} seconds in all ({@code -Dgenbench.load.jitWarmUpMaxS}); null or blank: unchanged.
   */
  JitQuiet withMaxS(String maxS) {
    if (maxS == null || maxS.isBlank()) return this;
    double s;
    try {
      s = Double.parseDouble(maxS.strip());
    } catch (NumberFormatException e) {
      s = Double.NaN;
    }
    if (!(s > 0 && s <= 600)) {
      throw new io.genbench.UserError("-Dgenbench.load.jitWarmUpMaxS=" + maxS + ": expected seconds in (0, 600]"
          + " (the JIT warm-up's time bound; -Dgenbench.load.jitWarmUp=false turns it off)");
    }
    return new JitQuiet(closedNs, openNs, windowNs, settledMs, maxRounds, (long) (s * 1e9));
  }

  /** How often the wait reads the compilation time. */
  static final long POLL_NS = 20_000_000L;

  /**
   * What a warm-up did: requests sent, each round's compilation time (ms), the time it took, and why it stopped.
   */
  record Result(int sent, List<Long> compileMs, long elapsedNs, String why) {}

  /**
   * Runs {@code round} (returning the requests it sent) until the JIT is quiet, reading {@code compileMs} (the JVM's
   * total compilation time, ms; null where the JVM does not report it: one round, no wait) on {@code clock}, waiting with
   * {@code sleep} (ns).
   */
  Result warm(IntSupplier round, LongSupplier compileMs, LoadClock clock, LongConsumer sleep) {
    long t0 = clock.nanoTime();
    long deadline = t0 + maxNs;
    int sent = 0;
    List<Long> perRound = new ArrayList<>();
    if (compileMs == null) {
      sent = round.getAsInt();
      return new Result(sent, perRound, clock.nanoTime() - t0, "this JVM does not report its compilation time: one round");
    }
    while (true) {
      long c0 = compileMs.getAsLong();
      sent += round.getAsInt();
      boolean quiet = awaitQuiet(compileMs, clock, sleep, deadline);
      long spent = compileMs.getAsLong() - c0;
      perRound.add(spent);
      String why = !quiet ? "still compiling at the " + maxNs / 1_000_000_000.0 + " s bound"
          : spent <= settledMs ? "JIT quiet: the last round compiled for <= " + settledMs + " ms"
          : perRound.size() >= maxRounds ? "stopped after " + maxRounds + " rounds"
          : clock.nanoTime() >= deadline ? "stopped at the " + maxNs / 1_000_000_000.0 + " s bound" : null;
      if (why != null) return new Result(sent, List.copyOf(perRound), clock.nanoTime() - t0, why);
    }
  }

  /** Waits until {@code compileMs} has not changed for {@link #windowNs}: true, or until {@code deadline}: false. */
  boolean awaitQuiet(LongSupplier compileMs, LoadClock clock, LongConsumer sleep, long deadline) {
    long last = compileMs.getAsLong();
    long since = clock.nanoTime();
    while (true) {
      long now = clock.nanoTime();
      if (now - since >= windowNs) return true;
      if (now >= deadline) return false;
      sleep.accept(Math.min(POLL_NS, Math.max(1, Math.min(since + windowNs, deadline) - now)));
      long c = compileMs.getAsLong();
      if (c != last) {
        last = c;
        since = clock.nanoTime();
      }
    }
  }

  /** This JVM's total compilation time (ms), or null where it does not report it. */
  static LongSupplier hotSpotCompileMs() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit::getTotalCompilationTime : null;
  }

  static void sleep(long ns) {
    LockSupport.parkNanos(ns);
  }
}
