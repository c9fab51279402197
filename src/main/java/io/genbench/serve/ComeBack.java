package io.genbench.serve;

/**
 * How soon clients come back after an answer, and so how long serve's threads wait for them spinning (the batcher's
 * thread) or polling (the event loop that wrote the answer) before they sleep: the longest of the last {@link #KEPT}
 * come-backs plus a quarter, no shorter than {@link #FLOOR_NS} and no longer than {@link #CAP_NS}.
 *
 * <p>A client that sends one request at a time comes back 0.3-0.6 ms after its answer on a quiet host, where the fixed
 * 2 ms wait caught every request (issue 20, bench/RESULTS.md §26); on a noisy H200 host, where its own thread's
 * wake-ups took 1.5-3 ms now and then, 0.3-4.6 % of its requests came more than 2 ms after the answer (up to 5.7 ms;
 * bench/serve_comeback.py over §27's logs), found the batcher parked and paid a second wake-up there (arrived → batch
 * 1.1-1.9 ms at P99, §27). What the longer wait changes there is not yet measured on a GPU host (§28). A gap longer than
 * {@link #STRAIGHT_BACK_NS} is a client that did not come straight back (an open-loop client, a pause): it does not
 * lengthen the wait. {@code -Dgenbench.serve.adaptSpin=false} keeps the wait at {@link #FLOOR_NS}.
 */
final class ComeBack {
  /** Whether the wait follows the clients ({@code -Dgenbench.serve.adaptSpin}, default true). */
  static final boolean ADAPT = !"false".equals(System.getProperty("genbench.serve.adaptSpin"));
  /** The shortest wait, and the wait before any client came back: what serve waited before the wait followed them. */
  static final long FLOOR_NS = 2_000_000L;
  /** The longest wait: at most this much of a core per answer, when no request comes. */
  static final long CAP_NS = 8_000_000L;
  /** A gap from an answer to the next request longer than this is not a client coming straight back. */
  static final long STRAIGHT_BACK_NS = 20_000_000L;
  /** How many come-backs the wait is drawn from. */
  static final int KEPT = 32;

  private final boolean adapt;
  private final long[] gaps = new long[KEPT];
  private int count;
  private int next;
  private volatile long waitNs = FLOOR_NS;

  ComeBack() {
    this(ADAPT);
  }

  ComeBack(boolean adapt) {
    this.adapt = adapt;
  }

  /** A request came {@code gapNs} after the last answer left, the first since then. */
  synchronized void cameBack(long gapNs) {
    if (!adapt || gapNs < 0 || gapNs > STRAIGHT_BACK_NS) return;
    gaps[next] = gapNs;
    next = (next + 1) % KEPT;
    count = Math.min(KEPT, count + 1);
    long longest = 0;
    for (int i = 0; i < count; i++) longest = Math.max(longest, gaps[i]);
    waitNs = Math.clamp(longest + longest / 4, FLOOR_NS, CAP_NS);
  }

  /** How long to wait for the next request after an answer, spinning or polling. */
  long waitNs() {
    return waitNs;
  }
}
