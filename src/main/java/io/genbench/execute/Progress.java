package io.genbench.execute;

import io.genbench.Printable;
import java.io.PrintStream;

/**
 * Progress on stderr: one clean line per finished case or trial (for logs), and on a terminal a live line with the
 * case and iteration in flight. Safe to call from the threads of several slots at once.
 *
 * <p>The counter {@code [k/N]} counts cases whose every trial ended, out of the cases this run measures (cases the
 * backend cannot run are listed once as skipped and are not in it). The pace, and so the ETA, counts trials: with
 * {@code --trials 3} a case is three pieces of work, and a case that failed in its first trial finishes its share at
 * once.
 *
 * <p>Given each case's expected seconds per trial ({@link #expect}), the ETA is the expected time of the trials still to
 * run, scaled by how long the finished ones took against their expectation (1 before any finished; shrunk towards 1 by
 * one average trial, so one early case does not set it alone), less the time the
 * ones in flight have already run, over the slots running at once: an ETA from the first second that moves with the
 * measured pace rather than with the size of whichever case finished last. Without expectations it is the mean time of
 * the finished trials times the trials left ("?" before the first).
 */
public final class Progress {
  private final PrintStream err;
  private final boolean live;
  private final Ticker ticker;
  private int total;
  private int finished;
  private int trials = 1;
  /** Case trials this run has to measure, and how many of them ended (a case failed early counts its rest as ended). */
  private long units;
  private long unitsDone;
  private long runStartNs;
  private boolean started;
  private final java.util.Map<String, Long> caseStartNs = new java.util.HashMap<>();
  private long lastDrawNs;
  private boolean drawn;
  /** Expected seconds per trial by case, or null; trials not ended by case; expected seconds of the ended ones. */
  private java.util.Map<String, Double> expected;
  private final java.util.Map<String, Integer> left = new java.util.HashMap<>();
  private double doneExpectedS;
  /** Several slots: the ended trials' own durations (from their start), which the pace compares with their expectation. */
  private double doneActualS;
  private long lastEndNs;
  private int slots = 1;

  public Progress(PrintStream err, boolean live, Ticker ticker) {
    this.err = err;
    this.live = live;
    this.ticker = ticker;
  }

  /** Live only when stderr looks like a terminal (a console, and TERM is a real terminal). */
  public static Progress forStderr() {
    String term = System.getenv("TERM");
    boolean live = System.console() != null && term != null && !term.equals("dumb") && System.getenv("CI") == null;
    return new Progress(System.err, live, Ticker.SYSTEM);
  }

  /**
   * The run begins.
   *
   * @param total the cases this run counts (the plan's, less those skipped as unsupported)
   * @param resumed how many of them an earlier run finished (a {@code --resume}); they do not count towards the pace
   * @param trials how many times each case runs
   */
  synchronized void start(int total, int resumed, int trials) {
    this.total = total;
    this.finished = resumed;
    this.trials = trials;
    this.units = (long) (total - resumed) * trials;
    this.unitsDone = 0;
    this.runStartNs = ticker.read();
    this.lastEndNs = runStartNs;
    this.started = true;
    this.expected = null;
    if (resumed > 0) err.println("resuming: " + resumed + " of " + total + " cases already finished, skipping them");
  }

  /**
   * The expected seconds of one trial of each case to run (cases missing from it count as the mean of the others), with
   * {@code slots} running at once. Call after {@link #start}.
   */
  synchronized void expect(java.util.Map<String, Double> secondsPerTrial, int slots) {
    this.expected = new java.util.HashMap<>(secondsPerTrial);
    this.slots = Math.max(1, slots);
    this.doneExpectedS = 0;
    this.doneActualS = 0;
    left.clear();
    secondsPerTrial.keySet().forEach(id -> left.put(id, trials));
  }

  /** The ticker's now, ns: the runner's clock for the {@code timing} events. */
  long now() {
    return ticker.read();
  }

  synchronized void caseStarted(String id) {
    caseStartNs.put(id, ticker.read());
    draw(id, "starting");
  }

  synchronized void iteration(String id, String label) {
    long now = ticker.read();
    if (now - lastDrawNs > 100_000_000L) draw(id, label);
  }

  /** A trial of a case ended and more of its trials follow. */
  synchronized void trialFinished(String id, int trial) {
    unitsDone++;
    ended(id, 1, 0);
    line(id, "trial " + trial + " of " + trials + " done");
  }

  /**
   * A case ended: its last trial, or an earlier one that failed.
   *
   * @param trialsNotRun its later trials that will not run (they count as done for the pace)
   */
  synchronized void caseFinished(String id, String summary, int trialsNotRun) {
    finished++;
    unitsDone += 1 + trialsNotRun;
    ended(id, 1, trialsNotRun);
    line(id, summary);
  }

  /**
   * The run records {@code toRecord} of the plan's {@code twins} twins from their measured cases (the same work priced as
   * another instance type, {@link Twins}): said once, and they stay outside the counter and the clock.
   */
  synchronized void twins(int toRecord, int twins) {
    if (twins == 0) return;
    err.printf("measuring %d %s once: %d more %s the same work priced as another instance type, recorded from %s%s%n",
        total, total == 1 ? "case" : "cases", twins, twins == 1 ? "is" : "are", total == 1 ? "it" : "them",
        toRecord < twins ? " (" + (twins - toRecord) + " already recorded)" : "");
    err.flush();
  }

  /** A twin recorded from the case it is the same work as, without running: named once, outside the counter and the clock. */
  synchronized void recorded(String id, String measuredId, String summary) {
    clear();
    err.printf("priced %s from %s (same work, not run again): %s%n", Printable.text(id), Printable.text(measuredId),
        Printable.text(summary));
    err.flush();
  }

  /** A case the backend cannot run, recorded without running: named once, outside the counter and the clock. */
  synchronized void skipped(String id, String summary) {
    clear();
    err.printf("skipped %s: %s%n", Printable.text(id), Printable.text(summary));
    err.flush();
  }

  private void ended(String id, int ran, int notRun) {
    lastEndNs = ticker.read();
    if (expected == null || !left.containsKey(id)) return;
    left.merge(id, -(ran + notRun), Integer::sum);
    doneExpectedS += ran * expectedS(id);
    Long since = caseStartNs.get(id);
    if (since != null) doneActualS += (lastEndNs - since) / 1e9;
  }

  private double expectedS(String id) {
    Double e = expected.get(id);
    if (e != null) return e;
    return expected.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  /** Seconds left by the expectations, scaled by the pace of the ended trials (see the class comment). */
  private double remainingS(long now) {
    // one worker: the run's time so far over what its ended trials were expected to take (starts and builds included);
    // several: the ended trials' own durations, since the others' time so far is still in flight
    // shrunk towards 1 by one average trial, so the first case (a cold JVM, a worker start) does not set the pace alone
    double prior = expected.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double actual = slots == 1 ? (lastEndNs - runStartNs) / 1e9 : doneActualS;
    double pace = doneExpectedS <= 0 ? 1 : (actual + prior) / (doneExpectedS + prior);
    double total = 0;
    double credit = 0;
    double largest = 0;
    String inFlight = null;
    for (var e : left.entrySet()) {
      int n = Math.max(0, e.getValue());
      if (n == 0) continue;
      double each = expectedS(e.getKey()) * pace;
      total += n * each;
      largest = Math.max(largest, each);
      Long since = caseStartNs.get(e.getKey());
      if (since != null && slots > 1) credit += Math.min(each, (now - since) / 1e9);
      if (since != null) inFlight = e.getKey();
    }
    if (slots == 1) {
      // one worker: the trial in flight began when the last one ended (its worker start and model build included)
      double cap = inFlight != null ? expectedS(inFlight) * pace : largest;
      credit = Math.min(cap, Math.max(0, (now - lastEndNs) / 1e9));
    }
    return Math.max(0, total - credit) / slots;
  }

  private void line(String id, String what) {
    Long started = caseStartNs.remove(id);
    clear();
    err.printf("[%d/%d] %s %s (%.1f s; %s)%n", finished, total, Printable.text(id), Printable.text(what), (ticker.read() - (started == null ? ticker.read() : started)) / 1e9, timing());
    err.flush();
  }

  synchronized void finish() {
    clear();
  }

  private void draw(String id, String what) {
    if (!live) return;
    lastDrawNs = ticker.read();
    int width = 20;
    int done = units == 0 ? width : (int) (unitsDone * width / units);
    String bar = "#".repeat(done) + "-".repeat(width - done);
    String line = String.format("\r[%s] %d/%d %s %s: %s", bar, finished, total, timing(), Printable.text(id), Printable.text(what));
    err.print(line.length() > 150 ? line.substring(0, 150) : line + "\033[K");
    err.flush();
    drawn = true;
  }

  /** Elapsed time of this run, and an ETA from the mean time of the trials it finished (none before the first). */
  String timing() {
    if (!started) return "elapsed 0:00";
    long elapsedNs = ticker.read() - runStartNs;
    String eta = unitsDone >= units ? "done"
        : expected != null ? "ETA " + clock(Math.round(remainingS(ticker.read()) * 1e9))
        : unitsDone == 0 ? "ETA ?" : "ETA " + clock(elapsedNs / unitsDone * (units - unitsDone));
    return "elapsed " + clock(elapsedNs) + ", " + eta;
  }

  static String clock(long ns) {
    long s = Math.round(ns / 1e9);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
  }

  private void clear() {
    if (live && drawn) {
      err.print("\r\033[K");
      drawn = false;
    }
  }
}
