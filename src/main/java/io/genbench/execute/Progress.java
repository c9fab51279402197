package io.genbench.execute;

import io.genbench.Printable;
import java.io.PrintStream;

/**
 * Progress on stderr: one clean line per finished case (for logs), and on a terminal a live line with the case and
 * iteration in flight. Safe to call from the threads of several slots at once.
 */
public final class Progress {
  private final PrintStream err;
  private final boolean live;
  private final Ticker ticker;
  private int total;
  private int finished;
  private int skipped;
  private long runStartNs;
  private final java.util.Map<String, Long> caseStartNs = new java.util.HashMap<>();
  private long lastDrawNs;
  private boolean drawn;

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

  synchronized void start(int total, int skipped) {
    this.total = total;
    this.finished = skipped;
    this.skipped = skipped;
    this.runStartNs = ticker.read();
    if (skipped > 0) err.println("resuming: " + skipped + " of " + total + " cases already finished, skipping them");
  }

  synchronized void caseStarted(String id) {
    caseStartNs.put(id, ticker.read());
    draw(id, "starting");
  }

  synchronized void iteration(String id, String label) {
    long now = ticker.read();
    if (now - lastDrawNs > 100_000_000L) draw(id, label);
  }

  synchronized void caseFinished(String id, String summary) {
    finished++;
    Long started = caseStartNs.remove(id);
    clear();
    err.printf("[%d/%d] %s %s (%.1f s; %s)%n", finished, total, Printable.text(id), Printable.text(summary), (ticker.read() - (started == null ? ticker.read() : started)) / 1e9, timing());
    err.flush();
  }

  synchronized void finish() {
    clear();
  }

  private void draw(String id, String what) {
    if (!live) return;
    lastDrawNs = ticker.read();
    int width = 20;
    int done = total == 0 ? width : finished * width / total;
    String bar = "#".repeat(done) + "-".repeat(width - done);
    String line = String.format("\r[%s] %d/%d %s %s: %s", bar, finished, total, timing(), Printable.text(id), Printable.text(what));
    err.print(line.length() > 150 ? line.substring(0, 150) : line + "\033[K");
    err.flush();
    drawn = true;
  }

  /** Elapsed time of this run, and an ETA from the mean time of the cases it finished (none before the first). */
  String timing() {
    long elapsedNs = ticker.read() - runStartNs;
    int ran = finished - skipped;
    String eta = ran == 0 ? "ETA ?" : finished >= total ? "done" : "ETA " + clock(elapsedNs / ran * (total - finished));
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
