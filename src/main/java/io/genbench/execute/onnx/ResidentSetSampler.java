package io.genbench.execute.onnx;

import io.genbench.env.HostInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One case's memory window on a CPU backend: this process's resident set when the window opened (the baseline) and
 * its peak until it closed. Before the baseline is read, the C heap's free pages are handed back, so the case cannot
 * reuse memory that a bigger case before it left resident. Where Linux lets the process reset its high-water mark
 * ({@code clear_refs}), the peak is the kernel's (VmHWM), which misses no spike; elsewhere a daemon thread reads
 * {@code /proc/self/statm} every period. Linux only: elsewhere {@link #available()} is false.
 */
final class ResidentSetSampler implements AutoCloseable {
  private static final Path STATM = Path.of("/proc/self/statm");
  private static final long PAGE_BYTES = pageBytes();

  private final long baselineBytes;
  private final boolean hwmReset;
  private final AtomicLong peakBytes;
  private final Thread thread;
  private volatile boolean running = true;
  private long closedPeakBytes = -1;

  private ResidentSetSampler(Duration period) {
    // what the C heap holds free would be reused by the case without the resident set moving: hand it back first.
    // The Java heap is left alone: a full GC shrinks it, and the case then pays for regrowing it
    NativeHeap.trim();
    this.hwmReset = HostInfo.resetPeakRss();
    this.baselineBytes = residentBytes();
    this.peakBytes = new AtomicLong(baselineBytes);
    long periodNs = period.toNanos();
    this.thread = Thread.ofPlatform().daemon().name("genbench-rss-sampler").unstarted(() -> {
      while (running) {
        sample();
        java.util.concurrent.locks.LockSupport.parkNanos(periodNs);
      }
    });
    // the kernel's peak covers everything when it can be reset; the thread is the fallback, and stays off the
    // cores the case is measured on otherwise
    if (baselineBytes > 0 && !hwmReset) thread.start();
  }

  /** Opens a window now: the baseline is the resident set at this moment. */
  static ResidentSetSampler start(Duration period) {
    return new ResidentSetSampler(period);
  }

  /** Whether this platform reports a resident set at all. */
  boolean available() {
    return baselineBytes > 0;
  }

  long baselineBytes() {
    return baselineBytes;
  }

  /** The peak resident set so far (after {@link #close()}: over the whole window). */
  long peakBytes() {
    if (closedPeakBytes >= 0) return closedPeakBytes;
    sample();
    long peak = peakBytes.get();
    return hwmReset ? Math.max(peak, HostInfo.peakRssBytes()) : peak;
  }

  private void sample() {
    long now = residentBytes();
    peakBytes.accumulateAndGet(now, Math::max);
  }

  @Override
  public void close() {
    if (closedPeakBytes >= 0) return;
    long peak = peakBytes();
    running = false;
    java.util.concurrent.locks.LockSupport.unpark(thread);
    try {
      if (thread.isAlive()) thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closedPeakBytes = peak;
  }

  /** This process's resident set now, bytes; 0 where it cannot be read. */
  static long residentBytes() {
    long pages = residentPages();
    return pages < 0 ? 0 : pages * PAGE_BYTES;
  }

  private static long residentPages() {
    try {
      String[] fields = Files.readString(STATM).trim().split(" ");
      return Long.parseLong(fields[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** statm counts pages: the page size is what makes its resident count agree with VmRSS (kB) in status. */
  private static long pageBytes() {
    long pages = residentPages();
    long rss = HostInfo.rssBytes();
    if (pages <= 0 || rss <= 0) return 4096;
    long best = 4096;
    for (long candidate : new long[] {4096, 16384, 65536}) {
      if (Math.abs(pages * candidate - rss) < Math.abs(pages * best - rss)) best = candidate;
    }
    return best;
  }
}
