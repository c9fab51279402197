package io.genbench.load;

import io.genbench.PollingSelect;

/**
 * One Netty event loop's select strategy: it polls (non-blocking epoll_wait / selectNow, handling I/O and due tasks as
 * usual) instead of sleeping while a response is expected within the next moments, and sleeps otherwise. An idle vCPU that
 * sleeps for 20 ms takes ~0.4-0.5 ms to wake when the answer comes on the 2-core VM (bench/load-known-service: the
 * known 20 ms server's response P50 read 20.53 ms); woken by a timer {@link #LEAD_NS} before the answer is due and
 * polling, the loop reads it when it comes. The answer is expected {@link #serviced the shortest recent service time}
 * after the send; only for services of at least {@link #MIN_SERVICE_NS} (faster answers come before the loop sleeps
 * deeply), each poll is bounded by {@link #maxSpinNs the spread of the recent service times, the lead and 1 ms}, and in
 * all the polling takes at most {@link #BUDGET_DIVISOR
 * one tenth} of a core (a budget refilled with time): no load level, however fast, makes the loop burn its core.
 * Everything runs on the loop's thread. {@code -Dgenbench.load.wakeAhead=false} turns it off.
 */
final class WakeAhead extends PollingSelect {
  /** How long before the expected answer the loop wakes and polls: more than the VM's wake-up (~0.5 ms). */
  static final long LEAD_NS = 1_000_000;
  /**
   * The longest one poll lasts where every recent service took the same time: the lead and 1 ms more. Services that
   * vary poll for their spread too ({@link #maxSpinNs}): a served 768^2 image's compute varied by 30 ms on a noisy H200
   * host, so a loop that polls only 2 ms after the shortest recent service sleeps through most answers, and a wake-up
   * there took up to 2 ms (issue 20, bench/RESULTS.md §27; this polling's own effect is not measured yet).
   */
  static final long MAX_SPIN_NS = 2_000_000;
  /** The longest one poll lasts however much the services vary. */
  static final long MAX_SPIN_CAP_NS = 50_000_000;
  /** Services shorter than this get no polling. */
  static final long MIN_SERVICE_NS = 2_000_000;
  /** Polling takes at most 1 / this of the loop's time. */
  static final long BUDGET_DIVISOR = 10;
  /** The most polling time saved up: one poll over a spread of services ({@link #MAX_SPIN_CAP_NS}). */
  static final long BUDGET_CAP_NS = 50_000_000;
  /** {@code -Dgenbench.load.wakeAhead=false} turns the polling off (read once). */
  static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("genbench.load.wakeAhead", "true"));
  /** No polling planned. */
  static final long NONE = Long.MIN_VALUE;

  private final LoadClock clock;
  private final long[] recent = new long[16]; // the last successful service times, ns (0: none yet)
  private int nextRecent;
  private long spinUntil; // 0: not polling
  private Object armedFor; // the request the poll waits for
  WakeAhead(LoadClock clock) {
    super(clock::nanoTime, BUDGET_DIVISOR, BUDGET_CAP_NS);
    this.clock = clock;
  }

  /** Records a successful request's service time (done - sent). */
  void serviced(long serviceNs) {
    if (serviceNs > 0) recent[nextRecent++ % recent.length] = serviceNs;
  }

  /** The shortest recent service time, or 0 before any. */
  long expectedServiceNs() {
    long min = 0;
    for (long s : recent) if (s > 0 && (min == 0 || s < min)) min = s;
    return min;
  }

  /**
   * How long one poll lasts at most: {@link #MAX_SPIN_NS} and the spread of the recent service times (longest less
   * shortest), at most {@link #MAX_SPIN_CAP_NS}.
   */
  long maxSpinNs() {
    long max = 0;
    for (long s : recent) max = Math.max(max, s);
    return Math.min(MAX_SPIN_CAP_NS, MAX_SPIN_NS + (max - expectedServiceNs()));
  }

  /** When to start polling for the answer to a request sent at {@code sentNs}, or {@link #NONE}. */
  long pollFrom(long sentNs) {
    long s = expectedServiceNs();
    return ENABLED && s >= MIN_SERVICE_NS ? sentNs + s - LEAD_NS : NONE;
  }

  /** At the start time a {@link #pollFrom} gave: polls until {@code request}'s answer, at most {@link #maxSpinNs}. */
  void arm(Object request) {
    long until = clock.nanoTime() + maxSpinNs();
    if (until > spinUntil) spinUntil = until;
    armedFor = request;
  }

  /** {@code request} ended: the poll that waited for it stops. */
  void ended(Object request) {
    if (armedFor == request) {
      armedFor = null;
      spinUntil = 0;
    }
  }

  @Override
  protected long pollUntil() {
    return spinUntil;
  }

  @Override
  protected void pollOver(long until) {
    spinUntil = 0;
    armedFor = null;
  }
}
