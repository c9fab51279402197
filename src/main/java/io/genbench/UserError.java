package io.genbench;

/**
 * Something the user can fix: bad input, a bad plan, a missing tool. Printed without a stack trace; the
 * message names the input, where it came from, and the valid choices. Exit code 2.
 */
public final class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
