package io.genbench.serve;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;

/**
 * Keeps a serving JVM on ZGC inside a heap it has already touched. ZGC collects only as the heap nears its soft maximum
 * (by default the maximum heap, a quarter of the machine's memory), so a server that allocates a few MB per image
 * answer kept growing into fresh memory: on an H100 host (128 GiB), 2 collections in the first 6 s and none in the next
 * 5 minutes, and every answer's pixel array and PNG paid first-touch page faults (the JVM's pixel read 0.99 ms P50 on
 * ZGC against 0.35 ms on G1, bench/RESULTS.md §21). A soft maximum of {@link #softMaxBytes} makes ZGC collect within
 * memory it keeps mapped, with pauses of microseconds; the heap may still grow past it when the live set needs more
 * (the url store's PNGs: at most 256). {@code SoftMaxHeapSize} is a manageable flag, so it is set here at run time,
 * for the launcher and the container image alike; one given on the command line is left as it is.
 */
public final class ServeHeap {
  private ServeHeap() {}

  /** The soft maximum asked for: 2 GiB, or half the maximum heap where that is smaller. */
  static final long TARGET_BYTES = 2L << 30;

  /** The soft maximum heap for a JVM whose maximum heap is {@code maxHeapBytes}. */
  static long softMaxBytes(long maxHeapBytes) {
    return Math.min(TARGET_BYTES, maxHeapBytes / 2);
  }

  /** Whether one of {@code collectors} (the JVM's GC MXBean names) is ZGC's. */
  static boolean zgc(List<String> collectors) {
    return collectors.stream().anyMatch(n -> n.startsWith("ZGC"));
  }

  /**
   * Sets the soft maximum heap on ZGC unless the command line set one; returns what it did, for the server's log, or
   * empty when nothing was done (another collector, or the flag given).
   */
  public static Optional<String> bound() {
    List<String> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList();
    if (!zgc(collectors)) return Optional.empty();
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    VMOption given = hotspot.getVMOption("SoftMaxHeapSize");
    // ZGC sets it to the maximum heap itself (ergonomic); the command line, JDK_JAVA_OPTIONS or a flags file win
    if (given.getOrigin() != VMOption.Origin.DEFAULT && given.getOrigin() != VMOption.Origin.ERGONOMIC) return Optional.empty();
    long soft = softMaxBytes(Runtime.getRuntime().maxMemory());
    hotspot.setVMOption("SoftMaxHeapSize", Long.toString(soft));
    return Optional.of("ZGC, soft maximum heap " + (soft >> 20) + " MiB (collects within memory already touched)");
  }
}
