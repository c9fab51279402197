package io.genbench.capacity;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which figure of a latency distribution an SLO bounds. */
public enum Statistic {
  P50("p50"), P90("p90"), P95("p95"), P99("p99"), P99_9("p99.9"), MEAN("mean"), MAX("max");

  private final String label;

  Statistic(String label) {
    this.label = label;
  }

  /** The name in {@code --slo} and reports. */
  public String label() {
    return label;
  }

  /** This statistic of a distribution, seconds. */
  public double of(Distribution d) {
    return switch (this) {
      case P50 -> d.p50();
      case P90 -> d.p90();
      case P95 -> d.p95();
      case P99 -> d.p99();
      case P99_9 -> d.p999();
      case MEAN -> d.mean();
      case MAX -> d.max();
    };
  }

  /** The statistic named {@code word} ({@code p999} = p99.9), or null. */
  static Statistic byLabel(String word) {
    if (word.equals("p999")) return P99_9;
    for (Statistic s : values()) if (s.label.equals(word)) return s;
    return null;
  }

  static String choices() {
    return Arrays.stream(values()).map(Statistic::label).collect(Collectors.joining(", "));
  }
}
