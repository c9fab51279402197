package io.genbench.load;

/**
 * Watches a load as it runs (for live metrics): called from the scheduler's thread when a level starts and ends, and from
 * the client's event loops as each request ends, so an implementation is thread-safe and quick. It sees the raw records
 * as they are made; it changes nothing the run measures or writes.
 */
public interface LoadObserver {
  /** Watches nothing. */
  LoadObserver NONE = new LoadObserver() {};

  /** Level {@code level} starts against target {@code target} ({@code url}). */
  default void levelStarted(int target, String url, Level level) {}

  /** A request of that level ended, successfully or not. */
  default void requestDone(int target, String url, Level level, RequestRecord record) {}

  /** The level ended: every request of it ended or was abandoned. */
  default void levelEnded(int target, String url, Level level) {}
}
