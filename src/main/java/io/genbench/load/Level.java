package io.genbench.load;

/** One load level of a profile: open loop (requests at scheduled times) or closed loop (N in flight). */
public sealed interface Level {
  /** A short name for reports and files, e.g. {@code 2.5rps} or {@code c8}. */
  String label();

  /** Requests at the times {@code arrivals} says, whether or not earlier ones have finished. */
  record Open(String label, Arrivals arrivals) implements Level {}

  /** {@code concurrency} users, each sending its next request when its last one ends. */
  record Closed(String label, int concurrency) implements Level {
    public Closed {
      if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
  }
}
