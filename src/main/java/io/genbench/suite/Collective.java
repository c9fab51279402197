package io.genbench.suite;


/**
 * The collective operations with nccl-tests' bus-bandwidth factors (nccl-tests doc/PERFORMANCE.md): busbw = algbw ×
 * factor(n), where algbw = size / time and size is nccl-tests' "size" column (the bytes of the buffer each rank holds:
 * the gathered output for all-gather, the input for reduce-scatter). Bandwidths are in GB/s with GB = 10⁹ bytes.
 */
public enum Collective implements io.genbench.Labeled {
  /** 2(n−1)/n: each rank sends and receives 2(n−1)/n of the buffer in a ring. */
  ALL_REDUCE("all_reduce"),
  /** (n−1)/n. */
  ALL_GATHER("all_gather"),
  /** (n−1)/n. */
  REDUCE_SCATTER("reduce_scatter"),
  /** 1. */
  BROADCAST("broadcast"),
  /** (n−1)/n. */
  ALL_TO_ALL("all_to_all"),
  /** 1. */
  SEND_RECV("send_recv");

  private final String label;

  Collective(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The factor that turns algorithm bandwidth into bus bandwidth on {@code ranks} ranks. */
  public double busFactor(int ranks) {
    if (ranks < 1) throw new IllegalArgumentException("ranks must be >= 1, was " + ranks);
    double n = ranks;
    return switch (this) {
      case ALL_REDUCE -> 2 * (n - 1) / n;
      case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL -> (n - 1) / n;
      case BROADCAST, SEND_RECV -> 1;
    };
  }

  /** Algorithm bandwidth in GB/s: {@code bytes / time}. */
  public static double algbwGbPerS(long bytes, long timeNanos) {
    if (timeNanos <= 0) throw new IllegalArgumentException("timeNanos must be > 0, was " + timeNanos);
    return (double) bytes / timeNanos; // bytes per ns = 10⁹ bytes per s
  }

  /** Bus bandwidth in GB/s: algbw × {@link #busFactor(int)}. */
  public double busbwGbPerS(long bytes, long timeNanos, int ranks) {
    return algbwGbPerS(bytes, timeNanos) * busFactor(ranks);
  }

  public static Collective parse(String label) {
    return io.genbench.Labeled.parse(Collective.class, label, "collective", null);
  }
}
