package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

final class SloTest {

  @Test
  void aBarePercentileBoundsTheResponseTime() {
    Slo slo = Slo.parse("p95<=2s", "--slo");

    assertThat(slo.constraints()).containsExactly(new Constraint.Latency(Metric.RESPONSE, Statistic.P95, new BigDecimal("2")));
    assertThat(slo).hasToString("response_p95<=2s");
  }

  @Test
  void readsEveryMetricUnitAndTheErrorRate() {
    Slo slo = Slo.parse("ttft_p99<=500ms, tpot_p50<=50ms,service_p95<=1.5s,e2e_p99.9<=3s,response_max<=250us,error_rate<=1%", "--slo");

    assertThat(slo.constraints()).extracting(Constraint::toString).containsExactly("ttft_p99<=500ms", "tpot_p50<=50ms",
        "service_p95<=1.5s", "response_p99.9<=3s", "response_max<=250us", "error_rate<=1%");
    assertThat(slo.constraints()).extracting(Constraint::limit).containsExactly(0.5, 0.05, 1.5, 3.0, 0.00025, 0.01);
  }

  @Test
  void repeatedSloOptionsAllHold() {
    Slo slo = Slo.parse(List.of("p95<=2s", "error_rate<=0.5%"), "--slo");

    assertThat(slo).hasToString("response_p95<=2s,error_rate<=0.5%");
  }

  @Property
  void theCanonicalTextParsesBackToTheSameSlo(@ForAll("slos") Slo slo) {
    Slo again = Slo.parse(slo.toString(), "--slo");

    assertThat(again.toString()).isEqualTo(slo.toString());
    assertThat(again.constraints()).extracting(Constraint::limit).containsExactlyElementsOf(slo.constraints().stream()
        .map(Constraint::limit).toList());
  }

  @Provide
  Arbitrary<Slo> slos() {
    Arbitrary<Constraint> latency = Combinators.combine(Arbitraries.of(Metric.class), Arbitraries.of(Statistic.class),
        Arbitraries.bigDecimals().between(new BigDecimal("0.000001"), new BigDecimal("100000")).ofScale(6)
            .filter(b -> b.signum() > 0))
        .as(Constraint.Latency::new);
    Arbitrary<Constraint> errors = Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.valueOf(100)).ofScale(3)
        .map(Constraint.ErrorRate::new);
    return Combinators.combine(latency.list().ofMaxSize(3).uniqueElements(c -> c.toString().split("<=")[0]),
        errors.optional()).as((l, e) -> {
          List<Constraint> all = new java.util.ArrayList<>(l);
          e.ifPresent(all::add);
          return new Slo(all);
        }).filter(slo -> !slo.isEmpty());
  }

  @Test
  void errorsNameTheTextAndTheValidChoices() {
    assertThatThrownBy(() -> Slo.parse("p95<2s", "--slo")).isInstanceOf(UserError.class)
        .hasMessageContaining("--slo \"p95<2s\"").hasMessageContaining("use \"<=\"");
    assertThatThrownBy(() -> Slo.parse("latency_p95<=2s", "--slo")).isInstanceOf(UserError.class)
        .hasMessageContaining("unknown metric \"latency\"").hasMessageContaining("response (default), service, e2e (= response), ttft, tpot");
    assertThatThrownBy(() -> Slo.parse("p97<=2s", "--slo")).isInstanceOf(UserError.class)
        .hasMessageContaining("unknown statistic \"p97\"").hasMessageContaining("p50, p90, p95, p99, p99.9, mean, max");
    assertThatThrownBy(() -> Slo.parse("p95<=2h", "load.yaml slo")).isInstanceOf(UserError.class)
        .hasMessageContaining("load.yaml slo \"p95<=2h\"").hasMessageContaining("unknown unit \"h\"").hasMessageContaining("us, ms, s");
    assertThatThrownBy(() -> Slo.parse("p95<=2", "--slo")).isInstanceOf(UserError.class).hasMessageContaining("cannot read \"p95<=2\"");
    assertThatThrownBy(() -> Slo.parse("error_rate<=0.01", "--slo")).isInstanceOf(UserError.class).hasMessageContaining("needs a % sign");
    assertThatThrownBy(() -> Slo.parse("error_rate<=101%", "--slo")).isInstanceOf(UserError.class).hasMessageContaining("above 100%");
    assertThatThrownBy(() -> Slo.parse("p95<=0ms", "--slo")).isInstanceOf(UserError.class).hasMessageContaining("can never be met");
    assertThatThrownBy(() -> Slo.parse("p95<=2s,e2e_p95<=3s", "--slo")).isInstanceOf(UserError.class)
        .hasMessageContaining("bounds response_p95 twice");
    assertThatThrownBy(() -> Slo.parse(" ", "--slo")).isInstanceOf(UserError.class).hasMessageContaining("--slo is empty");
    assertThatThrownBy(() -> Slo.parse("p95<=2s,", "--slo")).isInstanceOf(UserError.class).hasMessageContaining("empty constraint");
  }

  @Test
  void aLevelOverABoundFailsAndThatBoundBindsIt() {
    LevelFigures level = level(List.of(RequestTimes.llm(1.0, 0.9, 0.2, 0.04, 100), RequestTimes.llm(3.0, 2.9, 0.6, 0.03, 100)));
    Slo slo = Slo.parse("p50<=5s,ttft_p99<=500ms,tpot_p50<=50ms", "--slo");

    SloCheck check = slo.check(level);

    assertThat(check.pass()).isFalse();
    assertThat(check.binding().orElseThrow().describe()).isEqualTo("ttft_p99<=500ms: 600 ms");
  }

  @Test
  void aPassingLevelIsBoundByTheConstraintClosestToItsLimit() {
    LevelFigures level = level(List.of(RequestTimes.llm(1.0, 0.9, 0.2, 0.045, 100)));

    SloCheck check = Slo.parse("p50<=5s,tpot_p50<=50ms", "--slo").check(level);

    assertThat(check.pass()).isTrue();
    assertThat(check.binding().orElseThrow().constraint()).hasToString("tpot_p50<=50ms");
  }

  @Test
  void aBoundOnAMetricTheLevelDidNotMeasureFails() {
    LevelFigures level = level(List.of(RequestTimes.image(1.0, 0.9, 1)));

    SloCheck check = Slo.parse("ttft_p99<=500ms", "--slo").check(level);

    assertThat(check.pass()).isFalse();
    assertThat(check.binding().orElseThrow().describe()).isEqualTo("ttft_p99<=500ms: not measured");
  }

  @Test
  void theErrorRateCountsFailedRequestsOfAll() {
    LevelFigures level = level(List.of(RequestTimes.image(1, 1, 1), RequestTimes.image(1, 1, 1), RequestTimes.image(1, 1, 1),
        RequestTimes.failed(30, 30, "timeout")));

    assertThat(Slo.parse("error_rate<=25%", "--slo").check(level).pass()).isTrue();
    assertThat(Slo.parse("error_rate<=24.9%", "--slo").check(level).binding().orElseThrow().describe())
        .isEqualTo("error_rate<=24.9%: 25 %");
  }

  @Test
  void aRequestMeetsTheSloWhenItSucceededWithinEveryBound() {
    Slo slo = Slo.parse("p95<=2s,ttft_p99<=500ms", "--slo");

    assertThat(slo.meets(RequestTimes.llm(1.9, 1.8, 0.4, 0.02, 50))).isTrue();
    assertThat(slo.meets(RequestTimes.llm(2.1, 1.8, 0.4, 0.02, 50))).isFalse();
    assertThat(slo.meets(RequestTimes.llm(1.9, 1.8, 0.6, 0.02, 50))).isFalse();
    assertThat(slo.meets(RequestTimes.image(1.9, 1.8, 1))).isFalse(); // no first token: a TTFT bound is not shown to hold
    assertThat(slo.meets(RequestTimes.failed(0.1, 0.1, "http_503"))).isFalse();
    assertThat(Slo.NONE.meets(RequestTimes.image(100, 100, 1))).isTrue();
  }

  private static LevelFigures level(List<RequestTimes> requests) {
    return LevelFigures.of(requests, new LevelFacts(1.0, requests.size(), 0, 0.1), Slo.NONE);
  }
}
