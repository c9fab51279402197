package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;

/** One bound of an {@link Slo}: a latency statistic or the error rate. Its {@link #toString()} parses back to it. */
public sealed interface Constraint {

  /** The observed value at a level (seconds, or a fraction for the error rate), or null when the level has none. */
  Double observed(LevelFigures level);

  /** The bound, in the unit of {@link #observed}. */
  double limit();

  /** Whether one request meets this bound (goodput counts requests that meet every one). */
  boolean meets(RequestTimes request);

  /** The observed value as people read it, e.g. {@code 2.31 s}, {@code 1.5 %}. */
  String format(double observed);

  /**
   * A latency statistic at most {@code boundSeconds}: {@code response_p95<=2s}.
   *
   * @param boundSeconds seconds, > 0, kept exact so the text round-trips
   */
  record Latency(Metric metric, Statistic statistic, BigDecimal boundSeconds) implements Constraint {
    public Latency {
      if (boundSeconds.signum() <= 0) throw new IllegalArgumentException("boundSeconds must be > 0, was " + boundSeconds);
    }

    @Override
    public Double observed(LevelFigures level) {
      Distribution d = level.latency().get(metric);
      return d == null ? null : statistic.of(d);
    }

    @Override
    public double limit() {
      return boundSeconds.doubleValue();
    }

    /** Per request, a percentile bound reads as "this request took at most the bound" (DistServe's goodput). */
    @Override
    public boolean meets(RequestTimes request) {
      Double v = request.value(metric);
      return request.ok() && v != null && v <= limit();
    }

    @Override
    public String format(double observed) {
      return Units.seconds(observed);
    }

    @JsonValue
    @Override
    public String toString() {
      return metric.label() + "_" + statistic.label() + "<=" + Units.exactDuration(boundSeconds);
    }
  }

  /**
   * The fraction of failed requests at most {@code maxPercent} %: {@code error_rate<=1%}.
   *
   * @param maxPercent 0–100, kept exact so the text round-trips
   */
  record ErrorRate(BigDecimal maxPercent) implements Constraint {
    public ErrorRate {
      if (maxPercent.signum() < 0 || maxPercent.compareTo(BigDecimal.valueOf(100)) > 0) {
        throw new IllegalArgumentException("maxPercent must be in [0, 100], was " + maxPercent);
      }
    }

    @Override
    public Double observed(LevelFigures level) {
      return level.requests() == 0 ? null : level.errorRate();
    }

    @Override
    public double limit() {
      return maxPercent.doubleValue() / 100;
    }

    @Override
    public boolean meets(RequestTimes request) {
      return request.ok();
    }

    @Override
    public String format(double observed) {
      return Units.decimal(observed * 100, 3) + " %";
    }

    @JsonValue
    @Override
    public String toString() {
      return "error_rate<=" + Units.plain(maxPercent) + "%";
    }
  }
}
