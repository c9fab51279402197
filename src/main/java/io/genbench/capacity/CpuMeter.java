package io.genbench.capacity;

import java.lang.management.ManagementFactory;

/**
 * The generator's own CPU use over a level: this JVM's process CPU time over the level's wall time and the machine's
 * cores, 0–1 (1 = every core busy the whole level). A saturated generator delays its own requests, so a level it ran
 * at or near saturation is INVALID ({@link LevelValidity}).
 *
 * <pre>{@code
 *   CpuMeter.Mark start = meter.mark();
 *   … run the level …
 *   double cpu = meter.fractionSince(start);
 * }</pre>
 */
public final class CpuMeter {

  /** Where the readings come from: the JVM's, or a fake in tests. */
  public interface Source {
    /** CPU time this process has used, nanoseconds, or negative when the platform does not say. */
    long processCpuNanos();

    /** A monotonic wall clock, nanoseconds. */
    long wallNanos();

    /** Cores this process may use. */
    int cores();
  }

  /** One reading. */
  public record Mark(long cpuNanos, long wallNanos) {}

  private final Source source;

  public CpuMeter(Source source) {
    this.source = source;
  }

  /** This JVM, through {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime()}. */
  public static CpuMeter ofThisProcess() {
    var bean = ManagementFactory.getOperatingSystemMXBean();
    return new CpuMeter(new Source() {
      @Override
      public long processCpuNanos() {
        try {
          return bean instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
        } catch (LinkageError e) { // a runtime without jdk.management: not measured
          return -1;
        }
      }

      @Override
      public long wallNanos() {
        return System.nanoTime();
      }

      @Override
      public int cores() {
        return Runtime.getRuntime().availableProcessors();
      }
    });
  }

  public Mark mark() {
    return new Mark(source.processCpuNanos(), source.wallNanos());
  }

  /** CPU used since {@code start} / (wall time since it × cores), 0–1; NaN when the platform gives no CPU time. */
  public double fractionSince(Mark start) {
    Mark now = mark();
    if (start.cpuNanos() < 0 || now.cpuNanos() < 0) return Double.NaN;
    long wall = now.wallNanos() - start.wallNanos();
    if (wall <= 0) return Double.NaN;
    return Math.min(1.0, (double) (now.cpuNanos() - start.cpuNanos()) / ((double) wall * source.cores()));
  }
}
