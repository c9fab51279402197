package io.genbench.cost;

/**
 * A live price lookup failed. {@link #reason()} is short and names the cause as AWS did, e.g. {@code AccessDenied},
 * {@code Throttling}, {@code timeout}, {@code no credentials}, for the one console line that says what happened.
 */
public final class PriceFetchException extends RuntimeException {
  private final String reason;

  public PriceFetchException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
