package io.genbench.history;

/**
 * The history store could not be opened, read or written (unreachable server, refused login, locked or read-only
 * file). The message names the store (never its password) and the cause. A run's own results never depend on it.
 */
public final class HistoryError extends RuntimeException {
  public HistoryError(String message, Throwable cause) {
    super(message, cause);
  }
}
