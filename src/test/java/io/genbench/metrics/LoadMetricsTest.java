package io.genbench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class LoadMetricsTest {

  @Test
  void requestsAreCountedByOutcomeAndOnlyMeasuredSuccessesAreTimed() {
    var metrics = new LoadMetrics(new AtomicLong()::get);
    metrics.levelStarted("http://a/", "2rps", 2.0);

    metrics.request("http://a/", "2rps", true, "ok", 200, 5_000_000, 4_000_000, 1_000_000);
    metrics.request("http://a/", "2rps", false, "ok", 200, 20_000_000, 19_000_000, 50_000);
    metrics.request("http://a/", "2rps", false, "timeout", 0, 60_000_000_000L, -1, -1);
    String text = metrics.scrape();

    assertThat(text)
        .contains("genbench_load_requests_total{level=\"2rps\",outcome=\"ok\",phase=\"warmup\",status=\"200\",target=\"http://a/\"} 1.0")
        .contains("genbench_load_requests_total{level=\"2rps\",outcome=\"ok\",phase=\"measure\",status=\"200\",target=\"http://a/\"} 1.0")
        .contains("genbench_load_requests_total{level=\"2rps\",outcome=\"timeout\",phase=\"measure\",status=\"0\",target=\"http://a/\"} 1.0")
        .contains("genbench_load_response_seconds_count{level=\"2rps\",target=\"http://a/\"} 1")
        .contains("genbench_load_response_seconds_sum{level=\"2rps\",target=\"http://a/\"} 0.02")
        .contains("genbench_load_dispatch_lag_seconds_bucket{level=\"2rps\",target=\"http://a/\",le=\"5.0E-5\"} 1")
        .contains("genbench_load_offered_requests_per_second{level=\"2rps\",target=\"http://a/\"} 2.0");
  }

  @Test
  void theAchievedRateIsSuccessesPerSecondOfTheLevelAndFreezesWhenItEnds() {
    AtomicLong now = new AtomicLong();
    var metrics = new LoadMetrics(now::get);
    metrics.levelStarted("http://a/", "c1", Double.NaN);
    for (int i = 0; i < 10; i++) metrics.request("http://a/", "c1", false, "ok", 200, 1, 1, 1);
    now.set(2_000_000_000L);

    assertThat(metrics.scrape()).contains("genbench_load_achieved_requests_per_second{level=\"c1\",target=\"http://a/\"} 5.0")
        .contains("genbench_load_current_level{level=\"c1\",target=\"http://a/\"} 1.0")
        .doesNotContain("genbench_load_offered_requests_per_second{");

    metrics.levelEnded("http://a/", "c1");
    now.set(4_000_000_000L);
    metrics.levelStarted("http://a/", "c2", Double.NaN);

    assertThat(metrics.scrape()).contains("genbench_load_achieved_requests_per_second{level=\"c1\",target=\"http://a/\"} 5.0")
        .contains("genbench_load_current_level{level=\"c1\",target=\"http://a/\"} 0.0")
        .contains("genbench_load_current_level{level=\"c2\",target=\"http://a/\"} 1.0");
  }
}
