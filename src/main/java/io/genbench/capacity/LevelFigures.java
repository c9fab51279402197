package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One load level's figures.
 *
 * @param offeredRate requests/s the schedule asked for, or null for a closed loop
 * @param achievedRate requests issued per second of the window: every request scheduled in it, failed ones included
 * @param durationS the measured window, seconds
 * @param requests requests in the window, failed ones included
 * @param errors failed requests
 * @param errorsByKind failed requests per kind ({@code timeout}, {@code reset}, …), sorted by kind
 * @param dispatchLagP99S the generator's dispatch lag P99, seconds
 * @param generatorCpuFraction the generator's CPU over the window, 0–1 of all cores, NaN when not measured
 * @param latency per metric, over the successful requests that have it (no TTFT for images); a metric no request has
 *     is absent
 * @param imagesPerSecond images returned by successful requests / duration
 * @param tokensPerSecond output tokens of successful requests / duration
 * @param goodput requests meeting every SLO constraint ({@link Slo#meets}) / duration
 */
public record LevelFigures(Double offeredRate, double achievedRate, double durationS, int requests, int errors,
    Map<String, Integer> errorsByKind, double dispatchLagP99S, double generatorCpuFraction, Map<Metric, Distribution> latency,
    double imagesPerSecond, double tokensPerSecond, double goodput) {

  public LevelFigures {
    errorsByKind = Collections.unmodifiableMap(new TreeMap<>(errorsByKind));
    latency = latency.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(latency));
  }

  /** The figures of a level from its requests, with goodput counted against {@code slo} ({@link Slo#NONE}: successes). */
  public static LevelFigures of(List<RequestTimes> requests, LevelFacts facts, Slo slo) {
    Map<String, Integer> byKind = new TreeMap<>();
    long images = 0;
    long tokens = 0;
    int good = 0;
    Map<Metric, double[]> values = new EnumMap<>(Metric.class);
    Map<Metric, Integer> counts = new EnumMap<>(Metric.class);
    for (Metric m : Metric.values()) {
      values.put(m, new double[requests.size()]);
      counts.put(m, 0);
    }
    for (RequestTimes r : requests) {
      if (!r.ok()) {
        byKind.merge(r.errorKind(), 1, Integer::sum);
        continue;
      }
      images += r.images();
      tokens += r.outputTokens();
      if (slo.meets(r)) good++;
      for (Metric m : Metric.values()) {
        Double v = r.value(m);
        if (v != null) values.get(m)[counts.merge(m, 1, Integer::sum) - 1] = v;
      }
    }
    Map<Metric, Distribution> latency = new EnumMap<>(Metric.class);
    for (Metric m : Metric.values()) {
      Distribution d = Distribution.of(java.util.Arrays.copyOf(values.get(m), counts.get(m)));
      if (d != null) latency.put(m, d);
    }
    int errors = byKind.values().stream().mapToInt(Integer::intValue).sum();
    double t = facts.durationS();
    return new LevelFigures(facts.offeredRate(), requests.size() / t, t, requests.size(), errors, byKind,
        facts.dispatchLagP99S(), facts.generatorCpuFraction(), latency, images / t, tokens / t, good / t);
  }

  /** Failed requests / requests, 0 with no request. */
  @JsonProperty("error_rate")
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }

  /** A metric's distribution, or null when no successful request had it. */
  public Distribution latency(Metric metric) {
    return latency.get(metric);
  }
}
