package io.genbench.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds client_java instruments from a {@link Metric} entry, so name, help, labels and buckets come from one list. */
final class Instruments {
  private Instruments() {}

  static Counter counter(Metric m, PrometheusRegistry registry) {
    require(m, Metric.Type.COUNTER);
    return Counter.builder().name(m.metricName()).help(m.help()).labelNames(labels(m)).register(registry);
  }

  static Gauge gauge(Metric m, PrometheusRegistry registry) {
    require(m, Metric.Type.GAUGE);
    return Gauge.builder().name(m.metricName()).help(m.help()).labelNames(labels(m)).register(registry);
  }

  static Histogram histogram(Metric m, PrometheusRegistry registry) {
    require(m, Metric.Type.HISTOGRAM);
    return Histogram.builder().name(m.metricName()).help(m.help()).labelNames(labels(m)).classicOnly()
        .classicUpperBounds(m.buckets().stream().mapToDouble(Double::doubleValue).toArray()).register(registry);
  }

  /** The registry in Prometheus's text format (version 0.0.4). */
  static String text(PrometheusRegistry registry) {
    var out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  private static String[] labels(Metric m) {
    return m.labels().toArray(String[]::new);
  }

  private static void require(Metric m, Metric.Type type) {
    if (m.type() != type) throw new IllegalArgumentException(m + " is a " + m.type() + ", not a " + type);
  }
}
