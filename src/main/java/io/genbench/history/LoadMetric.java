package io.genbench.history;

import io.genbench.UserError;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A figure of a recorded load level that {@code genbench history trend --load} shows over runs: its name on the command
 * line and in CSV ({@code genbench_load_levels}' column without the unit suffix), its table header and decimals.
 */
public enum LoadMetric {
  RESPONSE_P50("response_p50", "response p50 ms", 2, LoadLevelRecord::responseP50Ms),
  RESPONSE_P95("response_p95", "response p95 ms", 2, LoadLevelRecord::responseP95Ms),
  RESPONSE_P99("response_p99", "response p99 ms", 2, LoadLevelRecord::responseP99Ms),
  TTFT_P50("ttft_p50", "ttft p50 ms", 2, LoadLevelRecord::ttftP50Ms),
  TTFT_P99("ttft_p99", "ttft p99 ms", 2, LoadLevelRecord::ttftP99Ms),
  TPOT_P50("tpot_p50", "tpot p50 ms", 3, LoadLevelRecord::tpotP50Ms),
  OFFERED_RPS("offered_rps", "offered req/s", 3, LoadLevelRecord::offeredRps),
  ACHIEVED_RPS("achieved_rps", "achieved req/s", 3, LoadLevelRecord::achievedRps),
  IMAGES_PER_S("images_per_s", "images/s", 3, LoadLevelRecord::imagesPerS),
  TOKENS_PER_S("tokens_per_s", "tokens/s", 1, LoadLevelRecord::tokensPerS),
  ERROR_RATE("error_rate", "error rate", 4, LoadLevelRecord::errorRate);

  /** What the table shows without {@code --metric}. */
  public static final List<LoadMetric> DEFAULT = List.of(RESPONSE_P50, RESPONSE_P95, RESPONSE_P99, ACHIEVED_RPS, ERROR_RATE);

  private final String id;
  private final String header;
  private final int decimals;
  private final Function<LoadLevelRecord, Double> figure;

  LoadMetric(String id, String header, int decimals, Function<LoadLevelRecord, Double> figure) {
    this.id = id;
    this.header = header;
    this.decimals = decimals;
    this.figure = figure;
  }

  /** The name on the command line, e.g. {@code response_p95}. */
  public String id() {
    return id;
  }

  public String header() {
    return header;
  }

  /** The figure in a level, or null where it does not exist (no TTFT for an image API, no offered rate closed-loop). */
  public Double of(LoadLevelRecord level) {
    return figure.apply(level);
  }

  /** The figure as the table prints it: fixed decimals, empty where there is none. */
  public String format(LoadLevelRecord level) {
    Double v = of(level);
    return v == null ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Every name, comma-separated: for errors and help. */
  public static String choices() {
    return Arrays.stream(values()).map(LoadMetric::id).collect(Collectors.joining(", "));
  }

  /**
   * The metrics of {@code --metric} values (each may itself be comma-separated), in the order given, duplicates dropped;
   * none given: {@link #DEFAULT}. An unknown name is a {@link UserError} naming it and the choices.
   */
  public static List<LoadMetric> parse(List<String> texts) {
    if (texts == null || texts.isEmpty()) return DEFAULT;
    List<LoadMetric> metrics = texts.stream().flatMap(t -> Arrays.stream(t.split(","))).map(String::strip)
        .filter(t -> !t.isEmpty()).map(LoadMetric::parse).distinct().toList();
    if (metrics.isEmpty()) throw new UserError("--metric is empty: choose from " + choices());
    return metrics;
  }

  private static LoadMetric parse(String text) {
    String t = text.toLowerCase(Locale.ROOT).replace('-', '_');
    for (LoadMetric m : values()) {
      // a latency also by its CSV column's name (response_p95_ms)
      if (m.id.equals(t) || (m.id.matches(".*_p\\d+") && (m.id + "_ms").equals(t))) return m;
    }
    throw new UserError("--metric '" + text + "' is not a load level figure: choose from " + choices());
  }
}
