package io.genbench.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The instruments of {@code genbench serve} ({@link Metric.Scope#SERVE}, {@link Metric.Scope#GPU} and
 * {@link Metric.Scope#LLM}), in a registry of
 * their own. Thread-safe. Times are observed in seconds.
 */
public final class ServeMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Instruments.counter(Metric.REQUESTS, registry);
  private final Histogram e2e = Instruments.histogram(Metric.REQUEST_E2E_SECONDS, registry);
  private final Histogram queue = Instruments.histogram(Metric.REQUEST_QUEUE_SECONDS, registry);
  private final Histogram compute = Instruments.histogram(Metric.REQUEST_COMPUTE_SECONDS, registry);
  private final Histogram encode = Instruments.histogram(Metric.REQUEST_ENCODE_SECONDS, registry);
  private final Histogram batch = Instruments.histogram(Metric.BATCH_SIZE, registry);
  private final Gauge queued = Instruments.gauge(Metric.QUEUE_REQUESTS, registry);
  private final Counter images = Instruments.counter(Metric.IMAGES, registry);
  private final Counter tokens = Instruments.counter(Metric.TOKENS, registry);
  private final Counter restarts = Instruments.counter(Metric.WORKER_RESTARTS, registry);
  private final Gauge ready = Instruments.gauge(Metric.READY, registry);
  private final Histogram ttft = Instruments.histogram(Metric.VLLM_TIME_TO_FIRST_TOKEN_SECONDS, registry);
  private final Histogram itl = Instruments.histogram(Metric.VLLM_INTER_TOKEN_LATENCY_SECONDS, registry);
  private final Histogram llmQueue = Instruments.histogram(Metric.VLLM_REQUEST_QUEUE_TIME_SECONDS, registry);
  private final Histogram llmE2e = Instruments.histogram(Metric.VLLM_E2E_REQUEST_LATENCY_SECONDS, registry);

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
  public void imageRequest(String model, long e2eNs, long queueNs, long computeNs, long encodeNs) {
    e2e.labelValues(model).observe(e2eNs / 1e9);
    queue.labelValues(model).observe(queueNs / 1e9);
    compute.labelValues(model).observe(computeNs / 1e9);
    encode.labelValues(model).observe(encodeNs / 1e9);
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

  /**
   * An LLM request finished ({@link Metric.Scope#LLM}, vLLM's names): times in nanoseconds from its arrival, every gap
   * between two of its tokens, and its tokens (counted in {@code genbench_tokens} too).
   *
   * @param ttftNs arrival to first token, or a negative value when no token came
   */
  public void llmRequest(String model, long queueNs, long ttftNs, long e2eNs, long[] itlNs, int promptTokens, int generationTokens) {
    llmQueue.labelValues(model).observe(queueNs / 1e9);
    if (ttftNs >= 0) ttft.labelValues(model).observe(ttftNs / 1e9);
    var gaps = itl.labelValues(model);
    for (long gap : itlNs) gaps.observe(gap / 1e9);
    llmE2e.labelValues(model).observe(e2eNs / 1e9);
    tokens(model, "prompt", promptTokens);
    tokens(model, "generation", generationTokens);
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
