package io.genbench.capacity;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A per-request latency an SLO can bound. */
public enum Metric {
  /** done − scheduled, the default ({@code e2e} is another name for it: end to end, from the schedule). */
  RESPONSE("response"),
  /** done − sent. */
  SERVICE("service"),
  /** time to first token, from the schedule. */
  TTFT("ttft"),
  /** time per output token after the first. */
  TPOT("tpot");

  private final String label;

  Metric(String label) {
    this.label = label;
  }

  /** The name in {@code --slo} and reports. */
  public String label() {
    return label;
  }

  /** The metric named {@code word} ({@code e2e} = response), or null. */
  static Metric byLabel(String word) {
    if (word.equals("e2e")) return RESPONSE;
    for (Metric m : values()) if (m.label.equals(word)) return m;
    return null;
  }

  /** For messages: {@code response (default), service, e2e (= response), ttft, tpot}. */
  static String choices() {
    return "response (default), service, e2e (= response), "
        + Arrays.stream(values()).skip(2).map(Metric::label).collect(Collectors.joining(", "));
  }
}
