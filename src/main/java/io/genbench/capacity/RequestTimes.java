package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One measured request's figures, in seconds, as the capacity search needs them (the load engine's four stamps reduced).
 *
 * @param responseS done − scheduled: the headline, with every wait for the generator or a connection included (no
 *     coordinated omission); ≥ 0
 * @param serviceS done − sent; ≥ 0
 * @param ttftS first token − scheduled, or null when the request streamed no tokens (images, generic)
 * @param tpotS (done − first token) / (output tokens − 1), or null when not an LLM request or fewer than 2 tokens
 * @param errorKind null when the request succeeded, else what went wrong ({@code timeout}, {@code reset},
 *     {@code http_503}, {@code malformed}, …)
 * @param images images returned, ≥ 0
 * @param outputTokens output tokens generated, ≥ 0
 */
public record RequestTimes(double responseS, double serviceS, Double ttftS, Double tpotS, String errorKind, int images,
    long outputTokens) {

  public RequestTimes {
    if (!(responseS >= 0)) throw new IllegalArgumentException("responseS must be >= 0, was " + responseS);
    if (!(serviceS >= 0)) throw new IllegalArgumentException("serviceS must be >= 0, was " + serviceS);
    if (ttftS != null && !(ttftS >= 0)) throw new IllegalArgumentException("ttftS must be >= 0, was " + ttftS);
    if (tpotS != null && !(tpotS >= 0)) throw new IllegalArgumentException("tpotS must be >= 0, was " + tpotS);
    if (images < 0) throw new IllegalArgumentException("images must be >= 0, was " + images);
    if (outputTokens < 0) throw new IllegalArgumentException("outputTokens must be >= 0, was " + outputTokens);
  }

  /** A successful image (or generic) request. */
  public static RequestTimes image(double responseS, double serviceS, int images) {
    return new RequestTimes(responseS, serviceS, null, null, null, images, 0);
  }

  /** A successful streamed LLM request. */
  public static RequestTimes llm(double responseS, double serviceS, double ttftS, Double tpotS, long outputTokens) {
    return new RequestTimes(responseS, serviceS, ttftS, tpotS, null, 0, outputTokens);
  }

  /** A failed request: it counts in the error rate and in no latency figure. */
  public static RequestTimes failed(double responseS, double serviceS, String errorKind) {
    if (errorKind == null || errorKind.isBlank()) throw new IllegalArgumentException("errorKind must be named");
    return new RequestTimes(responseS, serviceS, null, null, errorKind, 0, 0);
  }

  /** No error. */
  @JsonIgnore
  public boolean ok() {
    return errorKind == null;
  }

  /** This request's value of a metric, seconds; null when it has none (TTFT of an image request). */
  public Double value(Metric metric) {
    return switch (metric) {
      case RESPONSE -> responseS;
      case SERVICE -> serviceS;
      case TTFT -> ttftS;
      case TPOT -> tpotS;
    };
  }
}
