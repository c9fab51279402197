package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class LevelFiguresTest {

  @Test
  void percentilesAreNearestRankOnTheSuccessfulRequests() {
    List<RequestTimes> requests = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) requests.add(RequestTimes.image(i / 1000.0, i / 2000.0, 2));
    requests.add(RequestTimes.failed(99, 99, "timeout"));

    LevelFigures f = LevelFigures.of(requests, new LevelFacts(10.0, 100, 0.0002, 0.3), Slo.NONE);

    Distribution response = f.latency(Metric.RESPONSE);
    assertThat(response.n()).isEqualTo(1000);
    assertThat(List.of(response.p50(), response.p90(), response.p95(), response.p99(), response.p999(), response.max()))
        .containsExactly(0.5, 0.9, 0.95, 0.99, 0.999, 1.0);
    assertThat(response.mean()).isCloseTo(0.5005, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(f.latency(Metric.SERVICE).p95()).isEqualTo(0.475);
    assertThat(f.latency(Metric.TTFT)).isNull();
    assertThat(f.latency()).containsOnlyKeys(Metric.RESPONSE, Metric.SERVICE);
  }

  @Test
  void ratesAreArrivalsAndOutputsPerSecondOfTheWindow() {
    List<RequestTimes> requests = List.of(RequestTimes.llm(1, 1, 0.1, 0.01, 300), RequestTimes.llm(3, 3, 0.2, 0.02, 100),
        RequestTimes.failed(30, 30, "timeout"), RequestTimes.failed(0.1, 0.1, "reset"), RequestTimes.failed(30, 30, "timeout"));

    LevelFigures f = LevelFigures.of(requests, new LevelFacts(0.5, 10, 0.0002, 0.3), Slo.parse("p95<=2s", "--slo"));

    assertThat(f.achievedRate()).isEqualTo(0.5);
    assertThat(f.requests()).isEqualTo(5);
    assertThat(f.errors()).isEqualTo(3);
    assertThat(f.errorsByKind()).isEqualTo(Map.of("reset", 1, "timeout", 2));
    assertThat(f.errorRate()).isEqualTo(0.6);
    assertThat(f.tokensPerSecond()).isEqualTo(40);
    assertThat(f.imagesPerSecond()).isZero();
    assertThat(f.goodput()).isEqualTo(0.1); // one request in 10 s met p95<=2s
    assertThat(f.latency(Metric.TPOT).max()).isEqualTo(0.02);
  }
}
