package io.genbench.execute;

/** A monotonic nanosecond clock, injected so tests control time. */
@FunctionalInterface
public interface Ticker {
  long read();

  Ticker SYSTEM = System::nanoTime;
}
