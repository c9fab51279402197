package io.genbench.load;

/** A monotonic nanosecond clock, injected so tests control time; every stamp of a request is read from it. */
@FunctionalInterface
public interface LoadClock {
  long nanoTime();

  LoadClock SYSTEM = System::nanoTime;
}
