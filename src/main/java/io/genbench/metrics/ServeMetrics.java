package io.genbench.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The instruments of {@code genbench serve} ({@link Metric.Scope#SERVE} and {@link Metric.Scope#GPU}), in a registry of
 * their own. Thread-safe. Times are observed in seconds.
 */
public final class ServeMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Instruments.counter(Metric.REQUESTS, registry);
  private final Histogram e2e = Instruments.histogram(Metric.REQUEST_E2E_SECONDS, registry);
  private final Histogram queue = Instruments.histogram(Metric.REQUEST_QUEUE_SECONDS, registry);
  private final Histogram compute = Instruments.histogram(Metric.REQUEST_COMPUTE_SECONDS, registry);
  private final Histogram batch = Instruments.histogram(Metric.BATCH_SIZE, registry);
  private final Gauge queued = Instruments.gauge(Metric.QUEUE_REQUESTS, registry);
  private final Counter images = Instruments.counter(Metric.IMAGES, registry);
  private final Counter tokens = Instruments.counter(Metric.TOKENS, registry);
  private final Counter restarts = Instruments.counter(Metric.WORKER_RESTARTS, registry);
  private final Gauge ready = Instruments.gauge(Metric.READY, registry);

  public ServeMetrics(GpuTelemetry gpus) {
    gpuGauge(Metric.GPU_UTILIZATION_RATIO, gpus, GpuTelemetry.Reading::utilization);
    gpuGauge(Metric.GPU_MEMORY_USED_BYTES, gpus, r -> r.memoryUsedBytes());
    gpuGauge(Metric.GPU_POWER_WATTS, gpus, GpuTelemetry.Reading::powerWatts);
  }

  private void gpuGauge(Metric m, GpuTelemetry gpus, java.util.function.ToDoubleFunction<GpuTelemetry.Reading> value) {
    GaugeWithCallback.builder().name(m.metricName()).help(m.help()).labelNames(m.labels().toArray(String[]::new))
        .callback(cb -> gpus.read().forEach(r -> {
          double v = value.applyAsDouble(r);
          if (!Double.isNaN(v)) cb.call(v, r.gpu());
        })).register(registry);
  }

  /** A response went out. */
  public void request(String endpoint, int status) {
    requests.labelValues(endpoint, Integer.toString(status)).inc();
  }

  /** An image request was answered: its times, in nanoseconds. */
  public void imageRequest(String model, long e2eNs, long queueNs, long computeNs) {
    e2e.labelValues(model).observe(e2eNs / 1e9);
    queue.labelValues(model).observe(queueNs / 1e9);
    compute.labelValues(model).observe(computeNs / 1e9);
  }

  /** A batch of {@code imageCount} images ran. */
  public void batch(String model, int imageCount) {
    batch.labelValues(model).observe(imageCount);
    images.labelValues(model).inc(imageCount);
  }

  /** Tokens on the LLM path ({@code kind}: prompt or generation). */
  public void tokens(String model, String kind, long count) {
    tokens.labelValues(model, kind).inc(count);
  }

  /** A supervised worker was restarted after a crash. */
  public void workerRestart(String backend) {
    restarts.labelValues(backend).inc();
  }

  public void queued(int requestsWaiting) {
    queued.set(requestsWaiting);
  }

  public void ready(boolean isReady) {
    ready.set(isReady ? 1 : 0);
  }

  /** Every series in Prometheus's text format. */
  public String scrape() {
    return Instruments.text(registry);
  }

  /** The Content-Type of {@link #scrape()}. */
  public static String contentType() {
    return Instruments.contentType();
  }
}
