package io.genbench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

final class MetricTest {

  @Test
  void everyMetricRegistersWithClientJavaUnderItsListedName() {
    var registry = new PrometheusRegistry();

    for (Metric m : Metric.values()) {
      switch (m.type()) {
        case COUNTER -> Instruments.counter(m, registry);
        case GAUGE -> Instruments.gauge(m, registry);
        case HISTOGRAM -> Instruments.histogram(m, registry);
      }
    }

    assertThat(registry.scrape().stream().map(s -> s.getMetadata().getPrometheusName()))
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(Metric.values()).map(Metric::metricName).toList());
  }

  @Test
  void latencyBucketsRunFromAMillisecondToAnHourWithSloValuesOnBoundaries() {
    assertThat(Metric.SECONDS_BUCKETS.getFirst()).isEqualTo(0.001);
    assertThat(Metric.SECONDS_BUCKETS.getLast()).isEqualTo(3600.0);
    assertThat(Metric.SECONDS_BUCKETS).contains(0.1, 0.25, 0.5, 1.0, 2.0, 5.0).isSorted();
    assertThat(Metric.REQUEST_E2E_SECONDS.buckets()).isEqualTo(Metric.SECONDS_BUCKETS);
  }

  @Test
  void latenciesAreInSecondsAndTheLlmPathKeepsVllmNames() {
    assertThat(Arrays.stream(Metric.values()).filter(m -> m.type() == Metric.Type.HISTOGRAM && m != Metric.BATCH_SIZE))
        .allSatisfy(m -> assertThat(m.metricName()).endsWith("_seconds"));
    assertThat(Arrays.stream(Metric.values()).filter(m -> m.scope() == Metric.Scope.LLM).map(Metric::metricName)).containsExactly(
        "vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds", "vllm:request_queue_time_seconds",
        "vllm:e2e_request_latency_seconds");
    assertThat(Arrays.stream(Metric.values()).filter(m -> m.scope() == Metric.Scope.LLM))
        .allSatisfy(m -> assertThat(m.labels()).containsExactly("model_name"));
  }

  @Test
  void seriesNamesAreWhatAQueryUses() {
    assertThat(Metric.REQUESTS.series()).containsExactly("genbench_requests_total");
    assertThat(Metric.REQUEST_QUEUE_SECONDS.series()).containsExactly("genbench_request_queue_seconds_bucket",
        "genbench_request_queue_seconds_sum", "genbench_request_queue_seconds_count");
    assertThat(Metric.QUEUE_REQUESTS.series()).containsExactly("genbench_queue_requests");
  }

  @Test
  void withoutAGpuTheGpuGaugesHaveNoSeries() {
    String text = new ServeMetrics(GpuTelemetry.none()).scrape();

    assertThat(text).doesNotContain("genbench_gpu_utilization_ratio{");
  }

  @Test
  void gpuReadingsBecomeGaugesPerGpu() {
    var readings = GpuTelemetry.parse("0, 87, 40536, 312.45\n1, 3, 1024, [N/A]\n");

    String text = new ServeMetrics(() -> readings).scrape();

    assertThat(readings).extracting(GpuTelemetry.Reading::gpu).containsExactly("0", "1");
    assertThat(text).contains("genbench_gpu_utilization_ratio{gpu=\"0\"} 0.87")
        .contains("genbench_gpu_memory_used_bytes{gpu=\"0\"} " + (40536.0 * 1024 * 1024))
        .contains("genbench_gpu_power_watts{gpu=\"0\"} 312.45")
        .doesNotContain("genbench_gpu_power_watts{gpu=\"1\"}");
  }

  @Test
  void unreadableNvidiaSmiLinesAreLeftOut() {
    assertThat(GpuTelemetry.parse("0, [N/A], 10, 5\ngarbage\n")).isEqualTo(List.of());
  }
}
