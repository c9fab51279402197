package io.genbench.cost;

/**
 * A live price lookup failed. {@link #reason()} is short and names the cause as AWS did, e.g. {@code AccessDenied},
 * {@code Throttling}, {@code timeout}, {@code no credentials}, for the one console line that says what happened.
 */
public final class PriceFetchException extends RuntimeException {
  private final String reason;
  private final boolean invalidAnswer;

  public PriceFetchException(String reason, String message, Throwable cause) {
    this(reason, message, cause, false);
  }

  private PriceFetchException(String reason, String message, Throwable cause, boolean invalidAnswer) {
    super(message, cause);
    this.reason = reason;
    this.invalidAnswer = invalidAnswer;
  }

  /** AWS answered, but with a price that is no price (e.g. {@code NaN}): this type's answer is unusable, not the API. */
  static PriceFetchException invalidAnswer(String reason) {
    return new PriceFetchException(reason, reason, null, true);
  }

  /** True when AWS answered with an unusable price (the API works; only this answer is ignored). */
  public boolean invalidAnswer() {
    return invalidAnswer;
  }

  public String reason() {
    return reason;
  }
}
